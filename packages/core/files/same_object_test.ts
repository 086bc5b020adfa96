import { createHash } from "node:crypto";
import { statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { compareFile, isSinglePartEtag } from "./same_object.ts";
import { scratchDir } from "../testdata/scratch_dir.ts";

const md5 = (text: string) => createHash("md5").update(text).digest("hex");
const SEEDED = new Date("2025-10-01T00:00:00.000Z");
const LAST_MODIFIED = "2026-11-20T10:00:00.400Z";

function fileWith(body: string, mtime: Date): string {
  const path = join(scratchDir("same-object-"), "f.xml");
  writeFileSync(path, body);
  utimesSync(path, mtime, mtime);
  return path;
}

describe("compareFile()", () => {
  test("a symlink is absent, even to a file that matches: nothing outside the mirror is compared, read or touched", () => {
    const outside = fileWith("<x/>", SEEDED);
    const link = join(scratchDir("same-object-"), "f.xml");
    symlinkSync(outside, link);
    for (const listed of [
      { size: 4, lastModified: SEEDED.toISOString() },
      { size: 4, lastModified: LAST_MODIFIED, etag: md5("<x/>") },
    ])
      expect(compareFile(link, listed, { touch: true })).toEqual({ kind: "absent" });
    expect(statSync(outside).mtime).toEqual(SEEDED);
  });

  test("is the same object when the size and LastModified (to the second) match", () => {
    const path = fileWith("<x/>", new Date("2026-11-20T10:00:00.000Z"));
    expect(compareFile(path, { size: 4, lastModified: LAST_MODIFIED, etag: md5("<y/>") })).toEqual({ kind: "same" });
  });

  test("is changed when the size differs, whatever the time and MD5", () => {
    const path = fileWith("<x/>", new Date(LAST_MODIFIED));
    expect(compareFile(path, { size: 5, lastModified: LAST_MODIFIED, etag: md5("<x/>") })).toEqual({
      kind: "changed",
      detail: "size 4, listed 5",
    });
  });

  test("on an MD5 match with another mtime is the same, and sets the mtime only when asked to touch (else says it is stale)", () => {
    const path = fileWith("<x/>", SEEDED);
    const listed = { size: 4, lastModified: LAST_MODIFIED, etag: md5("<x/>") };
    expect(compareFile(path, listed)).toEqual({ kind: "same", staleMtime: true });
    expect(statSync(path).mtime).toEqual(SEEDED);
    expect(compareFile(path, listed, { touch: true })).toEqual({ kind: "same" });
    expect(statSync(path).mtime.toISOString()).toBe(LAST_MODIFIED);
    expect(compareFile(path, listed)).toEqual({ kind: "same" });
  });

  test("is changed when the mtime differs and the MD5 is not the ETag, or the ETag is multipart", () => {
    const path = fileWith("<x/>", SEEDED);
    expect(compareFile(path, { size: 4, lastModified: LAST_MODIFIED, etag: md5("<y/>") }, { touch: true }).kind).toBe(
      "changed",
    );
    expect(
      compareFile(path, { size: 4, lastModified: LAST_MODIFIED, etag: `${md5("<x/>")}-2` }, { touch: true }).kind,
    ).toBe("changed");
    expect(compareFile(path, { size: 4, lastModified: LAST_MODIFIED }, { touch: true }).kind).toBe("changed");
    expect(statSync(path).mtime).toEqual(SEEDED);
  });

  test("decides by the MD5 alone when there is no LastModified", () => {
    const path = fileWith("<x/>", SEEDED);
    expect(compareFile(path, { size: 4, etag: md5("<x/>") }, { touch: true })).toEqual({ kind: "same" });
    expect(statSync(path).mtime).toEqual(SEEDED);
    expect(compareFile(path, { size: 4, etag: md5("<y/>") }).kind).toBe("changed");
  });

  test("cannot tell without a size, or with neither LastModified nor a single-part ETag", () => {
    const path = fileWith("<x/>", SEEDED);
    expect(compareFile(path, {})).toEqual({ kind: "unknown" });
    expect(compareFile(path, { size: 4, etag: "abc-3" })).toEqual({ kind: "unknown" });
  });

  test("is absent when there is no file, or a folder where the file should be", () => {
    const dir = scratchDir("same-object-");
    expect(compareFile(join(dir, "none.xml"), { size: 1 })).toEqual({ kind: "absent" });
    expect(compareFile(dir, { size: 1 })).toEqual({ kind: "absent" });
  });
});

describe("isSinglePartEtag()", () => {
  test("accepts an MD5 and refuses a multipart ETag", () => {
    expect(isSinglePartEtag(md5("x"))).toBe(true);
    expect(isSinglePartEtag(`${md5("x")}-12`)).toBe(false);
    expect(isSinglePartEtag(undefined)).toBe(false);
  });
});
