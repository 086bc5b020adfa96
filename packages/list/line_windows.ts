/**
 * A byte stream of text lines as flat strings of whole lines, a window at a time: what the lambda
 * reader needs to check hundreds of thousands of rows where they lie.
 */

/** Options for {@linkcode lineWindows}. */
export interface LineWindowOptions {
  /** About how many bytes a window holds (more when one line is longer). Default 16 KiB. */
  readonly window?: number;
  /** A line longer than this is not gathered: `onOverlong` gets its start, the rest is dropped. Default 64 KiB. */
  readonly longestLine?: number;
  /** Called, in order, for each line dropped as too long, with its first bytes. */
  readonly onOverlong: (head: Buffer) => void;
}

/**
 * Yields strings of whole lines, each ending in `\n`, except a last line without one. The
 * unfinished line between chunks is kept as bytes and lines are decoded from a buffer, so every
 * string is flat (a `carry + text` rope made each character read slow); windows are small, so the
 * strings die young instead of growing V8's young generation. A line break never falls inside a
 * UTF-8 sequence, so a window is always whole characters.
 *
 * @example
 * ```ts
 * for await (const text of lineWindows(gunzipped, { onOverlong: () => bad++ })) …
 * ```
 */
export async function* lineWindows(
  chunks: AsyncIterable<Uint8Array>,
  options: LineWindowOptions,
): AsyncGenerator<string> {
  const window = options.window ?? 16 * 1024;
  const longestLine = options.longestLine ?? 64 * 1024;
  let carry: Buffer = Buffer.alloc(0);
  let dropping = false;
  for await (const chunk of chunks) {
    let fresh = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (dropping) {
      const next = fresh.indexOf(10);
      if (next === -1) continue;
      dropping = false;
      fresh = fresh.subarray(next + 1);
    }
    const bytes = carry.length > 0 ? Buffer.concat([carry, fresh]) : fresh;
    const cut = bytes.lastIndexOf(10);
    if (cut === -1) {
      if (bytes.length > longestLine) {
        options.onOverlong(bytes.subarray(0, 120));
        dropping = true;
        carry = Buffer.alloc(0);
      } else carry = bytes;
      continue;
    }
    carry = bytes.subarray(cut + 1);
    for (let from = 0; from <= cut; ) {
      const until = from + window > cut ? cut : bytes.lastIndexOf(10, from + window);
      const to = until < from ? cut : until;
      yield bytes.toString("utf8", from, to + 1);
      from = to + 1;
    }
  }
  if (carry.length > longestLine) options.onOverlong(carry.subarray(0, 120));
  else if (carry.length > 0) yield carry.toString("utf8");
}
