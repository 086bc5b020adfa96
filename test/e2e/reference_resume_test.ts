// Switching from the reference download.py mid-download: its continuation files say where its
// listing stopped, but it logs and ignores the files it failed, so a folder it "finished" can lack
// files. download.sh -r lists those folders too and fetches only what is absent or different.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createS3Access, parseListPage } from "@orcid-sync/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectedMirror } from "../generator/dataset_files.ts";
import {
  expectedTree,
  readTree,
  ROOT,
  runCommand,
  scratch,
  type SeededS3,
  startSeededS3,
  treeDifferences,
} from "./helpers.ts";

let s3: SeededS3;
const work = scratch("orcid-sync-reference-resume-");

beforeAll(async () => {
  s3 = await startSeededS3({ records: 80, seed: 71, now: new Date() }, { golden: false });
});
afterAll(async () => {
  await s3?.close();
  work.remove();
});

/** The first page of a bucket (30 keys) and the token of the next, as download.py saves it. */
async function firstPage(bucket: string): Promise<{ keys: string[]; token: string }> {
  const access = createS3Access({ env: s3.env, connections: 1 });
  try {
    const response = await access.request(bucket, "", { query: { "list-type": "2", "max-keys": "30" } });
    const page = parseListPage(await response.body.text());
    expect(page.next).toBeDefined();
    return { keys: page.objects.map((o) => o.key), token: page.next! };
  } finally {
    await access.close();
  }
}

describe("download.sh -r after the reference's download.py", () => {
  test("lists the folders the reference finished and fetches the files it lacks there, and only those", async () => {
    const cwd = join(work.dir, "switch");
    mkdirSync(cwd);
    const download = await runCommand(join(ROOT, "scripts", "download.sh"), ["-s", "-a", "-max", "8"], {
      cwd,
      env: s3.env,
    });
    expect(download.code, download.stderr).toBe(0);
    const mirror = join(cwd, "ORCID_public_data_files");
    rmSync(join(cwd, "last_ran.config"));

    // The reference stopped after the first page of the summaries and of v3.0-activities-b (so it
    // "finished" every folder of v3.0-activities-a) ...
    const summaries = await firstPage("v3.0-summaries");
    const activities = await firstPage("v3.0-activities-b");
    writeFileSync(
      join(cwd, "summary_next_continuation_token.config"),
      `bucket_name: v3.0-summaries\ncontinuation_token: ${summaries.token}\n`,
    );
    writeFileSync(
      join(cwd, "activities_next_continuation_token.config"),
      `bucket_name: v3.0-activities-b\ncontinuation_token: ${activities.token}\n`,
    );
    // ... but failed, in folders it had finished, a summary, an activity of -a and one of -b, and
    // left a summary that differs.
    const finishedA = (await firstPage("v3.0-activities-a")).keys[0]!;
    rmSync(join(mirror, "summaries", summaries.keys[0]!));
    rmSync(join(mirror, "activities", finishedA));
    rmSync(join(mirror, "activities", activities.keys[0]!));
    writeFileSync(join(mirror, "summaries", summaries.keys[1]!), "<partial");

    const resume = await runCommand(join(ROOT, "scripts", "download.sh"), ["-s", "-a", "-r", "-max", "8"], {
      cwd,
      env: s3.env,
    });
    expect(resume.code, resume.stderr).toBe(0);
    expect(treeDifferences(readTree(mirror), expectedTree(expectedMirror(s3.dataset, { golden: false })))).toEqual([]);
    expect(resume.stderr).toContain("found the reference's continuation files");
    expect(Number(/orcid-fetch: (\d+) objects/.exec(resume.stderr)?.[1])).toBe(4);
    expect(readFileSync(join(cwd, "last_ran.config"), "utf8")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  }, 300_000);
});
