/** How far the lambda files of a run reached: the earliest `newest` of its `lambda` records. */
import { type Micros, parseDateTime, type PipelineRecord, type UnknownRecord } from "@orcid-sync/core";

/**
 * The earliest `newest` of the `lambda` records (one per orcid-list run; a sharded sync has one
 * per shard, and the file may have been regenerated between them), or undefined when there is none.
 *
 * @example
 * ```ts
 * const reach = await lambdaReach(records); // micros of "2026-11-20T10:00:00.123456Z"
 * ```
 */
export async function lambdaReach(records: AsyncIterable<PipelineRecord | UnknownRecord>): Promise<Micros | undefined> {
  let earliest: Micros | undefined;
  for await (const record of records) {
    if (record.type !== "lambda") continue;
    const newest = parseDateTime((record as { newest: string }).newest, "utc");
    if (newest !== undefined && (earliest === undefined || newest < earliest)) earliest = newest;
  }
  return earliest;
}
