/**
 * Checking a mirror against the buckets' listings without changing anything: `orcid-list --all -s
 * -a | orcid-place DIR --verify` reports every file that is missing, changed (by the mirror's one
 * rule: another size, or neither LastModified nor a single-part ETag's MD5 agrees) or extra (an activity a manifest does not list; a summary in a folder whose
 * listing did not name it).
 */
import {
  type CheckpointRecord,
  describeError,
  type KeyRecord,
  type ManifestRecord,
  type Mirror,
  type MismatchRecord,
  type PipelineRecord,
  type UnknownRecord,
} from "@orcid-sync/core";

/** Counts for the summary line. */
export interface VerifyStats {
  checked: number;
  missing: number;
  changed: number;
  extra: number;
}

export function newVerifyStats(): VerifyStats {
  return { checked: 0, missing: 0, changed: 0, extra: 0 };
}

/** How a listed key compares with its file, by the mirror's rule (read-only: nothing is touched). */
function checkKey(mirror: Mirror, record: KeyRecord): MismatchRecord | undefined {
  let path: string;
  try {
    path = mirror.pathOf(record);
  } catch {
    return undefined; // orcid-list reports hostile keys itself
  }
  const base = { type: "mismatch" as const, path, orcid: record.orcid, bucket: record.bucket, key: record.key };
  let comparison: ReturnType<typeof mirror.compare>;
  try {
    comparison = mirror.compare(path, record);
  } catch (error) {
    return { ...base, problem: "changed", detail: describeError(error) };
  }
  if (comparison.kind === "absent") return { ...base, problem: "missing" };
  if (comparison.kind === "changed") return { ...base, problem: "changed", detail: comparison.detail };
  return undefined;
}

/** Local activity files of an iD that its manifest does not list. */
function extraActivities(mirror: Mirror, record: ManifestRecord): MismatchRecord[] {
  const listed = new Set(record.keys.map((key) => `activities/${key}`));
  let files: string[];
  try {
    files = mirror.activityFiles(record.orcid);
  } catch {
    return [];
  }
  return files
    .filter((path) => !listed.has(path))
    .map((path) => ({ type: "mismatch", problem: "extra", path, orcid: record.orcid, bucket: record.bucket }));
}

/**
 * Passes every record through and adds a mismatch record for each difference it finds in `mirror`
 * (a dry-run {@linkcode Mirror}, so nothing is touched). Summaries
 * are compared folder by folder: when a summaries checkpoint arrives (its folder fully listed), the
 * folder's local files that were not listed are extra.
 */
export async function* verifyRecords(
  records: AsyncIterable<PipelineRecord | UnknownRecord>,
  mirror: Mirror,
  summariesBucket: string,
  stats: VerifyStats = newVerifyStats(),
): AsyncGenerator<PipelineRecord | UnknownRecord | MismatchRecord> {
  const listedSummaries = new Map<string, Set<string>>();
  const count = (mismatch: MismatchRecord) => {
    stats[mismatch.problem]++;
    return mismatch;
  };
  for await (const record of records) {
    if (record.type === "key") {
      const key = record as KeyRecord;
      stats.checked++;
      if (key.kind === "summary") {
        const folder = key.key.split("/")[0]!;
        if (!listedSummaries.has(folder)) listedSummaries.set(folder, new Set());
        listedSummaries.get(folder)!.add(`${folder}/${key.key.split("/")[1]}`);
      }
      const mismatch = checkKey(mirror, key);
      if (mismatch) yield count(mismatch);
    } else if (record.type === "manifest") {
      for (const mismatch of extraActivities(mirror, record as ManifestRecord)) yield count(mismatch);
    } else if (record.type === "checkpoint" && (record as CheckpointRecord).bucket === summariesBucket) {
      const { folder } = record as CheckpointRecord;
      const listed = listedSummaries.get(folder) ?? new Set();
      listedSummaries.delete(folder);
      for (const name of mirror.summaryFiles(folder)) {
        if (!listed.has(`${folder}/${name}`)) {
          yield count({
            type: "mismatch",
            problem: "extra",
            path: `summaries/${folder}/${name}`,
            orcid: name.replace(/\.xml$/, ""),
          });
        }
      }
    }
    yield record;
  }
}
