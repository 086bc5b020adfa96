/** Where a key lives in a mirror: the reference's layout under `ORCID_public_data_files/`. */
import type { RecordKind } from "./orcid_key.ts";

/**
 * The path of a key in a mirror, relative to the mirror folder: `summaries/<key>` for summaries,
 * `activities/<key>` for activities. The key must have been checked with `parseKey`.
 *
 * @example
 * ```ts
 * mirrorPath("summary", "097/0000-0002-1825-0097.xml"); // "summaries/097/0000-0002-1825-0097.xml"
 * ```
 */
export function mirrorPath(kind: RecordKind, key: string): string {
  return `${kind === "summary" ? "summaries" : "activities"}/${key}`;
}

/** The folder holding all of an iD's activity files, relative to the mirror folder. */
export function activitiesFolder(orcid: string): string {
  return `activities/${orcid.slice(-3)}/${orcid}`;
}
