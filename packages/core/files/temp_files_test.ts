import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { removeLiveTempFiles, tempPathFor, trackTempFile, untrackTempFile } from "./temp_files.ts";

describe("removeLiveTempFiles", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "temp-files-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("removes a tracked temp file", () => {
    const temp = tempPathFor(join(dir, "file.xml"));
    writeFileSync(temp, "half written");
    trackTempFile(temp);
    expect(removeLiveTempFiles()).toBe(1);
    expect(existsSync(temp)).toBe(false);
  });

  it("removes a tracked temp folder with what it holds (a Parquet export cut short)", () => {
    const temp = tempPathFor(join(dir, "links"));
    mkdirSync(join(temp, "doi_prefix=10.5438"), { recursive: true });
    writeFileSync(join(temp, "doi_prefix=10.5438", "data_0.parquet"), "PAR1");
    trackTempFile(temp);
    expect(removeLiveTempFiles()).toBe(1);
    expect(existsSync(temp)).toBe(false);
  });

  it("counts only what was there, and forgets what it handled", () => {
    const gone = tempPathFor(join(dir, "never-written.xml"));
    const untracked = tempPathFor(join(dir, "renamed.xml"));
    writeFileSync(untracked, "done");
    trackTempFile(gone);
    trackTempFile(untracked);
    untrackTempFile(untracked);
    expect(removeLiveTempFiles()).toBe(0);
    expect(existsSync(untracked)).toBe(true);
    expect(removeLiveTempFiles()).toBe(0);
  });
});
