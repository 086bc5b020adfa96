/** orcid-state's run: the checks and the work behind its command line, which main.ts declares. */
import { createReadStream, existsSync } from "node:fs";
import {
  asUsage,
  type CheckpointCounts,
  CheckpointJournal,
  clearCheckpoints,
  FatalError,
  formatIsoMicros,
  nowMicros,
  parseSpan,
  parseWhen,
  readCheckpoints,
  readRecords,
  recordCheckpoints,
  secondsFlag,
  type ToolContext,
  UsageError,
} from "@orcid-sync/core";
import { lambdaReach } from "./lambda_reach.ts";
import { readLastRan, readLastRanState, StateFileError, utcFileOf, writeLastRan } from "./last_ran.ts";
import { acquireLock, LockHeldError, releaseLock } from "./lock.ts";

/** The parsed command line. */
export interface StateArgs {
  readonly _: (string | number)[];
  readonly file: string;
  readonly default?: string;
  readonly overlap: string;
  readonly time?: string;
  readonly records?: string;
  readonly pid?: number;
  readonly waitLock: number;
  readonly breakLock: boolean;
  readonly lockFile?: string;
  readonly checkpointsFile: string;
  readonly action?: string;
  /** lock, set: also clear the resume checkpoints (after taking the lock; after saving the time). */
  readonly clearCheckpoints?: boolean;
  /** set: also release the lock of --pid, once the time is saved. */
  readonly unlock?: boolean;
}

async function get(args: StateArgs, ctx: ToolContext): Promise<void> {
  const overlap = asUsage(() => parseSpan(args.overlap), "--overlap");
  const state = await readLastRanState(args.file);
  const saved = state?.micros;
  if (saved === undefined) {
    if (args.default === undefined) {
      throw new FatalError(`No ${args.file}: no sync has finished here yet (pass --default 30d to start from a span)`);
    }
    process.stdout.write(`${formatIsoMicros(asUsage(() => parseWhen(args.default!, nowMicros()), "--default"))}\n`);
    ctx.summary(`no ${args.file}: printed the default`);
    return;
  }
  process.stdout.write(`${formatIsoMicros(saved - overlap)}\n`);
  if (state?.from === "local" && existsSync(utcFileOf(args.file))) {
    ctx.log.info(
      `${utcFileOf(args.file)} does not agree with ${args.file} (written or edited since): reading ${args.file} in local time`,
    );
  }
  ctx.summary(
    `${args.file}: last run started ${formatIsoMicros(saved)}${state?.from === "utc" ? ` (${utcFileOf(args.file)})` : ""}`,
  );
}

async function set(args: StateArgs, ctx: ToolContext): Promise<void> {
  const started = args.time === undefined ? nowMicros() : asUsage(() => parseWhen(args.time!, nowMicros()), "--time");
  let time = started;
  if (args.records !== undefined) {
    const input = args.records === "-" ? ctx.stdin : createReadStream(args.records);
    const source = args.records === "-" ? "stdin" : args.records;
    const reach = await lambdaReach(
      (async function* () {
        for await (const { record } of readRecords(input, { source })) yield record;
      })(),
    );
    if (reach === undefined) {
      throw new FatalError(
        `No lambda record in ${source}: cannot tell how far the lambda file reached; ${args.file} is unchanged`,
      );
    }
    const previous = await readLastRan(args.file);
    if (previous !== undefined && reach < previous) {
      ctx.log.warn(
        `the lambda file's newest row (${formatIsoMicros(reach)}) is older than the last run (${formatIsoMicros(previous)}): ORCID has not regenerated it since; saving its time, so the next run reads from there`,
      );
    }
    if (reach < time) time = reach;
  }
  await writeLastRan(args.file, time);
  ctx.summary(
    `${args.file}: saved ${formatIsoMicros(time)}${time < started ? ` (the lambda file's newest row, before the run's start ${formatIsoMicros(started)})` : ""}`,
  );
}

async function checkpoints(args: StateArgs, ctx: ToolContext): Promise<void> {
  const path = args.checkpointsFile;
  switch (args.action) {
    case "record": {
      const journal = new CheckpointJournal(path);
      const counts: CheckpointCounts = { saved: 0, withheld: 0 };
      try {
        const records = (async function* () {
          for await (const { record } of readRecords(ctx.stdin)) yield record;
        })();
        for await (const record of recordCheckpoints(records, journal, counts)) await ctx.out.write(record);
      } finally {
        await journal.close();
      }
      if (counts.withheld > 0) ctx.log.warn(`${counts.withheld} folders had failures and were not marked done`);
      ctx.summary(`${path}: ${counts.saved} folders marked done`);
      return;
    }
    case "list": {
      const done = [...(await readCheckpoints(path))].sort();
      // Through the record writer, whose end waits for a slow reader of the pipe to take it all.
      await ctx.out.writeLines(done);
      ctx.summary(`${path}: ${done.length} folders done`);
      return;
    }
    case "clear":
      await clearCheckpoints(path);
      ctx.summary(`${path}: cleared`);
      return;
  }
}

/** Runs orcid-state with parsed flags; the exit code (none: 0). */
export async function runState(args: StateArgs, ctx: ToolContext): Promise<number | undefined> {
  const command = String(args._[0]);
  const lockFile = args.lockFile ?? `${args.file}.lock`;
  try {
    switch (command) {
      case "get":
        await get(args, ctx);
        return;
      case "set":
        if (args.unlock && args.pid === undefined) throw new UsageError("Cannot use --unlock without --pid");
        await set(args, ctx);
        // A script's last steps in one process: each Node start costs more than the work.
        if (args.clearCheckpoints) await clearCheckpoints(args.checkpointsFile);
        if (args.unlock)
          ctx.log.info(
            `${lockFile}: ${(await releaseLock(lockFile, args.pid!)) ? "released" : "not held by this pid"}`,
          );
        return;
      case "lock": {
        secondsFlag("--wait-lock", args.waitLock);
        const { tookOver, broken } = await acquireLock(lockFile, {
          pid: args.pid!,
          waitSeconds: args.waitLock,
          breakLock: args.breakLock,
        });
        if (tookOver)
          ctx.log.warn(
            broken
              ? `broke the lock of pid ${tookOver.pid} on ${tookOver.host} (since ${tookOver.since}) with --break-lock: that run was not proven gone`
              : `took over a stale lock of pid ${tookOver.pid} on ${tookOver.host} (since ${tookOver.since}): that process is gone`,
          );
        else if (broken) ctx.log.warn(`broke the lock ${lockFile}, which named no holder (damaged), with --break-lock`);
        // A new download starts from no checkpoints: cleared only once the lock is this run's.
        if (args.clearCheckpoints) await clearCheckpoints(args.checkpointsFile);
        ctx.summary(
          `${lockFile}: locked for pid ${args.pid}${args.clearCheckpoints ? `; ${args.checkpointsFile}: cleared` : ""}`,
        );
        return;
      }
      case "unlock":
        ctx.summary(`${lockFile}: ${(await releaseLock(lockFile, args.pid!)) ? "released" : "not held by this pid"}`);
        return;
      case "checkpoints":
        await checkpoints(args, ctx);
        return;
      default:
        throw new UsageError(`Unknown command '${command}': use get, set, lock, unlock or checkpoints`);
    }
  } catch (error) {
    if (error instanceof StateFileError || error instanceof LockHeldError) throw new FatalError(error.message);
    throw error;
  }
}
