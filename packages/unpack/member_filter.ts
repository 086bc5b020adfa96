/** Which members a run files: `--only`, `--ids` and `--shard`. */
import { last3, type ObjectRef } from "@orcid-sync/core";
import { folderInShard, type Shard } from "@orcid-sync/core";

/** What to keep; every field left out keeps everything. */
export interface MemberFilter {
  /** Summaries or activities alone. */
  readonly only?: "summaries" | "activities";
  /** These iDs alone. */
  readonly ids?: ReadonlySet<string>;
  /** The `<last3>` folders of one shard, as orcid-list --shard deals them. */
  readonly shard?: Shard;
}

/**
 * Whether a member's object passes the filter.
 *
 * @example
 * ```ts
 * memberWanted({ bucket: "v3.0-summaries", key: "097/0000-0002-1825-0097.xml", orcid: "0000-0002-1825-0097", kind: "summary" }, { only: "activities" }); // false
 * ```
 */
export function memberWanted(ref: ObjectRef, filter: MemberFilter): boolean {
  if (filter.only && (ref.kind === "summary") !== (filter.only === "summaries")) return false;
  if (filter.ids && !filter.ids.has(ref.orcid)) return false;
  return folderInShard(last3(ref.orcid), filter.shard);
}
