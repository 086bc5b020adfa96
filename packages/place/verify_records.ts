/**
 * Checking a mirror against the buckets' listings without changing anything: `orcid-list --all -s
 * -a | orcid-place DIR --verify` reports every file that is missing, changed (size, or MD5 against
 * a single-part ETag) or extra (an activity a manifest does not list; a summary in a folder whose
 * listing did not name it).
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  activitiesFolder,
  type CheckpointRecord,
  isActivityType,
  type KeyRecord,
  type ManifestRecord,
  type MismatchRecord,
  mirrorPath,
  parseKey,
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

/** How a listed key compares with its file. */
async function checkKey(root: string, record: KeyRecord): Promise<MismatchRecord | undefined> {
  let parsed;
  try {
    parsed = parseKey(record.key);
  } catch {
    return undefined; // orcid-list reports hostile keys itself
  }
  const path = mirrorPath(parsed.kind, record.key);
  const base = { type: "mismatch" as const, path, orcid: record.orcid, bucket: record.bucket, key: record.key };
  let info;
  try {
    info = await stat(join(root, path));
  } catch {
    return { ...base, problem: "missing" };
  }
  if (record.size !== undefined && info.size !== record.size) {
    return { ...base, problem: "changed", detail: `size ${info.size}, listed ${record.size}` };
  }
  if (record.etag && /^[0-9a-f]{32}$/.test(record.etag)) {
    const md5 = createHash("md5").update(await readFile(join(root, path))).digest("hex");
    if (md5 !== record.etag) return { ...base, problem: "changed", detail: `MD5 ${md5}, ETag ${record.etag}` };
  }
  return undefined;
}

async function names(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch {
    return [];
  }
}

/** Local activity files of an iD that its manifest does not list. */
async function extraActivities(root: string, record: ManifestRecord): Promise<MismatchRecord[]> {
  const listed = new Set(record.keys.map((key) => `activities/${key}`));
  const base = activitiesFolder(record.orcid);
  const out: MismatchRecord[] = [];
  for (const type of await names(join(root, base))) {
    if (!isActivityType(type)) continue;
    for (const name of await names(join(root, base, type))) {
      const path = `${base}/${type}/${name}`;
      if (!listed.has(path) && !name.includes(".orcid-sync-tmp.")) out.push({ type: "mismatch", problem: "extra", path, orcid: record.orcid, bucket: record.bucket });
    }
  }
  return out;
}

/**
 * Passes every record through and adds a mismatch record for each difference it finds. Summaries
 * are compared folder by folder: when a summaries checkpoint arrives (its folder fully listed), the
 * folder's local files that were not listed are extra.
 */
export async function* verifyRecords(
  records: AsyncIterable<PipelineRecord | UnknownRecord>,
  root: string,
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
      const mismatch = await checkKey(root, key);
      if (mismatch) yield count(mismatch);
    } else if (record.type === "manifest") {
      for (const mismatch of await extraActivities(root, record as ManifestRecord)) yield count(mismatch);
    } else if (record.type === "checkpoint" && (record as CheckpointRecord).bucket === summariesBucket) {
      const { folder } = record as CheckpointRecord;
      const listed = listedSummaries.get(folder) ?? new Set();
      listedSummaries.delete(folder);
      for (const name of await names(join(root, "summaries", folder))) {
        if (!name.includes(".orcid-sync-tmp.") && !listed.has(`${folder}/${name}`)) {
          yield count({ type: "mismatch", problem: "extra", path: `summaries/${folder}/${name}`, orcid: name.replace(/\.xml$/, "") });
        }
      }
    }
    yield record;
  }
}
