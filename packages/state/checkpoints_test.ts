import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PipelineRecord } from "@orcid-sync/core";
import { describe, expect, test } from "vitest";
import { recordCheckpoints } from "./record_checkpoints.ts";
import {
  CheckpointJournal,
  clearCheckpoints,
  parseReferenceToken,
  readCheckpoints,
  readReferenceTokens,
} from "@orcid-sync/core";

const journalPath = () => join(mkdtempSync(join(tmpdir(), "checkpoints-")), "journal.ndjson");

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

describe("CheckpointJournal and readCheckpoints()", () => {
  test("round-trip, and a torn last line counts for nothing", async () => {
    const path = journalPath();
    const journal = new CheckpointJournal(path);
    await journal.append([{ type: "checkpoint", bucket: "v3.0-summaries", folder: "097" }]);
    await journal.append([{ type: "checkpoint", bucket: "v3.0-activities-b", folder: "097" }]);
    await journal.close();
    appendFileSync(path, '{"type":"checkpoint","bucket":"v3.0-summaries","folder":"098"}'); // no newline: torn
    expect([...(await readCheckpoints(path))].sort()).toEqual(["v3.0-activities-b/097", "v3.0-summaries/097"]);
    await clearCheckpoints(path);
    expect((await readCheckpoints(path)).size).toBe(0);
  });
});

describe("recordCheckpoints()", () => {
  test("passes every record through and withholds folders whose work failed", async () => {
    const path = journalPath();
    const journal = new CheckpointJournal(path);
    const records: PipelineRecord[] = [
      {
        type: "placed",
        action: "written",
        path: "summaries/097/0000-0002-1825-0097.xml",
        orcid: "0000-0002-1825-0097",
      },
      { type: "checkpoint", bucket: "v3.0-summaries", folder: "097" },
      {
        type: "error",
        tool: "orcid-fetch",
        op: "get",
        message: "x",
        code: "Integrity",
        retryable: true,
        attempts: 5,
        bucket: "v3.0-summaries",
        key: "098/0000-0001-5000-0098.xml",
      },
      { type: "checkpoint", bucket: "v3.0-summaries", folder: "098" },
      {
        type: "error",
        tool: "orcid-place",
        op: "delete",
        message: "x",
        code: "EACCES",
        retryable: false,
        attempts: 1,
        orcid: "0000-0002-7869-831X",
      },
      { type: "checkpoint", bucket: "v3.0-activities-c", folder: "31X" },
      { type: "checkpoint", bucket: "v3.0-summaries", folder: "099" },
    ];
    const counts = { saved: 0, withheld: 0 };
    const out: unknown[] = [];
    for await (const record of recordCheckpoints(from(records), journal, counts)) out.push(record);
    await journal.close();
    expect(out).toEqual(records);
    expect(counts).toEqual({ saved: 2, withheld: 2 });
    expect([...(await readCheckpoints(path))].sort()).toEqual(["v3.0-summaries/097", "v3.0-summaries/099"]);
  });
});

describe("reference resume files", () => {
  test("are read from the reference's fixtures", async () => {
    const tokens = await readReferenceTokens(new URL("./testdata/", import.meta.url).pathname);
    expect(tokens.summaries).toEqual({ bucket: "v3.0-summaries", token: null });
    expect(tokens.activities).toEqual({
      bucket: "v3.0-activities-b",
      token: "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=",
    });
  });

  test("refuse text in another form", () => {
    expect(parseReferenceToken("hello")).toBeUndefined();
  });
});
