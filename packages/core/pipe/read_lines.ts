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
  const maxLineBytes = options.maxLineBytes ?? 512 * 1024 * 1024;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  const finish = (tail: Buffer): Buffer => {
    const buffer = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    return buffer.length > 0 && buffer[buffer.length - 1] === 0x0d ? buffer.subarray(0, -1) : buffer;
  };
  const numbered = (bytes: Buffer): NumberedLine => ({ text: bytes.toString("utf8"), line, bytes });
  for await (const piece of input) {
    const chunk =
      typeof piece === "string" ? Buffer.from(piece) : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    let start = 0;
    let end = chunk.indexOf(NEWLINE, start);
    while (end !== -1) {
      line++;
      yield numbered(finish(chunk.subarray(start, end)));
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLineBytes) {
        throw new RangeError(
          `Cannot read ${options.source ?? "stdin"}:${line + 1}: line is longer than ${maxLineBytes} bytes`,
        );
      }
    }
  }
  if (pendingBytes > 0) {
    line++;
    yield numbered(finish(Buffer.alloc(0)));
  }
}
