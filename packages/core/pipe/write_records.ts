/** Writing records as NDJSON: whole lines, batched, honouring backpressure, quiet on a closed pipe. */
import type { Writable } from "node:stream";

/** Thrown when the reader of our output has gone (EPIPE): a normal, quiet end for a pipe tool. */
export class DownstreamClosedError extends Error {
  override name = "DownstreamClosedError";
  constructor() {
    super("Output closed by the reader");
  }
}

/**
 * Resolves when everything written to `stream` so far has reached the operating system. A pipe is
 * written asynchronously on POSIX: data can still wait in the stream after the last `write`
 * returned, and a process that exits then loses it. Write callbacks run in order, so the callback
 * of an empty write comes after every earlier byte is out.
 *
 * @example
 * ```ts
 * await streamFlushed(process.stdout);
 * ```
 */
export function streamFlushed(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(Buffer.alloc(0), (error) => (error ? reject(error) : resolve()));
  });
}

/** Lines are handed to the stream in batches of about this many bytes. */
const BATCH_BYTES = 64 * 1024;

/**
 * Serialises records to a stream as whole lines. Lines are gathered and handed to the stream in
 * batches (64 KiB, or whatever is pending when the event loop next turns), never split across
 * writes: a write per record costs a system call each, which was a quarter of orcid-list's time
 * on a 30-day window. `write` resolves at once while the stream takes more, and waits for `drain`
 * when it does not, so a slow reader slows the producer instead of filling memory.
 *
 * @example
 * ```ts
 * const out = new RecordWriter(process.stdout);
 * await out.write({ type: "checkpoint", bucket: "v3.0-summaries", folder: "097" });
 * await out.end();
 * ```
 */
export class RecordWriter {
  readonly #stream: Writable;
  #failure: Error | undefined;
  #count = 0;
  #pending = "";
  /** Encoded lines waiting, in order; while any wait, new lines join them here. */
  #pendingBytes: Buffer[] = [];
  #pendingByteLength = 0;
  #scheduled: NodeJS.Immediate | undefined;
  #draining: Promise<void> | undefined;
  /** Settles when the last chunk handed to the stream has been written out. */
  #written: Promise<void> = Promise.resolve();

  readonly #onErrorLine: ((line: string) => void) | undefined;

  /** `onErrorLine` sees every error record written (its line), e.g. to tell the first on stderr. */
  constructor(stream: Writable, options: { readonly onErrorLine?: (line: string) => void } = {}) {
    this.#stream = stream;
    this.#onErrorLine = options.onErrorLine;
    stream.on("error", (error: NodeJS.ErrnoException) => {
      this.#failure =
        error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED" ? new DownstreamClosedError() : error;
    });
  }

  /** How many records were written. */
  get count(): number {
    return this.#count;
  }

  /** Writes one record as a line. */
  write(record: object): Promise<void> | undefined {
    return this.writeLine(JSON.stringify(record));
  }

