/**
 * Resuming a download the reference download.py started: its continuation files say where each
 * listing stopped; every folder before that point was finished (the reference lists a bucket page
 * after page and saves the token once a page is done).
 */
import { ALL_FOLDERS, parseListPage, type S3Access, s3ErrorFrom } from "@orcid-sync/core";
import { checkpointId, type ReferenceToken } from "@orcid-sync/state";
import { activitiesBucket, type BucketLayout } from "./bucket_layout.ts";

/** The first key of the page a continuation token points at, or undefined past the end. */
async function keyAtToken(s3: S3Access, bucket: string, token: string): Promise<string | undefined> {
  const response = await s3.request(bucket, "", { query: { "list-type": "2", "continuation-token": token, "max-keys": "1" } });
  if (response.statusCode !== 200) throw await s3ErrorFrom(response, `Cannot resume from the reference's token for s3://${bucket}`);
  return parseListPage(await response.body.text()).objects[0]?.key;
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
    const stop = summaries.token === null ? undefined : await keyAtToken(s3, summaries.bucket, summaries.token);
    markBefore(done, summaries.bucket, ALL_FOLDERS, stop?.split("/")[0] ?? (summaries.token === null ? undefined : ""));
  }
  const activities = tokens.activities;
  if (activities) {
    const buckets = [...new Set(ALL_FOLDERS.map((folder) => activitiesBucket(layout, folder)))];
    const at = buckets.indexOf(activities.bucket);
    if (at !== -1) {
      for (const bucket of buckets.slice(0, at)) markBefore(done, bucket, ALL_FOLDERS.filter((f) => activitiesBucket(layout, f) === bucket), undefined);
      const stop = activities.token === null ? undefined : await keyAtToken(s3, activities.bucket, activities.token);
      const folders = ALL_FOLDERS.filter((f) => activitiesBucket(layout, f) === activities.bucket);
      markBefore(done, activities.bucket, folders, stop?.split("/")[0] ?? (activities.token === null ? undefined : ""));
    }
  }
  return done;
}
