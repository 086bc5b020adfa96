import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  CheckpointJournal,
  clearCheckpoints,
  parseReferenceToken,
  readCheckpoints,
  readReferenceTokens,
} from "@orcid-sync/core";
import { scratchDir } from "../core/testdata/scratch_dir.ts";

const journalPath = () => join(scratchDir("checkpoints-"), "journal.ndjson");

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

describe("CheckpointJournal batching", () => {
  test("appends made while a sync is under way all reach the file; a failed write fails later appends and close()", async () => {
    const path = journalPath();
    const journal = new CheckpointJournal(path);
    const folders = Array.from({ length: 50 }, (_, i) => String(i).padStart(3, "0"));
    const appends = folders.map((folder) => journal.append([{ type: "checkpoint", bucket: "v3.0-summaries", folder }]));
    await Promise.all(appends);
    await journal.close();
    expect((await readCheckpoints(path)).size).toBe(50);

    const broken = new CheckpointJournal(join(path, "not-a-folder", "journal.ndjson"));
    const first = broken.append([{ type: "checkpoint", bucket: "v3.0-summaries", folder: "000" }]);
    const second = broken.append([{ type: "checkpoint", bucket: "v3.0-summaries", folder: "001" }]);
    await expect(first).rejects.toThrow();
    await expect(second).rejects.toThrow();
    await expect(broken.close()).rejects.toThrow();
  });
});

describe("CheckpointJournal sync interval", () => {
  test("appends within the interval wait for one later sync; close() syncs them at once", async () => {
    const path = journalPath();
    const journal = new CheckpointJournal(path, { syncIntervalMs: 60_000 });
    await journal.append([{ type: "checkpoint", bucket: "v3.0-summaries", folder: "000" }]);
    const later = journal.append([{ type: "checkpoint", bucket: "v3.0-summaries", folder: "001" }]);
    journal.append([{ type: "checkpoint", bucket: "v3.0-summaries", folder: "002" }]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([...(await readCheckpoints(path))]).toEqual(["v3.0-summaries/000"]);
    // Not the 60 s interval: the test's own timeout would end it first.
    await journal.close();
    await later;
    expect([...(await readCheckpoints(path))].sort()).toEqual([
      "v3.0-summaries/000",
      "v3.0-summaries/001",
      "v3.0-summaries/002",
    ]);
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
