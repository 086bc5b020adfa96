/** Splitting a byte stream into lines without holding more than one line in memory. */

/** One line of input with its 1-based number. */
export interface NumberedLine {
  readonly text: string;
  readonly line: number;
  /** The line's bytes, without its ending: a view of the input's chunk where the line lies in one. */
  readonly bytes: Buffer;
}

/** Options for {@linkcode readLines}. */
export interface ReadLinesOptions {
  /** Longest accepted line in bytes; a longer one throws a RangeError. Default 512 MiB. */
  readonly maxLineBytes?: number;
  /** Where the input comes from, for messages (`stdin`, a file name). Default `stdin`. */
  readonly source?: string;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Cuts byte chunks into lines, synchronously: the one splitter behind {@linkcode readLines} and
 * core's record readers, for a reader that wants no async layer per line. Holds only the part of a
 * line not yet ended.
 *
 * @example
 * ```ts
 * const splitter = new LineSplitter();
 * for await (const piece of process.stdin) for (const bytes of splitter.push(piece)) use(bytes);
 * const last = splitter.end();
 * ```
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  readonly #source: string;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #lines = 0;

  constructor(options: ReadLinesOptions = {}) {
    this.#maxLineBytes = options.maxLineBytes ?? 512 * 1024 * 1024;
    this.#source = options.source ?? "stdin";
  }

  /**
   * The lines `piece` ends, without their endings (`\r\n` trimmed): views of the chunk where a line
   * lies in one. What follows the last newline waits for the next piece; a line longer than the
   * limit throws a RangeError.
   */
  push(piece: Uint8Array | string): Buffer[] {
    const chunk =
      typeof piece === "string"
        ? Buffer.from(piece)
        : Buffer.isBuffer(piece)
          ? piece
          : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    const lines: Buffer[] = [];
    let start = 0;
    let end = chunk.indexOf(NEWLINE, start);
    while (end !== -1) {
      lines.push(this.#finish(chunk.subarray(start, end)));
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    this.#lines += lines.length;
    if (start < chunk.length) {
      this.#pending.push(chunk.subarray(start));
      this.#pendingBytes += chunk.length - start;
      if (this.#pendingBytes > this.#maxLineBytes) {
        throw new RangeError(
          `Cannot read ${this.#source}:${this.#lines + 1}: line is longer than ${this.#maxLineBytes} bytes`,
        );
      }
    }
    return lines;
  }

  /** The last line when the input did not end with a newline; undefined when it did. */
  end(): Buffer | undefined {
    return this.#pendingBytes > 0 ? this.#finish(Buffer.alloc(0)) : undefined;
  }

  #finish(tail: Buffer): Buffer {
    const buffer = this.#pending.length === 0 ? tail : Buffer.concat([...this.#pending, tail]);
    this.#pending = [];
    this.#pendingBytes = 0;
    return buffer.length > 0 && buffer[buffer.length - 1] === CR ? buffer.subarray(0, -1) : buffer;
  }
}

/**
 * Yields the lines of a byte stream as UTF-8 text with their numbers; `\r\n` endings are trimmed,
 * and a last line without a newline is yielded too. Lines are yielded as soon as they end.
 *
 * @example
 * ```ts
 * for await (const { text, line } of readLines(process.stdin)) console.log(line, text);
 * ```
 */
export async function* readLines(
  input: AsyncIterable<Uint8Array | string>,
  options: ReadLinesOptions = {},
): AsyncGenerator<NumberedLine> {
  const splitter = new LineSplitter(options);
  let line = 0;
  for await (const piece of input)
    for (const bytes of splitter.push(piece)) yield { text: bytes.toString("utf8"), line: ++line, bytes };
  const last = splitter.end();
  if (last !== undefined) yield { text: last.toString("utf8"), line: ++line, bytes: last };
}
