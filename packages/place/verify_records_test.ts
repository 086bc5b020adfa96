import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Mirror, type PipelineRecord } from "@orcid-sync/core";
import { describe, expect, test } from "vitest";
import { newVerifyStats, verifyRecords } from "./verify_records.ts";
import { scratchDir } from "../core/testdata/scratch_dir.ts";

const ID = "0000-0002-1825-0097";
const OTHER = "0000-0001-5109-3700"; // folder 700
const SUMMARIES = "v3.0-summaries";
const ACTIVITIES = "v3.0-activities-7";
const WHEN = "2026-11-20T10:00:00.000Z";
const md5 = (text: string) => createHash("md5").update(text).digest("hex");

/** A mirror of one summary and two works of ID, every file with WHEN as its mtime. */
function seededMirror(): string {
  const root = scratchDir("verify-");
  const files = {
    [`summaries/097/${ID}.xml`]: "summary",
    [`activities/097/${ID}/works/${ID}_works_1.xml`]: "work 1",
    [`activities/097/${ID}/works/${ID}_works_2.xml`]: "work 2",
  };
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), body);
    utimesSync(join(root, path), new Date(WHEN), new Date(WHEN));
  }
  return root;
}

const summaryKey = (body: string, lastModified = WHEN) =>
  ({
    type: "key",
    bucket: SUMMARIES,
    key: `097/${ID}.xml`,
    orcid: ID,
    kind: "summary",
    size: body.length,
    etag: md5(body),
    lastModified,
  }) as const;

async function verify(root: string, records: PipelineRecord[]) {
  const stats = newVerifyStats();
  const out = [];
  for await (const record of verifyRecords(
    (async function* () {
      yield* records;
    })(),
    new Mirror(root, { dryRun: true }),
    SUMMARIES,
    stats,
  )) {
    out.push(record);
  }
  return {
    mismatches: out.filter((r) => r.type === "mismatch"),
    passed: out.filter((r) => r.type !== "mismatch"),
    stats,
  };
}

describe("verifyRecords()", () => {
  test("a mirror that matches its listing: no mismatch, every record passed on", async () => {
    const root = seededMirror();
    const records: PipelineRecord[] = [
      summaryKey("summary"),
      {
        type: "manifest",
        bucket: ACTIVITIES,
        orcid: ID,
        keys: [`097/${ID}/works/${ID}_works_1.xml`, `097/${ID}/works/${ID}_works_2.xml`],
      },
      { type: "checkpoint", bucket: SUMMARIES, folder: "097" },
    ];
    const { mismatches, passed, stats } = await verify(root, records);
    expect(mismatches).toEqual([]);
    expect(passed).toEqual(records);
    expect(stats).toEqual({ checked: 1, missing: 0, changed: 0, extra: 0 });
  });

  test("missing, changed and extra files are each named once; nothing in the mirror changes", async () => {
    const root = seededMirror();
    const before = statSync(join(root, `summaries/097/${ID}.xml`)).mtimeMs;
    const { mismatches, stats } = await verify(root, [
      // Another body of the same size and another time: changed.
      summaryKey("SUMMARY", "2026-11-21T10:00:00.000Z"),
      { type: "key", bucket: SUMMARIES, key: `700/${OTHER}.xml`, orcid: OTHER, kind: "summary", size: 3 },
      // The manifest no longer lists work 2: extra.
      { type: "manifest", bucket: ACTIVITIES, orcid: ID, keys: [`097/${ID}/works/${ID}_works_1.xml`] },
      { type: "checkpoint", bucket: SUMMARIES, folder: "097" },
    ]);
    expect(mismatches.map((m) => [(m as { problem: string }).problem, (m as { path: string }).path])).toEqual([
      ["changed", `summaries/097/${ID}.xml`],
      ["missing", `summaries/700/${OTHER}.xml`],
      ["extra", `activities/097/${ID}/works/${ID}_works_2.xml`],
    ]);
    expect(stats).toEqual({ checked: 2, missing: 1, changed: 1, extra: 1 });
    expect(statSync(join(root, `summaries/097/${ID}.xml`)).mtimeMs).toBe(before);
    expect(readdirSync(join(root, `activities/097/${ID}/works`)).sort()).toHaveLength(2);
  });

  test("a summary the folder's listing did not name is extra once the folder's checkpoint arrives", async () => {
    const root = seededMirror();
    const { mismatches } = await verify(root, [{ type: "checkpoint", bucket: SUMMARIES, folder: "097" }]);
    expect(mismatches).toEqual([{ type: "mismatch", problem: "extra", path: `summaries/097/${ID}.xml`, orcid: ID }]);
  });

  test("a file whose bytes match a single-part ETag is current whatever its mtime", async () => {
    const root = seededMirror();
    const { mismatches } = await verify(root, [summaryKey("summary", "2026-11-22T10:00:00.000Z")]);
    expect(mismatches).toEqual([]);
  });
});
