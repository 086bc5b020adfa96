/** Saving the checkpoints that reach the end of the pipe, unless work of their folder failed. */
import { type CheckpointJournal, checkpointId } from "../files/mod.ts";
import { last3 } from "../orcid/mod.ts";
import type { PipelineRecord, UnknownRecord } from "./records.ts";

/** Counts of what {@linkcode recordCheckpoints} did. */
export interface CheckpointCounts {
  saved: number;
  /** Checkpoints not saved because an error record of their folder came before them. */
  withheld: number;
}

/**
 * Passes every record through and appends each checkpoint to the journal (synced in batches: close
 * the journal to wait for the last), except where an error
 * record for the same bucket and folder (or the same folder, when the error names only an iD) came
 * earlier: a folder with failed work is not done, and a resumed run lists it again.
 *
 * @example
 * ```ts
 * for await (const record of recordCheckpoints(records, journal, counts)) await out.write(record);
 * ```
 */
export async function* recordCheckpoints(
  records: AsyncIterable<PipelineRecord | UnknownRecord>,
  journal: CheckpointJournal,
  counts: CheckpointCounts = { saved: 0, withheld: 0 },
): AsyncGenerator<PipelineRecord | UnknownRecord> {
  const failed = new Set<string>();
  const failedFolders = new Set<string>();
  // Records go on while checkpoints are synced in batches: a write that failed ends the stream at
  // the next record, and the caller's journal.close() waits for the rest.
  let failure: { error: unknown } | undefined;
  for await (const record of records) {
    if (failure) throw failure.error;
    if (record.type === "error") {
      const error = record as Extract<PipelineRecord, { type: "error" }>;
      if (error.bucket && error.key) failed.add(checkpointId(error.bucket, error.key.split("/")[0]!));
      else if (error.orcid) failedFolders.add(last3(error.orcid));
    } else if (record.type === "checkpoint") {
      const checkpoint = record as Extract<PipelineRecord, { type: "checkpoint" }>;
      if (failed.has(checkpointId(checkpoint.bucket, checkpoint.folder)) || failedFolders.has(checkpoint.folder)) {
        counts.withheld++;
      } else {
        journal.append([checkpoint]).catch((error: unknown) => {
          failure ??= { error };
        });
        counts.saved++;
      }
    }
    yield record;
  }
}