  /** Writes one already serialised line (without its newline). */
  writeLine(line: string): Promise<void> | undefined {
    // writeLines for one line, without an array and a join per record.
    this.#checkOpen();
    this.#count++;
    if (this.#onErrorLine && line.startsWith('{"type":"error"')) this.#onErrorLine(line);
    const text = `${line}\n`;
    if (this.#pendingByteLength > 0) this.#addBytes(Buffer.from(text));
    else this.#pending += text;
    return this.#afterAdd();
  }

  /** Writes already serialised lines (without their newlines), kept together. */
  writeLines(lines: readonly string[]): Promise<void> | undefined {
    this.#checkOpen();
    if (lines.length === 0) return undefined;
    this.#count += lines.length;
    // Every record's line starts with its type (records are built type first).
    if (this.#onErrorLine) for (const line of lines) if (line.startsWith('{"type":"error"')) this.#onErrorLine(line);
    const text = `${lines.join("\n")}\n`;
    if (this.#pendingByteLength > 0) this.#addBytes(Buffer.from(text));
    else this.#pending += text;
    return this.#afterAdd();
  }

  /**
   * Writes lines already encoded (`lines` of them, each ending in a newline), kept together:
   * for a producer that builds its bytes without strings. The writer keeps `bytes`; do not reuse it.
   */
  writeEncoded(bytes: Buffer, lines: number): Promise<void> | undefined {
    this.#checkOpen();
    if (lines === 0) return undefined;
    this.#count += lines;
    if (this.#pending.length > 0) {
      this.#addBytes(Buffer.from(this.#pending));
      this.#pending = "";
    }
    this.#addBytes(bytes);
    return this.#afterAdd();
  }

  #checkOpen(): void {
    if (this.#failure) throw this.#failure;
    if (this.#stream.destroyed || this.#stream.writableEnded) throw new DownstreamClosedError();
  }

  #addBytes(bytes: Buffer): void {
    this.#pendingByteLength += bytes.length;
    // A producer that fills one large buffer in pieces hands them over contiguous: one view of
    // both, rather than a copy when they are sent.
    const last = this.#pendingBytes.at(-1);
    if (last && last.buffer === bytes.buffer && last.byteOffset + last.length === bytes.byteOffset) {
      this.#pendingBytes[this.#pendingBytes.length - 1] = Buffer.from(
        last.buffer,
        last.byteOffset,
        last.length + bytes.length,
      );
    } else this.#pendingBytes.push(bytes);
  }

  /** Sends what waits once there is a batch of it, or on the next turn of the event loop. */
  #afterAdd(): Promise<void> | undefined {
    // The stream is full: the producer waits with it.
    if (this.#draining) return this.#draining;
    if (this.#pending.length + this.#pendingByteLength >= BATCH_BYTES) return this.#flush();
    // Lines a slow producer leaves behind go out on the next turn of the event loop.
    this.#scheduled ??= setImmediate(() => {
      this.#scheduled = undefined;
      if (!this.#failure) void this.#flush()?.catch(() => {});
    });
    return undefined;
  }

  #flush(): Promise<void> | undefined {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    // While the stream drains, lines wait here; the drain sends them.
    if (this.#draining) return this.#draining;
    if (this.#pending.length === 0 && this.#pendingByteLength === 0) return undefined;
    let chunk: string | Buffer;
    if (this.#pendingByteLength > 0) {
      chunk =
        this.#pendingBytes.length === 1
          ? this.#pendingBytes[0]!
          : Buffer.concat(this.#pendingBytes, this.#pendingByteLength);
      this.#pendingBytes = [];
      this.#pendingByteLength = 0;
    } else {
      chunk = this.#pending;
      this.#pending = "";
    }
    let accepted = true;
    this.#written = new Promise((resolve) => {
      accepted = this.#stream.write(chunk, () => resolve());
    });
    if (accepted) return undefined;
    const draining = this.#drain().then(() => {
      this.#draining = undefined;
      return this.#flush();
    });
    this.#draining = draining;
    return draining;
  }

  #drain(): Promise<void> {
    const stream = this.#stream;
    return new Promise((resolve, reject) => {
      const settle = (error?: Error) => {
        stream.off("drain", onDrain);
        stream.off("error", onFail);
        stream.off("close", onFail);
        if (error) reject(error);
        else resolve();
      };
      const onDrain = () => settle();
      // The constructor's error listener runs first, so #failure already tells EPIPE apart.
      const onFail = () => settle(this.#failure ?? new DownstreamClosedError());
      stream.on("drain", onDrain);
      stream.on("error", onFail);
      stream.on("close", onFail);
    });
  }

  /**
   * Waits until everything written has been handed to the operating system: a pipe to a slow
   * reader can still hold data in the stream when the last write returns, and a process that
   * exits then loses it.
   */
  async end(): Promise<void> {
    if (this.#failure) throw this.#failure;
    await this.#draining;
    await this.#flush();
    await Promise.race([this.#written, this.#closed()]);
    if (this.#failure) throw this.#failure;
  }

  /** Rejects when the stream fails or closes before the last write settled. */
  #closed(): Promise<never> {
    return new Promise((_, reject) => {
      const fail = () => reject(this.#failure ?? new DownstreamClosedError());
      if (this.#stream.destroyed) fail();
      this.#stream.once("error", fail);
      this.#stream.once("close", fail);
    });
  }
}
