/**
 * Resuming a download the reference download.py started: its continuation files say where each
 * listing stopped; every folder before that point was finished (the reference lists a bucket page
 * after page and saves the token once a page is done).
 */
import { ALL_FOLDERS, parseListPage, type S3Access, s3ErrorFrom } from "@orcid-sync/core";
import { checkpointId, type ReferenceToken } from "@orcid-sync/state";
import { activitiesBucket, type BucketLayout } from "./bucket_layout.ts";

/**
 * The folder a reference listing of `bucket` stopped in: the folder of the first key of the page its
 * token points at ("" when that page is empty), or undefined for a `null` token (listed to its end).
 */
async function stopFolder(s3: S3Access, bucket: string, token: string | null): Promise<string | undefined> {
  if (token === null) return undefined;
  const response = await s3.request(bucket, "", { query: { "list-type": "2", "continuation-token": token, "max-keys": "1" } });
  if (response.statusCode !== 200) throw await s3ErrorFrom(response, `Cannot resume from the reference's token for s3://${bucket}`);
  return parseListPage(await response.body.text()).objects[0]?.key.split("/")[0] ?? "";
}

/** Marks the folders of `bucket` before `stop` (all of them when `stop` is undefined) as done. */
function markBefore(done: Set<string>, bucket: string, folders: readonly string[], stop: string | undefined): void {
  for (const folder of folders) {
    if (stop !== undefined && folder >= stop) break;
    done.add(checkpointId(bucket, folder));
  }
}

/**
 * The `bucket/folder` pairs a reference download finished, from its two continuation files. A
 * `null` token means the reference listed that bucket to its end; activities buckets before the
 * one named were finished, those after it not started.
 */
export async function doneFromReference(
  s3: S3Access,
  layout: BucketLayout,
  tokens: { summaries?: ReferenceToken; activities?: ReferenceToken },
): Promise<Set<string>> {
  const done = new Set<string>();
  const summaries = tokens.summaries;
  if (summaries && summaries.bucket === layout.summaries) {
    markBefore(done, summaries.bucket, ALL_FOLDERS, await stopFolder(s3, summaries.bucket, summaries.token));
  }
  const activities = tokens.activities;
  if (activities) {
    // Each activities bucket with its folders, in the reference's order.
    const folders = new Map<string, string[]>();
    for (const folder of ALL_FOLDERS) {
      const bucket = activitiesBucket(layout, folder);
      folders.set(bucket, [...(folders.get(bucket) ?? []), folder]);
    }
    const buckets = [...folders.keys()];
    const at = buckets.indexOf(activities.bucket);
    if (at !== -1) {
      for (const bucket of buckets.slice(0, at)) markBefore(done, bucket, folders.get(bucket)!, undefined);
      markBefore(done, activities.bucket, folders.get(activities.bucket)!, await stopFolder(s3, activities.bucket, activities.token));
    }
  }
  return done;
}
