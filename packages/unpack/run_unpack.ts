/** orcid-unpack's run: the checks and the work behind its command line, which main.ts declares. */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import {
  asUsage,
  type BucketLayout,
  DEFAULT_LAYOUT,
  ExitCode,
  isValidOrcidId,
  parseShard,
  type ToolContext,
  UsageError,
} from "@orcid-sync/core";
import type { MemberFilter } from "./member_filter.ts";
import { encodeObjectLine } from "./object_line.ts";
import { newUnpackStats, unpackMembers } from "./unpack_members.ts";

/** The parsed command line. */
export interface UnpackArgs {
  readonly inputs?: string[];
  readonly only?: "summaries" | "activities";
  readonly ids?: string;
  readonly shard?: string;
  readonly summariesBucket: string;
  readonly activitiesBucketBase: string;
  readonly activitiesBucket?: string;
}

/** The iDs of a file, one a line (blank lines and `#` comments skipped), and the lines refused. */
async function readIds(input: Readable): Promise<{ ids: Set<string>; invalid: string[] }> {
  const ids = new Set<string>();
  const invalid: string[] = [];
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    const id = text.trim();
    if (id.length === 0 || id.startsWith("#")) continue;
    if (isValidOrcidId(id)) ids.add(id);
    else invalid.push(`line ${line}: ${id.slice(0, 60)}`);
  }
  return { ids, invalid };
}

/** Runs orcid-unpack with parsed flags; the exit code. */
export async function runUnpack(args: UnpackArgs, ctx: ToolContext): Promise<number> {
  const inputs = args.inputs?.length ? args.inputs : ["-"];
  if (inputs.filter((input) => input === "-").length > 1) throw new UsageError("stdin (-) can be read once");
  if (args.ids === "-" && inputs.includes("-"))
    throw new UsageError("--ids - and an archive on stdin cannot share stdin");
  const shard = args.shard === undefined ? undefined : asUsage(() => parseShard(args.shard!), "--shard");
  const layout: BucketLayout = {
    ...DEFAULT_LAYOUT,
    summaries: args.summariesBucket,
    activitiesBase: args.activitiesBucketBase,
    ...(args.activitiesBucket ? { activitiesSingle: args.activitiesBucket } : {}),
  };
  let ids: Set<string> | undefined;
  if (args.ids !== undefined) {
    const read = await readIds(args.ids === "-" ? ctx.stdin : createReadStream(args.ids)).catch((error: Error) => {
      throw new UsageError(`--ids: ${error.message}`);
    });
    if (read.invalid.length > 0)
      ctx.log.warn(
        `--ids: skipped ${read.invalid.length} line(s) that are not valid iDs, e.g. ${read.invalid.slice(0, 3).join("; ")}`,
      );
    ids = read.ids;
  }
  const filter: MemberFilter = {
    ...(args.only ? { only: args.only } : {}),
    ...(ids ? { ids } : {}),
    ...(shard ? { shard } : {}),
  };
  const stats = newUnpackStats();
  const started = performance.now();
  const rate = () => (stats.tarBytes / 1e6 / Math.max(0.001, (performance.now() - started) / 1000)).toFixed(1);
  ctx.progress.start(
    () =>
      `${stats.members} members, ${(stats.tarBytes / 1e6).toFixed(0)} MB read (${rate()} MB/s), ${stats.objects} objects, ${stats.errors} errors`,
  );
  // Each archive is a snapshot of its own: the cutoff is the oldest of their newest mtimes, so a
  // change made after any one of them was taken is still ahead of the first sync.
  let cutoff: Date | undefined;
  for (const input of inputs) {
    const stream = input === "-" ? ctx.stdin : createReadStream(input, { highWaterMark: 1024 * 1024 });
    const source = input === "-" ? "stdin" : input;
    // Only the first shard reports members that are not ORCID keys: N shards report each once.
    const options = { layout, filter, source, reportInvalid: !shard || shard.index === 1 };
    const objectsBefore = stats.objects;
    stats.newest = undefined;
    for await (const item of unpackMembers(stream, options, stats)) {
      if (item.type === "member") await ctx.out.writeEncoded(encodeObjectLine(item.ref, item.bytes, item.mtime), 1);
      else await ctx.out.write(item);
    }
    // (The loop above moved it: TypeScript keeps the undefined it was set to.)
    const newest = stats.newest as Date | undefined;
    if (inputs.length > 1)
      ctx.log.info(
        `${source}: ${stats.objects - objectsBefore} records, newest member mtime ${newest?.toISOString() ?? "none"}`,
      );
    if (newest && (!cutoff || newest < cutoff)) cutoff = newest;
  }
  const skipped = stats.skipped ? `, ${stats.skipped} skipped by --only/--ids/--shard` : "";
  const newest = `${inputs.length > 1 ? "the oldest archive's " : ""}newest member mtime ${cutoff?.toISOString() ?? "none"}`;
  ctx.summary(
    `${stats.members} members read (${stats.folders} folders${skipped}), ${stats.objects} records emitted (${(stats.bytes / 1e6).toFixed(1)} MB), ${stats.errors} errors; ${newest} (the cutoff for the first sync)`,
  );
  return stats.errors > 0 ? ExitCode.ItemsFailed : ExitCode.Ok;
}
