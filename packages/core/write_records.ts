/** Writing records as NDJSON: one write a record, honouring backpressure, quiet on a closed pipe. */
import type { Writable } from "node:stream";

/** Thrown when the reader of our output has gone (EPIPE): a normal, quiet end for a pipe tool. */
export class DownstreamClosedError extends Error {
  override name = "DownstreamClosedError";
  constructor() {
    super("Output closed by the reader");
  }
}

/**
 * Serialises records to a stream, one `write` call a line. `write` resolves at once while the stream
 * takes more, and waits for `drain` when it does not, so a slow reader slows the producer instead of
 * filling memory.
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

  constructor(stream: Writable) {
    this.#stream = stream;
    stream.on("error", (error: NodeJS.ErrnoException) => {
      this.#failure = error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED" ? new DownstreamClosedError() : error;
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
    if (this.#failure) throw this.#failure;
    if (this.#stream.destroyed || this.#stream.writableEnded) throw new DownstreamClosedError();
    this.#count++;
    if (this.#stream.write(`${line}\n`)) return undefined;
    return this.#drain();
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

  /** Waits until everything written has been handed to the operating system. */
  async end(): Promise<void> {
    if (this.#failure) throw this.#failure;
    const stream = this.#stream;
    if (stream.writableNeedDrain) await this.#drain();
    if (this.#failure) throw this.#failure;
  }
}
