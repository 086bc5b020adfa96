import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { atomicWrite } from "./atomic_write.ts";
import { isOrphanedTemp, parseTempName, tempPathFor } from "./temp_files.ts";
import { scratchDir } from "../testdata/scratch_dir.ts";

const scratch = () => scratchDir("atomic-write-");

describe("atomicWrite()", () => {
  test("replaces the content and leaves no temp file", async () => {
    const dir = scratch();
    const path = join(dir, "a.xml");
    writeFileSync(path, "old");
    await atomicWrite(path, "new content", { fsync: true });
    expect(readFileSync(path, "utf8")).toBe("new content");
    expect(readdirSync(dir)).toEqual(["a.xml"]);
  });

  test("sets the modification time when asked", async () => {
    const path = join(scratch(), "a.xml");
    const mtime = new Date("2024-06-14T17:43:26.000Z");
    await atomicWrite(path, Buffer.from([1, 2, 3]), { mtime });
    expect(statSync(path).mtime.toISOString()).toBe(mtime.toISOString());
  });

  test("leaves what was there and no temp file when the rename fails", async () => {
    const dir = scratch();
    const path = join(dir, "a.xml");
    // A non-empty folder under the target name makes the final rename fail after the data was written.
    mkdirSync(path);
    writeFileSync(join(path, "keep"), "old");
    await expect(atomicWrite(path, "new")).rejects.toThrow();
    expect(readFileSync(join(path, "keep"), "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["a.xml"]);
  });

  test("fails without a trace when the folder does not exist", async () => {
    await expect(atomicWrite(join(scratch(), "missing", "a.xml"), "x")).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("temp names", () => {
  test("carry host and pid, and are read back", () => {
    const temp = tempPathFor("/m/summaries/097/0000-0002-1825-0097.xml");
    const name = temp.split("/").at(-1)!;
    expect(name.startsWith(".0000-0002-1825-0097.xml.orcid-sync-tmp.")).toBe(true);
    expect(parseTempName(name)?.pid).toBe(process.pid);
    expect(parseTempName("0000-0002-1825-0097.xml")).toBeUndefined();
  });

  test("a temp file of a dead process on this host is an orphan, a live one is not", () => {
    const mine = tempPathFor("/m/a.xml").split("/").at(-1)!;
    const dead = mine.replace(`.${process.pid}.`, ".999999999.");
    expect(isOrphanedTemp(dead)).toBe(true);
    const parent = mine.replace(`.${process.pid}.`, `.${process.ppid}.`);
    expect(isOrphanedTemp(parent)).toBe(false);
    expect(isOrphanedTemp(dead.replace(/tmp\.[^.]+\./, "tmp.otherhost."))).toBe(false);
  });

  test("a live process that started after the file was written is not its writer (a reused pid)", () => {
    const name = tempPathFor("/m/a.xml").split("/").at(-1)!.replace(`.${process.pid}.`, `.${process.ppid}.`);
    expect(isOrphanedTemp(name, Date.now())).toBe(false);
    expect(isOrphanedTemp(name, Date.parse("2001-01-01T00:00:00Z"))).toBe(true);
  });
});
