/**
 * A member as the `object` record orcid-fetch emits — the same fields, in the same order, the body
 * as UTF-8 text or base64 when it is not valid UTF-8 — encoded straight to the bytes of its line.
 */
import { hash } from "node:crypto";
import { isUtf8 } from "node:buffer";
import type { ObjectRecord, ObjectRef } from "@orcid-sync/core";

/** Above this, a body is encoded without a string (see encodeObjectLine). */
const WHOLE_BODY_BYTES = 1024 * 1024;
const BASE64_SLICE_BYTES = 3 * 64 * 1024;

/**
 * The object record of a member's bytes: etag is their MD5 (what S3 gives a single-part object),
 * size their length, lastModified the member's mtime.
 *
 * @example
 * ```ts
 * objectRecord(ref, Buffer.from("<x/>"), new Date("2025-10-01T00:00:00Z"));
 * ```
 */
export function objectRecord(ref: ObjectRef, bytes: Buffer, mtime: Date): ObjectRecord {
  const utf8 = isUtf8(bytes);
  return {
    type: "object",
    bucket: ref.bucket,
    key: ref.key,
    orcid: ref.orcid,
    kind: ref.kind,
    body: bytes.toString(utf8 ? "utf8" : "base64"),
    ...(utf8 ? {} : { encoding: "base64" as const }),
    etag: hash("md5", bytes, "hex"),
    size: bytes.length,
    lastModified: mtime.toISOString(),
  };
}

/**
 * `JSON.stringify(objectRecord(ref, bytes, mtime)) + "\n"` as bytes. A body of more than 1 MiB is
 * not made a string at all: valid UTF-8 is copied into a buffer of the line's exact size with its
 * quotes, backslashes and control bytes escaped as JSON.stringify escapes them, and other bytes are written as
 * base64 a slice at a time. The line then costs about the member's size beside its bytes, where a
 * string body, its JSON text and the bytes written out cost three to six times as much (a string
 * of non-Latin-1 text takes two bytes a character); and it took a third of the time
 * JSON.stringify took on 19 MB of XML with non-Latin-1 text.
 *
 * @example
 * ```ts
 * out.writeEncoded(encodeObjectLine(ref, bytes, mtime), 1);
 * ```
 */
export function encodeObjectLine(ref: ObjectRef, bytes: Buffer, mtime: Date): Buffer {
  if (bytes.length <= WHOLE_BODY_BYTES) return Buffer.from(`${JSON.stringify(objectRecord(ref, bytes, mtime))}\n`);
  const utf8 = isUtf8(bytes);
  const head = `${JSON.stringify({ type: "object", bucket: ref.bucket, key: ref.key, orcid: ref.orcid, kind: ref.kind, body: "" }).slice(0, -2)}`;
  const tail = `"${utf8 ? "" : ',"encoding":"base64"'},"etag":"${hash("md5", bytes, "hex")}","size":${bytes.length},"lastModified":"${mtime.toISOString()}"}\n`;
  const bodyLength = utf8 ? escapedLength(bytes) : 4 * Math.ceil(bytes.length / 3);
  const line = Buffer.allocUnsafe(Buffer.byteLength(head) + bodyLength + Buffer.byteLength(tail));
  let at = line.write(head, 0);
  if (utf8) at = writeEscaped(bytes, line, at);
  else {
    // Whole groups of three bytes, so the slices' base64 texts join into the whole's.
    const step = BASE64_SLICE_BYTES;
    for (let start = 0; start < bytes.length; start += step) {
      at += line.write(bytes.toString("base64", start, Math.min(bytes.length, start + step)), at, "latin1");
    }
  }
  line.write(tail, at);
  return line;
}

/** JSON.stringify's escapes of the bytes that need one (quote, backslash, controls), by byte. */
const ESCAPES: readonly (Buffer | undefined)[] = Array.from({ length: 256 }, (_, byte) => {
  if (byte >= 0x20 && byte !== 0x22 && byte !== 0x5c) return undefined;
  return Buffer.from(JSON.stringify(String.fromCharCode(byte)).slice(1, -1), "latin1");
});

/** The length of the JSON text of valid UTF-8 bytes, without its quotes. */
function escapedLength(bytes: Buffer): number {
  let length = bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    const escaped = ESCAPES[bytes[i]!];
    if (escaped) length += escaped.length - 1;
  }
  return length;
}

/**
 * Writes the JSON text of valid UTF-8 bytes into `line` at `at`; returns where it ended. A byte at
 * a time: a copy or a write call per run cost more than the loop where escapes are frequent (a
 * line break every few dozen bytes of XML). Every byte of 0x80 and up, and so every multi-byte
 * character, stands for itself in JSON text.
 */
function writeEscaped(bytes: Buffer, line: Buffer, at: number): number {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    const escaped = ESCAPES[byte];
    if (!escaped) line[at++] = byte;
    else for (let j = 0; j < escaped.length; j++) line[at++] = escaped[j]!;
  }
  return at;
}
