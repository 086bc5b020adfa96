import { createHash } from "node:crypto";
import type { ObjectRef } from "@orcid-sync/core";
import { describe, expect, test } from "vitest";
import { encodeObjectLine, objectRecord } from "./object_line.ts";

const ID = "0000-0002-1825-0097";
const ref: ObjectRef = { bucket: "v3.0-summaries", key: `097/${ID}.xml`, orcid: ID, kind: "summary" };
const mtime = new Date("2025-10-01T12:34:56.000Z");

/** What orcid-fetch emits for the same bytes (fetch_object.ts), written out here independently. */
function fetchLine(bytes: Buffer): string {
  const utf8 = Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes);
  return `${JSON.stringify({
    type: "object",
    ...ref,
    body: bytes.toString(utf8 ? "utf8" : "base64"),
    ...(utf8 ? {} : { encoding: "base64" }),
    etag: createHash("md5").update(bytes).digest("hex"),
    size: bytes.length,
    lastModified: mtime.toISOString(),
  })}\n`;
}

/** At least `size` bytes of XML-ish UTF-8 text with quotes, backslashes, controls, and 2-, 3- and 4-byte characters. */
function text(size: number): Buffer {
  const pieces = [
    '<a x="1">',
    "\\",
    String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i), 0x7f),
    "é",
    "€",
    "😀",
    "Ωmega",
    "plain text ",
    "\u2028",
  ];
  // A block of an odd length, with every control character.
  const block = Buffer.from(Array.from({ length: 301 }, (_, i) => pieces[(i * 7) % pieces.length]!).join(""));
  return Buffer.concat(Array.from({ length: Math.ceil(size / block.length) }, () => block));
}

describe("objectRecord() and encodeObjectLine()", () => {
  test("give orcid-fetch's record: body as text, etag the MD5, size, lastModified the mtime", () => {
    const bytes = Buffer.from('<x a="b">é</x>\n');
    expect(objectRecord(ref, bytes, mtime)).toEqual({
      type: "object",
      ...ref,
      body: '<x a="b">é</x>\n',
      etag: createHash("md5").update(bytes).digest("hex"),
      size: bytes.length,
      lastModified: "2025-10-01T12:34:56.000Z",
    });
    expect(encodeObjectLine(ref, bytes, mtime).toString()).toBe(fetchLine(bytes));
  });

  test("write base64 for bytes that are not valid UTF-8", () => {
    const bytes = Buffer.from([0x3c, 0xff, 0xfe, 0x00, 0x3e]);
    const record = objectRecord(ref, bytes, mtime);
    expect(record.encoding).toBe("base64");
    expect(Buffer.from(record.body, "base64").equals(bytes)).toBe(true);
    expect(encodeObjectLine(ref, bytes, mtime).toString()).toBe(fetchLine(bytes));
  });

  test("encode a body of several MiB, every control character, quote and multi-byte character included, into the same line", () => {
    for (const size of [1024 * 1024 + 1, 3 * 1024 * 1024 + 5]) {
      const bytes = text(size);
      const line = encodeObjectLine(ref, bytes, mtime);
      expect(line.toString() === fetchLine(bytes), `${size} bytes`).toBe(true);
      expect(Buffer.from((JSON.parse(line.toString()) as { body: string }).body).equals(bytes)).toBe(true);
    }
  });

  test("keep a byte-order mark and encode a large binary body as base64", () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text(2 * 1024 * 1024)]);
    expect(encodeObjectLine(ref, bom, mtime).toString() === fetchLine(bom)).toBe(true);
    const binary = Buffer.alloc(2 * 1024 * 1024 + 2, 0xff);
    binary.write("<x>", 0);
    const line = encodeObjectLine(ref, binary, mtime).toString();
    expect(line === fetchLine(binary)).toBe(true);
    expect(Buffer.from((JSON.parse(line) as { body: string }).body, "base64").equals(binary)).toBe(true);
  });
});
