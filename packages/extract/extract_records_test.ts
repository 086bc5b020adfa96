import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import type { PipelineRecord, UnknownRecord } from "@orcid-sync/core";
import { describe, expect, test } from "vitest";
import { type ExtractOutput, extractRecords } from "./extract_records.ts";
import { emptyStats } from "./summary_task.ts";
import { scratchDir } from "../core/testdata/scratch_dir.ts";

const testdata = new URL("./testdata/", import.meta.url).pathname;
/** orcid-place's record of the summary in testdata/summaries/221/ written. */
const PLACED_221: PipelineRecord = {
  type: "placed",
  action: "written",
  path: "summaries/221/0000-0003-2222-2221.xml",
  orcid: "0000-0003-2222-2221",
  bucket: "v3.0-summaries",
  key: "221/0000-0003-2222-2221.xml",
};
const summary = (key: string) => readFileSync(`${testdata}summaries/${key}`, "utf8");

function object(key: string, body = summary(key)): PipelineRecord {
  const orcid = key.split("/")[1]!.replace(/\.xml$/, "");
  return {
    type: "object",
    bucket: "v3.0-summaries",
    key,
    orcid,
    kind: "summary",
    body,
    etag: "e",
    size: Buffer.byteLength(body),
  };
}

async function* from(records: readonly (PipelineRecord | UnknownRecord)[]) {
  yield* records;
}

/** The output as lines of JSON, the way orcid-extract writes it. */
async function lines(outputs: AsyncIterable<ExtractOutput>): Promise<Record<string, unknown>[]> {
  const all = [];
  for await (const output of outputs) {
    if ("pass" in output) all.push(output.pass as Record<string, unknown>);
    else
      all.push(
        ...Buffer.from(output.bytes)
          .toString()
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line)),
      );
  }
  return all;
}

const activity: PipelineRecord = {
  type: "object",
  bucket: "v3.0-activities-c",
  key: "31X/0000-0002-7869-831X/works/0000-0002-7869-831X_works_9.xml",
  orcid: "0000-0002-7869-831X",
  kind: "works",
  body: "<work:work/>",
  etag: "e",
  size: 12,
};
const checkpoint: PipelineRecord = { type: "checkpoint", bucket: "v3.0-summaries", folder: "330" };
const unknown: UnknownRecord = { type: "annotation", note: [1] };

