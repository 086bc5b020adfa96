import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { MirrorFolders, UnsafePathError } from "./mirror_folders.ts";
import { tempPathFor } from "./temp_files.ts";
import { scratchDir } from "../testdata/scratch_dir.ts";

const root = () => scratchDir("mirror-folders-");

describe("MirrorFolders", () => {
  test("ensure() makes the folders component by component", () => {
    const dir = root();
    const folders = new MirrorFolders(dir);
    expect(folders.ensure("activities/097/0000-0002-1825-0097/works")).toBe(
      join(dir, "activities/097/0000-0002-1825-0097/works"),
    );
    expect(existsSync(join(dir, "activities/097/0000-0002-1825-0097/works"))).toBe(true);
  });

  test("sole: a folder a look found missing is not looked for again until ensure() makes it", () => {
    const dir = root();
    const sole = new MirrorFolders(dir, { sole: true });
    const shared = new MirrorFolders(dir);
    expect(sole.existing("summaries/097")).toBeUndefined();
    expect(shared.existing("summaries/097")).toBeUndefined();
    // Made behind their backs: a Mirror that is not the only writer sees it, the sole one does not.
    mkdirSync(join(dir, "summaries/097"), { recursive: true });
    expect(shared.existing("summaries/097")).toBe(join(dir, "summaries/097"));
    expect(sole.existing("summaries/097")).toBeUndefined();
    expect(sole.ensure("summaries/097")).toBe(join(dir, "summaries/097"));
    expect(sole.existing("summaries/097")).toBe(join(dir, "summaries/097"));
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

  test("a look without sweeping checks a folder and leaves dead writers' temp files; the first ensure() there sweeps them", () => {
    const dir = root();
    mkdirSync(join(dir, "summaries/097"), { recursive: true });
    // A temp file of a writer that is gone (no process has that pid), in each folder of the path.
    const dead = (folder: string) => {
      const path = tempPathFor(join(dir, folder, "0000-0002-1825-0097.xml")).replace(`.${process.pid}.`, ".999999999.");
      writeFileSync(path, "partial");
      return path;
    };
    const temps = [dead("summaries"), dead("summaries/097")];
    const folders = new MirrorFolders(dir);
    expect(folders.existing("summaries/097", { sweep: false })).toBe(join(dir, "summaries/097"));
    expect(temps.map((t) => existsSync(t))).toEqual([true, true]);
    expect(folders.orphansRemoved).toBe(0);
    // The folder was checked by the look; filing there still sweeps it (and the folder above), once.
    expect(folders.ensure("summaries/097")).toBe(join(dir, "summaries/097"));
    expect(temps.map((t) => existsSync(t))).toEqual([false, false]);
    expect(folders.orphansRemoved).toBe(2);
    const later = dead("summaries/097");
    folders.ensure("summaries/097");
    expect(existsSync(later)).toBe(true);
  });

  test("a look with sweeping (the default) sweeps as it checks", () => {
    const dir = root();
    mkdirSync(join(dir, "summaries/097"), { recursive: true });
    const temp = tempPathFor(join(dir, "summaries/097/x.xml")).replace(`.${process.pid}.`, ".999999999.");
    writeFileSync(temp, "partial");
    new MirrorFolders(dir).existing("summaries/097");
    expect(existsSync(temp)).toBe(false);
  });

  test("sole: the listing of a folder this run made is kept from its writes, not read, until released", () => {
    const dir = root();
    const works = "activities/097/0000-0002-1825-0097/works";
    const kept = (relative: string) => relative.startsWith("activities/097/");
    const sole = new MirrorFolders(dir, { sole: true, listsKept: kept });
    const shared = new MirrorFolders(dir, { listsKept: kept });
    const path = sole.ensure(works);
    sole.added(works, "a.xml");
    writeFileSync(join(path, "a.xml"), "a");
    // Put there behind the only writer's back: its kept listing does not read the folder.
    writeFileSync(join(path, "b.xml"), "b");
    expect(sole.list(works, path)).toEqual(["a.xml"]);
    expect(sole.list("activities/097/0000-0002-1825-0097", join(dir, "activities/097/0000-0002-1825-0097"))).toEqual([
      "works",
    ]);
    sole.removed(works, "a.xml");
    expect(sole.list(works, path)).toEqual([]);
    sole.release("activities/097/0000-0002-1825-0097");
    expect(sole.list(works, path).sort()).toEqual(["a.xml", "b.xml"]);
    // Not the only writer: always read.
    expect(shared.list(works, shared.ensure(works)).sort()).toEqual(["a.xml", "b.xml"]);
  });

  test("remembers a bounded number of folders: those below <last3> are forgotten, then checked and swept again", () => {
    const dir = root();
    mkdirSync(join(dir, "activities/097"), { recursive: true });
    const folders = new MirrorFolders(dir);
    const works = "activities/097/0000-0002-1825-0097/works";
    folders.ensure(works);
    const dead = tempPathFor(join(dir, works, "x.xml")).replace(`.${process.pid}.`, ".999999999.");
    writeFileSync(dead, "partial");
    for (let i = 0; i < 25_000; i++) folders.existing(`activities/097/0000-0002-1825-${i}`);
    expect(folders.remembered).toBeLessThanOrEqual(10_001);
    expect(existsSync(dead)).toBe(true);
    // Forgotten, so checked again: the temp file left there since is swept.
    expect(folders.ensure(works)).toBe(join(dir, works));
    expect(existsSync(dead)).toBe(false);
  });
});
