import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { MirrorFolders, UnsafePathError } from "./mirror_folders.ts";

const root = () => mkdtempSync(join(tmpdir(), "mirror-folders-"));

describe("MirrorFolders", () => {
  test("ensure() makes the folders component by component", () => {
    const dir = root();
    const folders = new MirrorFolders(dir);
    expect(folders.ensure("activities/097/0000-0002-1825-0097/works")).toBe(
      join(dir, "activities/097/0000-0002-1825-0097/works"),
    );
    expect(existsSync(join(dir, "activities/097/0000-0002-1825-0097/works"))).toBe(true);
  });

  test("refuses a symlink or a file where a folder must be", () => {
    const dir = root();
    mkdirSync(join(dir, "summaries"));
    symlinkSync("/tmp", join(dir, "summaries", "097"));
    writeFileSync(join(dir, "activities"), "not a folder");
    const folders = new MirrorFolders(dir);
    expect(() => folders.ensure("summaries/097")).toThrow(UnsafePathError);
    expect(() => folders.existing("activities/097")).toThrow(UnsafePathError);
  });

  test("existing() gives undefined for a missing folder and creates nothing; dry runs create nothing", () => {
    const dir = root();
    expect(new MirrorFolders(dir).existing("summaries/097")).toBeUndefined();
    new MirrorFolders(dir, { dryRun: true }).ensure("summaries/097");
    expect(existsSync(join(dir, "summaries"))).toBe(false);
  });
});