describe("extractRecords()", () => {
  test.each([1, 2])(
    "with %i thread(s): extracts summary objects in place, passes every other record through, in input order",
    async (threads) => {
      const input = [
        object("330/0000-0003-3333-3330.xml"),
        activity,
        checkpoint,
        object("097/0000-0002-1825-0097.xml"),
        unknown,
        object("44X/0000-0003-4444-444X.xml"),
      ];
      const stats = emptyStats();
      const out = await lines(extractRecords(from(input), { threads, links: true, stats }));
      const expectedLinks = readFileSync(`${testdata}expected/links.ndjson`, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(out).toEqual([
        expectedLinks.find((r) => r.orcid === "0000-0003-3333-3330"),
        activity,
        checkpoint,
        ...expectedLinks.filter((r) => r.orcid === "0000-0002-1825-0097"),
        unknown,
        expectedLinks.find((r) => r.orcid === "0000-0003-4444-444X"),
      ]);
      expect(stats).toMatchObject({ summaries: 3, person: 1, gone: 2, link: 13, errors: 0 });
    },
  );

  test("with 2 threads, keeps the order of many summaries interleaved with checkpoints", async () => {
    const input: PipelineRecord[] = [];
    for (let i = 0; i < 40; i++) {
      input.push(object(i % 2 ? "330/0000-0003-3333-3330.xml" : "097/0000-0002-1825-0097.xml"));
      input.push({ type: "checkpoint", bucket: "v3.0-summaries", folder: String(i) });
    }
    const out = await lines(extractRecords(from(input), { threads: 2 }));
    const folders = out.filter((r) => r.type === "checkpoint").map((r) => r.folder);
    expect(folders).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
    const openers = out.filter((r) => r.type === "person" || r.type === "gone").map((r) => r.type);
    expect(openers).toEqual(Array.from({ length: 40 }, (_, i) => (i % 2 ? "gone" : "person")));
    // Each checkpoint comes right after the records of the summary before it.
    const before = out.map((r, i) => (r.type === "checkpoint" ? out[i - 1]!.type : undefined)).filter(Boolean);
    expect(new Set(before)).toEqual(new Set(["work", "gone"]));
  });

  test("with a mirror, extracts the summaries placed records say were written, and passes the rest", async () => {
    const written = PLACED_221;
    const unchanged: PipelineRecord = {
      type: "placed",
      action: "unchanged",
      path: "summaries/330/0000-0003-3333-3330.xml",
      orcid: "0000-0003-3333-3330",
    };
    const activityPlaced: PipelineRecord = {
      type: "placed",
      action: "written",
      path: "activities/31X/0000-0002-7869-831X/works/0000-0002-7869-831X_works_9.xml",
      orcid: "0000-0002-7869-831X",
    };
    const out = await lines(extractRecords(from([written, unchanged, activityPlaced]), { mirror: testdata }));
    expect(out).toEqual([
      { type: "gone", orcid: "0000-0003-2222-2221", reason: "deprecated", redirect: "0000-0001-5109-3700", code: 9007 },
      unchanged,
      activityPlaced,
    ]);
    // Without a mirror, placed records are not consumed.
    expect(await lines(extractRecords(from([written])))).toEqual([written]);
    // With unchanged, the summaries left unchanged are extracted too.
    const again = await lines(extractRecords(from([unchanged, activityPlaced]), { mirror: testdata, unchanged: true }));
    expect(again).toEqual([
      { type: "gone", orcid: "0000-0003-3333-3330", reason: "locked", redirect: null, code: 9018 },
      activityPlaced,
    ]);
  });

  test("with a mirror, a summary under a symlinked <last3> folder is refused (UnsafePath), never read", async () => {
    // The mirror's summaries/221 is a symlink to a folder outside it that holds a readable summary.
    const root = scratchDir("extract-mirror-");
    const outside = join(root, "outside");
    mkdirSync(outside);
    copyFileSync(`${testdata}summaries/221/0000-0003-2222-2221.xml`, join(outside, "0000-0003-2222-2221.xml"));
    const mirror = join(root, "ORCID_public_data_files");
    mkdirSync(join(mirror, "summaries"), { recursive: true });
    symlinkSync(outside, join(mirror, "summaries", "221"));
    const placed = PLACED_221;
    const out = await lines(extractRecords(from([placed]), { mirror }));
    expect(out).toHaveLength(1);
    expect(out).toMatchObject([
      {
        type: "error",
        tool: "orcid-extract",
        op: "extract",
        code: "UnsafePath",
        message: "Refusing to use 'summaries/221' in the mirror: it is a symlink",
        bucket: "v3.0-summaries",
        key: "221/0000-0003-2222-2221.xml",
        orcid: "0000-0003-2222-2221",
      },
    ]);
  });

  test("turns a summary whose key is not a summary key into an error record, and one of another iD into another", async () => {
    const badKey = { ...object("097/0000-0002-1825-0097.xml"), key: "../0000-0002-1825-0097.xml" } as PipelineRecord;
    const wrongFolder = object("097/0000-0002-1825-0097.xml", summary("330/0000-0003-3333-3330.xml"));
    const placed: PipelineRecord = {
      type: "placed",
      action: "written",
      path: "summaries/x/../../etc/passwd",
      orcid: "0000-0002-1825-0097",
    };
    const mismatch = {
      ...object(
        "097/0000-0002-1825-0097.xml",
        summary("097/0000-0002-1825-0097.xml").replaceAll("0000-0002-1825-0097", "0000-0002-7869-831X"),
      ),
    };
    const out = await lines(extractRecords(from([badKey, placed, mismatch, wrongFolder]), { mirror: testdata }));
    expect(out.map((r) => [r.type, r.code])).toEqual([
      ["error", "InvalidKey"],
      ["error", "InvalidKey"],
      ["error", "InvalidSummary"],
      // An error document names no iD: it is the key's.
      ["gone", 9018],
    ]);
    expect(out[0]).toMatchObject({
      tool: "orcid-extract",
      op: "extract",
      key: "../0000-0002-1825-0097.xml",
      bucket: "v3.0-summaries",
    });
    expect(out[2]).toMatchObject({
      key: "097/0000-0002-1825-0097.xml",
      message: expect.stringContaining("0000-0002-7869-831X"),
    });
  });
});
