import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { describe, expect, test } from "vitest";
import { DamagedArchiveError, isTarHeader, newArchivePosition, NotAnArchiveError, tarBytes } from "./tar_bytes.ts";

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const archive = pack();
  for (const [name, body] of Object.entries(files)) archive.entry({ name, mtime: new Date(0) }, body);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function* chunked(bytes: Buffer, size = 700): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function read(bytes: Buffer): Promise<{ tar: Buffer; gzip: boolean; inputBytes: number }> {
  const position = newArchivePosition();
  const chunks: Buffer[] = [];
  for await (const chunk of tarBytes(chunked(bytes), position)) chunks.push(chunk);
  return { tar: Buffer.concat(chunks), gzip: position.gzip, inputBytes: position.inputBytes };
}

describe("tarBytes()", () => {
  test("passes a tar through and inflates a gzip-compressed one, told by the magic bytes", async () => {
    const tar = await tarOf({ "a/097/x.xml": "<x/>".repeat(500) });
    expect(await read(tar)).toEqual({ tar, gzip: false, inputBytes: tar.length });
    const gz = gzipSync(tar);
    expect(await read(gz)).toEqual({ tar, gzip: true, inputBytes: gz.length });
    // Independent gzip members, as orcid-pack writes them, read as one stream.
    const halves = Buffer.concat([gzipSync(tar.subarray(0, 1024)), gzipSync(tar.subarray(1024))]);
    expect((await read(halves)).tar.equals(tar)).toBe(true);
  });

  test("refuses what is not an archive, before passing anything on", async () => {
    await expect(read(Buffer.alloc(0))).rejects.toThrow(NotAnArchiveError);
    await expect(read(Buffer.from("root:x:0:0:root:/root:/bin/bash\n".repeat(40)))).rejects.toThrow(
      /neither a tar nor a gzip-compressed tar/,
    );
    await expect(read(gzipSync("just text\n".repeat(100)))).rejects.toThrow(
      /gzip-compressed but does not hold a tar archive/,
    );
    await expect(read(Buffer.from("tiny"))).rejects.toThrow(NotAnArchiveError);
  });

  test("reports a cut-short or corrupt archive as damaged", async () => {
    const tar = await tarOf({ "a/097/x.xml": "<x/>".repeat(500), "a/097/y.xml": "<y/>" });
    await expect(read(tar.subarray(0, 1536))).rejects.toThrow(DamagedArchiveError);
    const gz = gzipSync(tar);
    await expect(read(gz.subarray(0, gz.length - 10))).rejects.toThrow(/gzip data is cut short/);
    const corrupt = Buffer.from(gz);
    corrupt[gz.length - 6]! ^= 0xff;
    await expect(read(corrupt)).rejects.toThrow(/gzip data is corrupt/);
  });

  test("isTarHeader() checks a header's checksum and takes a zero block", async () => {
    const tar = await tarOf({ "a/097/x.xml": "<x/>" });
    expect(isTarHeader(tar.subarray(0, 512))).toBe(true);
    expect(isTarHeader(Buffer.alloc(512))).toBe(true);
    const changed = Buffer.from(tar.subarray(0, 512));
    changed[0] = 0x62;
    expect(isTarHeader(changed)).toBe(false);
  });
});
