import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { InvalidKeyError } from "../orcid/mod.ts";
import { keyPath, Mirror } from "./mirror.ts";
import { UnsafePathError } from "./mirror_folders.ts";
import { scratchDir } from "../testdata/scratch_dir.ts";

const ID = "0000-0002-1825-0097";
const OTHER = "0000-0001-5109-3700";
const WORKS = `activities/097/${ID}/works`;
const work = (n: number) => `${WORKS}/${ID}_works_${n}.xml`;

/** A mirror holding works 1..n of ID, each "old n". */
function mirrorWithWorks(n: number): string {
  const root = scratchDir("mirror-");
  mkdirSync(join(root, WORKS), { recursive: true });
  for (let i = 1; i <= n; i++) writeFileSync(join(root, work(i)), `old ${i}`);
  return root;
}

describe("keyPath()", () => {
  test("gives the mirror path of a key of the record's iD and kind", () => {
    expect(keyPath({ key: `097/${ID}.xml`, orcid: ID, kind: "summary" })).toBe(`summaries/097/${ID}.xml`);
    expect(keyPath({ key: `097/${ID}/works/${ID}_works_1.xml`, orcid: ID, kind: "works" })).toBe(work(1));
  });

  test("refuses a key that leaves the mirror, or holds another iD or kind", () => {
    for (const record of [
      { key: "../../etc/passwd", orcid: ID, kind: "summary" as const },
      { key: `097/../../${ID}.xml`, orcid: ID, kind: "summary" as const },
      { key: `700/${OTHER}.xml`, orcid: ID, kind: "summary" as const },
      { key: `097/${ID}.xml`, orcid: ID, kind: "works" as const },
    ]) {
      expect(() => keyPath(record), record.key).toThrow(InvalidKeyError);
    }
  });
});

describe("Mirror", () => {
  test("write() makes the folders and writes atomically with the mtime; compare() then finds the same object", async () => {
    const root = scratchDir("mirror-");
    const mirror = new Mirror(root);
    const mtime = new Date("2026-11-20T10:00:00.000Z");
    await mirror.write(work(1), Buffer.from("new"), { mtime });
    expect(readFileSync(join(root, work(1)), "utf8")).toBe("new");
    expect(statSync(join(root, work(1))).mtime).toEqual(mtime);
    expect(mirror.compare(work(1), { size: 3, lastModified: mtime.toISOString() })).toEqual({ kind: "same" });
  });

  test("prune() deletes the iD's well-formed files not kept, then its emptied folders; finish() the <last3> folder", () => {
    const root = mirrorWithWorks(2);
    writeFileSync(join(root, WORKS, "notes.txt"), "not a key");
    const mirror = new Mirror(root);
    expect(mirror.prune(ID, new Set([work(2)]))).toEqual([work(1)]);
    expect(existsSync(join(root, work(2)))).toBe(true);
    expect(existsSync(join(root, WORKS, "notes.txt"))).toBe(true);

    const emptied = mirrorWithWorks(2);
    const second = new Mirror(emptied);
    expect(second.prune(ID, new Set()).sort()).toEqual([work(1), work(2)]);
    expect(existsSync(join(emptied, "activities/097", ID))).toBe(false);
    expect(existsSync(join(emptied, "activities/097"))).toBe(true);
    second.finish();
    expect(existsSync(join(emptied, "activities/097"))).toBe(false);
  });

  test("prune() refuses, before deleting anything, to pass maxDelete", () => {
    const root = mirrorWithWorks(3);
    expect(() => new Mirror(root, { maxDelete: 2 }).prune(ID, new Set())).toThrow(/--max-delete/);
    expect(existsSync(join(root, work(1)))).toBe(true);
  });

  test("a dry run changes nothing but answers as the real run would", async () => {
    const root = mirrorWithWorks(2);
    const mirror = new Mirror(root, { dryRun: true });
    expect(mirror.prune(ID, new Set([work(2)]))).toEqual([work(1)]);
    expect(existsSync(join(root, work(1)))).toBe(true);
    expect(mirror.compare(work(1), { size: 5 })).toEqual({ kind: "absent" });
    await mirror.write(work(9), Buffer.from("new"));
    expect(existsSync(join(root, work(9)))).toBe(false);
    expect(mirror.prune(ID, new Set()).sort()).toEqual([work(2), work(9)]);
    mirror.finish();
    expect(existsSync(join(root, WORKS))).toBe(true);
  });

  test("refuses a symlinked folder: nothing outside the mirror is read or written", async () => {
    const root = scratchDir("mirror-");
    const outside = scratchDir("outside-");
    writeFileSync(join(outside, `${ID}.xml`), "<x/>");
    mkdirSync(join(root, "summaries"));
    symlinkSync(outside, join(root, "summaries", "097"));
    const mirror = new Mirror(root);
    const path = `summaries/097/${ID}.xml`;
    expect(() => mirror.compare(path, { size: 4 })).toThrow(UnsafePathError);
    await expect(mirror.write(path, Buffer.from("<y/>"))).rejects.toThrow(UnsafePathError);
    expect(readFileSync(join(outside, `${ID}.xml`), "utf8")).toBe("<x/>");
  });

  test("activityFiles() leaves temp files out; summaryFiles() lists a summaries folder", () => {
    const root = mirrorWithWorks(1);
    writeFileSync(join(root, WORKS, `.${ID}_works_2.xml.orcid-sync-tmp.host.1.0`), "partial");
    mkdirSync(join(root, "summaries", "097"), { recursive: true });
    writeFileSync(join(root, "summaries", "097", `${ID}.xml`), "<x/>");
    const mirror = new Mirror(root, { dryRun: true });
    expect(mirror.activityFiles(ID)).toEqual([work(1)]);
    expect(mirror.summaryFiles("097")).toEqual([`${ID}.xml`]);
    expect(mirror.summaryFiles("700")).toEqual([]);
  });

  test("sole: prune() after this run's writes deletes what the manifest leaves out, in folders it made or found", async () => {
    const root = mirrorWithWorks(1);
    const mirror = new Mirror(root, { sole: true });
    const other = `activities/700/${OTHER}/works/${OTHER}_works_1.xml`;
    const otherEducation = `activities/700/${OTHER}/educations/${OTHER}_educations_2.xml`;
    for (const path of [work(2), work(3), other, otherEducation]) await mirror.write(path, Buffer.from("new"));
    expect(mirror.prune(ID, new Set([work(2)])).sort()).toEqual([work(1), work(3)]);
    expect(mirror.prune(OTHER, new Set([other]))).toEqual([otherEducation]);
    expect(existsSync(join(root, otherEducation))).toBe(false);
    expect(existsSync(join(root, `activities/700/${OTHER}/educations`))).toBe(false);
    // Written again after its prune: found by the next one.
    await mirror.write(otherEducation, Buffer.from("again"));
    expect(mirror.prune(OTHER, new Set())).toEqual(expect.arrayContaining([other, otherEducation]));
    expect(existsSync(join(root, `activities/700/${OTHER}`))).toBe(false);
  });
});
