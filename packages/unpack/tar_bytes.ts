/**
 * The tar stream inside an archive file: inflated when the file starts with gzip's magic bytes
 * (whatever its name), read as it is otherwise. A file that is neither is refused before anything
 * is emitted, and a tar stream that stops before its end-of-archive block is reported as damaged.
 */
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

const BLOCK = 512;
// Large chunks: each is a round trip to the thread pool (as orcid-list reads the lambda file).
const GUNZIP_CHUNK = 128 * 1024;

/** The input is not a tar or tar.gz archive at all (nothing was read from it). */
export class NotAnArchiveError extends SyntaxError {
  override name = "NotAnArchiveError";
}

/** The archive stops early or its bytes are corrupt; records before the damage stand. */
export class DamagedArchiveError extends Error {
  override name = "DamagedArchiveError";
}

/** How far the reading got, for messages about damage. */
export interface ArchivePosition {
  /** Bytes read from the file (compressed, for a .tar.gz). */
  inputBytes: number;
  /** Bytes of the tar stream handed on. */
  tarBytes: number;
  /** Whether the file is gzip-compressed. */
  gzip: boolean;
}

/** A fresh position. */
export function newArchivePosition(): ArchivePosition {
  return { inputBytes: 0, tarBytes: 0, gzip: false };
}

/**
 * Yields the bytes of the tar stream in `input` (a .tar or .tar.gz file), counting in `position`.
 * Throws {@linkcode NotAnArchiveError} when the first block is not a tar header (inflated first
 * when the file starts with gzip's magic bytes), and {@linkcode DamagedArchiveError} when the
 * compressed data is corrupt or cut short, or the tar stream ends without a zero block.
 *
 * @example
 * ```ts
 * for await (const bytes of tarBytes(createReadStream("ORCID_2025_10_summaries.tar.gz"), newArchivePosition())) …
 * ```
 */
export async function* tarBytes(input: AsyncIterable<Uint8Array>, position: ArchivePosition): AsyncGenerator<Buffer> {
  const source = counted(input, position)[Symbol.asyncIterator]();
  const first = await source.next();
  if (first.done || first.value.length === 0)
    throw new NotAnArchiveError("Cannot read the archive: the input is empty");
  position.gzip = first.value.length >= 2 && first.value[0] === 0x1f && first.value[1] === 0x8b;
  const rest = { [Symbol.asyncIterator]: () => source };
  const raw = (async function* () {
    yield first.value;
    yield* rest;
  })();
  yield* checkedTar(position.gzip ? inflate(raw) : raw, position);
}

async function* counted(input: AsyncIterable<Uint8Array>, position: ArchivePosition): AsyncGenerator<Buffer> {
  for await (const chunk of input) {
    position.inputBytes += chunk.length;
    yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

async function* inflate(compressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const source = Readable.from(compressed, { objectMode: false });
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
  source.on("error", (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    // zlib's own errors carry a Z_… code: corrupt or cut-short gzip data.
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (code.startsWith("Z_")) {
      const what = code === "Z_BUF_ERROR" ? "the gzip data is cut short" : "the gzip data is corrupt";
      throw new DamagedArchiveError(`${what} (${(error as Error).message})`);
    }
    throw error;
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

/** Passes the tar stream on, checking its first block and that it ends with a zero block. */
async function* checkedTar(chunks: AsyncIterable<Buffer>, position: ArchivePosition): AsyncGenerator<Buffer> {
  let head: Buffer[] = [];
  let headBytes = 0;
  let checked = false;
  let tail = Buffer.alloc(0);
  const check = (block: Buffer) => {
    if (block.length < BLOCK || !isTarHeader(block)) {
      throw new NotAnArchiveError(
        position.gzip
          ? "Cannot read the archive: it is gzip-compressed but does not hold a tar archive"
          : "Cannot read the archive: it is neither a tar nor a gzip-compressed tar archive",
      );
    }
    checked = true;
  };
  for await (const chunk of chunks) {
    if (!checked) {
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes < BLOCK) continue;
      const joined = Buffer.concat(head);
      head = [];
      check(joined.subarray(0, BLOCK));
      yield* pass(joined);
      continue;
    }
    yield* pass(chunk);
  }
  if (!checked) check(Buffer.concat(head));
  if (!isZero(tail))
    throw new DamagedArchiveError("the archive is cut short (the tar data ends without its end-of-archive block)");

  function* pass(chunk: Buffer): Generator<Buffer> {
    tail =
      chunk.length >= BLOCK
        ? Buffer.from(chunk.subarray(chunk.length - BLOCK))
        : Buffer.concat([tail, chunk]).subarray(-BLOCK);
    position.tarBytes += chunk.length;
    yield chunk;
  }
}

/** Whether a 512-byte block is a tar header (its checksum holds) or a zero block (an empty archive). */
export function isTarHeader(block: Buffer): boolean {
  if (isZero(block)) return true;
  const field = block
    .toString("latin1", 148, 156)
    .replace(/[\0 ]+$/, "")
    .trim();
  if (!/^[0-7]{1,7}$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === parseInt(field, 8);
}

function isZero(block: Buffer): boolean {
  return block.length === BLOCK && block.every((byte) => byte === 0);
}
