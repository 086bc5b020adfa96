// A type of activity ORCID adds upstream: mirrored like the others, named once, deleted when it
// goes upstream; it never makes orcid-list fail (protocol version 2: `kind` is any
// lowercase-and-hyphen word).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectedMirror } from "../generator/dataset_files.ts";
import { activitiesBucketOf, datasetObjects, folderOf } from "../generator/objects.ts";
import { syncStore } from "../generator/store.ts";
import {
  expectedTree,
  readTree,
  runPipeline,
  scratch,
  type SeededS3,
  startSeededS3,
  treeDifferences,
} from "./helpers.ts";

let s3: SeededS3;
const work = scratch("orcid-sync-types-");
const ACTIVITIES = ["a", "b", "c"].map((s) => `v3.0-activities-${s}`);

beforeAll(async () => {
  s3 = await startSeededS3({ records: 60, seed: 81 }, { golden: false });
});
afterAll(async () => {
  await s3?.close();
  work.remove();
});

/** A new-type object of an iD, as the writer would name it. */
function patent(orcid: string, putCode: number) {
  const bucket = activitiesBucketOf(orcid, "v3.0-activities");
  const key = `${folderOf(orcid)}/${orcid}/patents/${orcid}_patents_${putCode}.xml`;
  return {
    bucket,
    key,
    body: `<patent:patent put-code="${putCode}"/>`,
    lastModified: new Date("2026-11-19T10:00:00.000Z"),
    path: `activities/${key}`,
  };
}

describe("an activity type we do not know", () => {
  test("is mirrored and named once; a later listing deletes it locally once it is gone upstream", async () => {
    const [first, second] = s3.dataset.records.filter((r) => r.state === "active").map((r) => r.orcid);
    const patents = [patent(first!, 1), patent(first!, 2), patent(second!, 3)];
    const upstream = (extra: typeof patents) =>
      syncStore(s3.directory, ACTIVITIES, [
        ...[...datasetObjects(s3.dataset)].filter((o) => o.bucket !== "v3.0-summaries"),
        ...extra,
      ]);
    upstream(patents);
    const mirror = join(work.dir, "mirror");
    const want = (extra: typeof patents) => {
      const tree = expectedTree(expectedMirror(s3.dataset, { golden: false }));
      for (const p of extra) tree.set(p.path, Buffer.from(p.body));
      return tree;
    };

    const full = await runPipeline(`orcid-list --all -s -a -j 8 | orcid-fetch -j 8 | orcid-place "${mirror}"`, {
      env: s3.env,
    });
    expect(full.code, full.stderr).toBe(0);
    expect(treeDifferences(readTree(mirror), want(patents))).toEqual([]);
    expect(full.stderr.split("\n").filter((l) => l.includes("new activity type 'patents'"))).toHaveLength(1);
    expect(full.stderr).toMatch(/^orcid-list: warning: new activity type 'patents'/m);

    upstream(patents.slice(1));
    const sync = await runPipeline(
      `echo ${first} | orcid-list --ids - -s -a | orcid-fetch --skip-unchanged "${mirror}" | orcid-place "${mirror}"`,
      { env: s3.env },
    );
    expect(sync.code, sync.stderr).toBe(0);
    expect(treeDifferences(readTree(mirror), want(patents.slice(1)))).toEqual([]);
  }, 300_000);
});
