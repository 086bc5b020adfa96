import { createHash } from "node:crypto";
import { mkdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidKeyError, type KeyRecord, Mirror, UnsafePathError } from "@orcid-sync/core";
import { describe, expect, test } from "vitest";
import { localState as localStateOf } from "./local_copy.ts";
import { scratchDir } from "../core/testdata/scratch_dir.ts";

const localState = (root: string, record: KeyRecord) => localStateOf(new Mirror(root, { sweep: false }), record);

const ID = "0000-0002-1825-0097";
const record = (extra: Partial<KeyRecord> = {}): KeyRecord => ({
  type: "key",
  bucket: "v3.0-summaries",
  key: `097/${ID}.xml`,
  orcid: ID,
  kind: "summary",
  ...extra,
});

function mirrorWith(body: string, mtime: Date): string {
  const mirror = scratchDir("local-copy-");
  mkdirSync(join(mirror, "summaries", "097"), { recursive: true });
  const path = join(mirror, "summaries", "097", `${ID}.xml`);
  writeFileSync(path, body);
  utimesSync(path, mtime, mtime);
  return mirror;
}

describe("localState()", () => {
  const mtime = new Date("2026-11-20T10:00:00.000Z");

  test("is the same object when size and LastModified (to the second) match", () => {
    const mirror = mirrorWith("<x/>", mtime);
    expect(localState(mirror, record({ size: 4, lastModified: "2026-11-20T10:00:00.400Z" }))).toEqual({ kind: "same" });
  });

  test("is different when the size or the time differs", () => {
    const mirror = mirrorWith("<x/>", mtime);
    expect(localState(mirror, record({ size: 5, lastModified: mtime.toISOString() }))).toEqual({ kind: "absent" });
    expect(localState(mirror, record({ size: 4, lastModified: "2026-11-20T10:00:01.000Z" }))).toEqual({
      kind: "absent",
    });
  });

  test("is the same object when the size matches and the MD5 is the single-part ETag, and takes the LastModified as mtime", () => {
    // A mirror seeded from an archive: the file's mtime is the archive's, its bytes the object's.
    const mirror = mirrorWith("<x/>", new Date("2025-10-01T00:00:00.000Z"));
    const etag = createHash("md5").update("<x/>").digest("hex");
    expect(localState(mirror, record({ size: 4, etag, lastModified: "2026-11-20T10:00:00.400Z" }))).toEqual({
      kind: "same",
    });
    expect(statSync(join(mirror, "summaries", "097", `${ID}.xml`)).mtime.toISOString()).toBe(
      "2026-11-20T10:00:00.400Z",
    );
  });

  test("is different when the mtime differs and the MD5 is not the ETag, or the ETag is a multipart one", () => {
    const old = new Date("2025-10-01T00:00:00.000Z");
    const mirror = mirrorWith("<x/>", old);
    const lastModified = "2026-11-20T10:00:00.000Z";
    expect(
      localState(mirror, record({ size: 4, etag: createHash("md5").update("<y/>").digest("hex"), lastModified })),
    ).toEqual({ kind: "absent" });
    expect(
      localState(
        mirror,
        record({ size: 4, etag: `${createHash("md5").update("<x/>").digest("hex")}-2`, lastModified }),
      ),
    ).toEqual({ kind: "absent" });
    expect(localState(mirror, record({ size: 4, lastModified }))).toEqual({ kind: "absent" });
    expect(statSync(join(mirror, "summaries", "097", `${ID}.xml`)).mtime).toEqual(old);
  });

  test("without listing data, gives the file's MD5 for a conditional GET", () => {
    const mirror = mirrorWith("<x/>", mtime);
    expect(localState(mirror, record())).toEqual({ kind: "md5", md5: createHash("md5").update("<x/>").digest("hex") });
  });

  test("is absent when there is no file", () => {
    expect(localState(scratchDir("local-copy-"), record())).toEqual({ kind: "absent" });
  });

  test("refuses a key that leads out of the mirror: the file there is not read", () => {
    const base = scratchDir("local-copy-");
    const mirror = join(base, "mirror");
    mkdirSync(mirror);
    writeFileSync(join(base, "secret.xml"), "not the mirror's");
    for (const key of ["../../secret.xml", "097/../../secret.xml", "../secret.xml"]) {
      expect(() => localState(mirror, record({ key })), key).toThrow(InvalidKeyError);
    }
  });

  test("refuses a folder of the mirror that is a symlink: the file behind it is neither read nor touched", () => {
    const base = scratchDir("local-copy-");
    const outside = join(base, "outside");
    mkdirSync(outside);
    const seeded = new Date("2025-10-01T00:00:00.000Z");
    writeFileSync(join(outside, `${ID}.xml`), "<x/>");
    utimesSync(join(outside, `${ID}.xml`), seeded, seeded);
    const mirror = join(base, "mirror");
    mkdirSync(join(mirror, "summaries"), { recursive: true });
    symlinkSync(outside, join(mirror, "summaries", "097"));
    const etag = createHash("md5").update("<x/>").digest("hex");
    expect(() => localState(mirror, record({ size: 4, etag, lastModified: "2026-11-20T10:00:00.000Z" }))).toThrow(
      UnsafePathError,
    );
    expect(() => localState(mirror, record())).toThrow(UnsafePathError);
    expect(statSync(join(outside, `${ID}.xml`)).mtime).toEqual(seeded);
  });
});
