/** orcid-fetch's run: the checks and the work behind its command line, which main.ts declares. */
import {
  asUsage,
  type AwsArgs,
  createS3Access,
  ExitCode,
  parseDuration,
  readRecordInputs,
  s3OptionsFromArgs,
  type ToolContext,
  wholeNumberFlag,
} from "@orcid-sync/core";
import { fetchRecords, newFetchStats } from "./fetch_records.ts";
import { parseBytes } from "./units.ts";

/** The parsed command line. */
export interface FetchArgs extends AwsArgs {
  readonly inputs?: string[];
  readonly concurrency: number;
  readonly maxBytesInFlight: string;
  readonly skipUnchanged?: string;
  readonly retries: number;
  readonly timeout: string;
}

/** Runs orcid-fetch with parsed flags; the exit code. */
export async function runFetch(args: FetchArgs, ctx: ToolContext): Promise<number> {
  wholeNumberFlag("--concurrency", args.concurrency, 1);
  wholeNumberFlag("--retries", args.retries, 0);
  const maxBytesInFlight = asUsage(() => parseBytes(args.maxBytesInFlight), "--max-bytes-in-flight");
  const timeoutMs = asUsage(() => parseDuration(args.timeout, { bareUnit: "s" }), "--timeout");
  const s3 = createS3Access(s3OptionsFromArgs(args, { connections: args.concurrency, timeoutMs }));
  const stats = newFetchStats();
  const started = performance.now();
  const rate = () => (stats.objects / Math.max(0.001, (performance.now() - started) / 1000)).toFixed(0);
  ctx.progress.start(
    () =>
      `${stats.objects} objects, ${(stats.bytes / 1e6).toFixed(1)} MB, ${rate()}/s, ${stats.unchanged} unchanged, ${stats.missing} missing, ${stats.retries} retries, ${stats.errors} failed`,
  );
  const inputs = args.inputs ?? [];
  const records = (async function* () {
    for await (const { record } of readRecordInputs(inputs, ctx.stdin)) yield record;
  })();
  try {
    for await (const { record, release } of fetchRecords(
      records,
      {
        s3,
        concurrency: args.concurrency,
        maxBytesInFlight,
        attempts: args.retries + 1,
        signal: ctx.signal,
        ...(args.skipUnchanged ? { skipUnchanged: args.skipUnchanged } : {}),
      },
      stats,
    )) {
      await ctx.out.write(record);
      release();
    }
  } finally {
    await s3.close();
  }
  // Objects whose ETag is not an MD5 (SSE-KMS, SSE-C, multipart) are told apart: their bytes were checked by length only.
  const lengthOnly =
    stats.lengthOnly > 0
      ? `, ${stats.lengthOnly} checked by length only (ETag not an MD5: SSE-KMS, SSE-C or multipart)`
      : "";
  ctx.summary(
    `${stats.objects} objects (${(stats.bytes / 1e6).toFixed(1)} MB, ${rate()}/s), ${stats.unchanged} unchanged, ${stats.missing} missing, ${stats.retries} retries, ${stats.errors} failed${lengthOnly}`,
  );
  return stats.errors > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
}
