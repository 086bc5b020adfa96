import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { mirrorFiles } from "./mirror_files.ts";
import { scratchDir } from "../testdata/scratch_dir.ts";

describe("mirrorFiles()", () => {
  test("walks depth first in byte order, leaving out temp files and symlinks", () => {
    const root = scratchDir("mirror-files-");
    for (const folder of ["b", "a", "B"]) mkdirSync(join(root, folder));
    writeFileSync(join(root, "a", "2.xml"), "2");
    writeFileSync(join(root, "a", "10.xml"), "10");
    writeFileSync(join(root, "B", "x.xml"), "x");
    writeFileSync(join(root, "b", ".y.xml.orcid-sync-tmp.host.1.0"), "partial");
    symlinkSync(join(root, "a", "2.xml"), join(root, "b", "link.xml"));
    expect([...mirrorFiles(root)].map((f) => `${f.name}=${f.body.toString()}`)).toEqual([
      "B/x.xml=x",
      "a/10.xml=10",
      "a/2.xml=2",
    ]);
  });

  test("gives each file its mtime truncated to the millisecond, never carried into the next second", () => {
    const root = scratchDir("mirror-files-");
    writeFileSync(join(root, "f.xml"), "f");
    utimesSync(join(root, "f.xml"), 1764670000.9996, 1764670000.9996);
    expect([...mirrorFiles(root)][0]?.mtime.toISOString()).toBe("2025-12-02T10:06:40.999Z");
  });
});
