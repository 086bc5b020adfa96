import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CheckpointJournal, readCheckpoints } from "../files/mod.ts";
import { recordCheckpoints } from "./record_checkpoints.ts";
import type { PipelineRecord } from "./records.ts";
import { scratchDir } from "../testdata/scratch_dir.ts";

const journalPath = () => join(scratchDir("checkpoints-"), "journal.ndjson");

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

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
