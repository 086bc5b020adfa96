/** Query output: records in a format, to stdout or to a file renamed into place when complete. */
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { RecordWriter, type ToolContext, tempPathFor, trackTempFile, untrackTempFile } from "@orcid-sync/core";
import { type Format, formatRecords } from "../format_records.ts";

/** Options for {@linkcode emit}. */
export interface EmitOptions {
  readonly format: Format;
  /** A file to write (`-` or none: stdout). */
  readonly output?: string;
}

/**
 * Writes records as lines of the format to stdout or, with `output`, to a temp file beside it
 * that is renamed into place once complete (removed on failure). Returns how many records.
 */
export async function emit(
  records: AsyncIterable<object> | Iterable<object>,
  ctx: ToolContext,
  options: EmitOptions,
): Promise<number> {
  let count = 0;
  const counted = (async function* () {
    for await (const record of records) {
      count++;
      yield record;
    }
  })();
  if (options.output === undefined || options.output === "-") {
    for await (const line of formatRecords(counted, options.format)) await ctx.out.writeLine(line);
    return count;
  }
  const target = options.output;
  const temp = tempPathFor(target);
  trackTempFile(temp);
  const stream = createWriteStream(temp);
  const out = new RecordWriter(stream);
  try {
    for await (const line of formatRecords(counted, options.format)) await out.writeLine(line);
    await out.end();
    await new Promise<void>((resolve, reject) =>
      stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    await rename(temp, target);
  } catch (error) {
    stream.destroy();
    await rm(temp, { force: true });
    throw error;
  } finally {
    untrackTempFile(temp);
  }
  return count;
}
