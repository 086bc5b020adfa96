/**
 * Where a key lives in a mirror: the reference's layout under `ORCID_public_data_files/`. Every
 * key → path goes through here, and so through `parseKey`: a key that is not a well-formed ORCID
 * key (`../`, absolute, another iD's folder) never becomes a path.
 */
import { isValidOrcidId } from "./orcid_id.ts";
import { InvalidKeyError, parseKey, type RecordKind } from "./orcid_key.ts";

/**
 * The path of a key in a mirror, relative to the mirror folder: `summaries/<key>` for summaries,
 * `activities/<key>` for activities. Throws {@linkcode InvalidKeyError} for a key `parseKey`
 * refuses, or one that does not hold `kind` (or, when given, `orcid`).
 *
 * @example
 * ```ts
 * mirrorPath("summary", "097/0000-0002-1825-0097.xml"); // "summaries/097/0000-0002-1825-0097.xml"
 * mirrorPath("summary", "../../etc/passwd"); // throws InvalidKeyError
 * ```
 */
export function mirrorPath(kind: RecordKind, key: string, orcid?: string): string {
  const parsed = parseKey(key);
  if (orcid !== undefined && (parsed.orcid !== orcid || parsed.kind !== kind)) {
    throw new InvalidKeyError(`Invalid key: '${key}' does not belong to ${orcid} (${kind})`);
  }
  if (parsed.kind !== kind)
    throw new InvalidKeyError(
      `Invalid key: '${key}' holds ${parsed.kind === "summary" ? "a summary" : parsed.kind}, not ${kind}`,
    );
  return pathUnder(kind, key);
}

/**
 * The path of a key of `orcid`, whatever its kind (the keys an iD's manifest lists), through one
 * `parseKey`. Throws {@linkcode InvalidKeyError} for a key `parseKey` refuses or one of another iD.
 *
 * @example
 * ```ts
 * keyPathOf("097/0000-0002-1825-0097/works/0000-0002-1825-0097_works_9.xml", "0000-0002-1825-0097");
 * // "activities/097/0000-0002-1825-0097/works/0000-0002-1825-0097_works_9.xml"
 * ```
 */
export function keyPathOf(key: string, orcid: string): string {
  const parsed = parseKey(key);
  if (parsed.orcid !== orcid) throw new InvalidKeyError(`Invalid key: '${key}' does not belong to ${orcid}`);
  return pathUnder(parsed.kind, key);
}

/** A key's path in the mirror: under `summaries/` or `activities/` by its kind. */
function pathUnder(kind: RecordKind, key: string): string {
  return `${kind === "summary" ? "summaries" : "activities"}/${key}`;
}

/**
 * The folder holding all of an iD's activity files, relative to the mirror folder. Throws
 * {@linkcode InvalidKeyError} for a string that is not a valid iD.
 *
 * @example
 * ```ts
 * activitiesFolder("0000-0002-1825-0097"); // "activities/097/0000-0002-1825-0097"
 * ```
 */
export function activitiesFolder(orcid: string): string {
  if (!isValidOrcidId(orcid)) throw new InvalidKeyError(`Invalid iD: ${JSON.stringify(orcid)} is not a valid ORCID iD`);
  return `activities/${orcid.slice(-3)}/${orcid}`;
}
