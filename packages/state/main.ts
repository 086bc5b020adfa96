/** The orcid-state command line. */
import { createReadStream, existsSync } from "node:fs";
import {
  CHECKPOINT_FILE,
  CheckpointJournal,
  clearCheckpoints,
  readCheckpoints,
  asUsage,
  FatalError,
  formatIsoMicros,
  nowMicros,
  packageVersion,
  parseSpan,
  parseWhen,
  readRecords,
  runMain,
  type ToolContext,
  secondsFlag,
  UsageError,
} from "@orcid-sync/core";
import { lambdaReach } from "./lambda_reach.ts";
import { LAST_RAN_FILE, readLastRan, readLastRanState, StateFileError, utcFileOf, writeLastRan } from "./last_ran.ts";
import { acquireLock, LockHeldError, releaseLock } from "./lock.ts";
import { type CheckpointCounts, recordCheckpoints } from "./record_checkpoints.ts";

interface StateArgs {
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
    ctx.log.info(`${utcFileOf(args.file)} does not agree with ${args.file} (written or edited since): reading ${args.file} in local time`);
  }
  ctx.summary(`${args.file}: last run started ${formatIsoMicros(saved)}${state?.from === "utc" ? ` (${utcFileOf(args.file)})` : ""}`);
}

async function set(args: StateArgs, ctx: ToolContext): Promise<void> {
  const started = args.time === undefined ? nowMicros() : asUsage(() => parseWhen(args.time!, nowMicros()), "--time");
  let time = started;
  if (args.records !== undefined) {
    const input = args.records === "-" ? ctx.stdin : createReadStream(args.records);
    const source = args.records === "-" ? "stdin" : args.records;
    const reach = await lambdaReach((async function* () {
      for await (const { record } of readRecords(input, { source })) yield record;
    })());
    if (reach === undefined) {
      throw new FatalError(`No lambda record in ${source}: cannot tell how far the lambda file reached; ${args.file} is unchanged`);
    }
    const previous = await readLastRan(args.file);
    if (previous !== undefined && reach < previous) {
      ctx.log.warn(`the lambda file's newest row (${formatIsoMicros(reach)}) is older than the last run (${formatIsoMicros(previous)}): ORCID has not regenerated it since; saving its time, so the next run reads from there`);
    }
    if (reach < time) time = reach;
  }
  await writeLastRan(args.file, time);
  ctx.summary(`${args.file}: saved ${formatIsoMicros(time)}${time < started ? ` (the lambda file's newest row, before the run's start ${formatIsoMicros(started)})` : ""}`);
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

await runMain<StateArgs>({
  name: "orcid-state",
  version: packageVersion(import.meta.url),
  usage:
    "$0 <command> [options]\n\nRead and write the sync state: last_ran.config (the reference's file, in the current directory), the lock that keeps a second sync out, and resume checkpoints.",
  examples: [
    ["orcid-list --since \"$(orcid-state get --default 30d)\" -s", "1. sync what changed since the last run (or the last 30 days)"],
    [
      "set -o pipefail; started=$(date -u +%FT%T.%6NZ); orcid-list --since \"$(orcid-state get --default 30d)\" -s | orcid-fetch | orcid-place DIR | grep '^{\"type\":\"lambda\"' > reach.ndjson && orcid-state set --time \"$started\" --records reach.ndjson",
      "2. after a run succeeded (pipefail: any failed stage fails the pipe), save its start time, or the lambda file's newest row if earlier",
    ],
    ["orcid-state lock --pid $$ && trap 'orcid-state unlock --pid $$' EXIT", "3. one sync at a time"],
    ["orcid-state lock --pid $$ --wait-lock 600", "4. wait up to 10 minutes for a running sync to finish"],
    ["… | orcid-place DIR | orcid-state checkpoints record", "5. save the folders a full download finished, for orcid-list --all --resume"],
  ],
  epilog:
    "get prints an ISO time in UTC (the saved time less --overlap) that orcid-list --since reads. last_ran.config holds local time YYYY-MM-DD HH:MM:SS.ffffff without a newline, as the reference writes it; set also writes the same instant in UTC to last_ran.config.utc beside it, which get uses while it agrees with last_ran.config read in some zone (so a change of TZ opens no gap, and an edit of last_ran.config is obeyed). With --records, set saves the earlier of --time and the newest last_modified of the lambda file (the lambda records orcid-list emits), and warns when that file is older than the last run. The lock (last_ran.config.lock) names its holder's pid, host, start time and when it took the lock; it is taken over only from a holder proven gone (on this host: no process with that pid and start time). A lock of another host needs --break-lock once you know that run is over; a holder that runs makes lock exit 3 naming it.",
  options: (argv) =>
    argv
      .command("get", "Print the cutoff for the next sync: the last run's start time less the overlap, in UTC", (y) =>
        y
          .option("default", { type: "string", describe: "Print this time instead when there is no state file (e.g. 30d)" })
          .option("overlap", { type: "string", default: "1h", describe: "Safety margin subtracted from the saved time" }),
      )
      .command("set", "Save a run's start time atomically (local time, 6 fraction digits; UTC in FILE.utc)", (y) =>
        y
          .option("time", { type: "string", describe: "The time to save: ISO, a date, or a span back from now (default: now)" })
          .option("records", {
            type: "string",
            nargs: 1,
            describe: "NDJSON records from the end of the pipe (a file, - for stdin): save no later than the newest row of the lambda file its lambda records name; none is fatal",
          }),
      )
      .command("lock", "Take the lock beside the state file for a process, or fail if a live one holds it", (y) =>
        y
          .option("pid", { type: "number", demandOption: true, describe: "The process holding the lock (a script's $$)" })
          .option("wait-lock", { type: "number", default: 0, describe: "Wait up to this many seconds for the holder to finish (default: fail at once)" })
          .option("break-lock", {
            type: "boolean",
            default: false,
            describe: "Take over a lock whose holder cannot be checked: one of another host, or a lock file that names nobody",
          }),
      )
      .command("unlock", "Release the lock if the process holds it", (y) =>
        y.option("pid", { type: "number", demandOption: true, describe: "The process that took the lock" }),
      )
      .command("checkpoints <action>", "Resume checkpoints: record (a filter at the end of a pipe), list, clear", (y) =>
        y.positional("action", { choices: ["record", "list", "clear"] as const, describe: "What to do" }),
      )
      .option("file", { type: "string", default: LAST_RAN_FILE, describe: "The state file" })
      .option("lock-file", { type: "string", describe: "The lock file (default: the state file + .lock)" })
      .option("checkpoints-file", { type: "string", default: CHECKPOINT_FILE, describe: "The resume checkpoint journal" })
      .demandCommand(1, "Name a command: get, set, lock, unlock or checkpoints") as never,
  main: async (args, ctx) => {
    const command = String(args._[0]);
    const lockFile = args.lockFile ?? `${args.file}.lock`;
    try {
      switch (command) {
        case "get":
          return await get(args, ctx);
        case "set":
          return await set(args, ctx);
        case "lock": {
          secondsFlag("--wait-lock", args.waitLock);
          const { tookOver } = await acquireLock(lockFile, { pid: args.pid!, waitSeconds: args.waitLock, breakLock: args.breakLock });
          if (tookOver) ctx.log.warn(`took over a stale lock of pid ${tookOver.pid} on ${tookOver.host} (since ${tookOver.since}): that process is gone`);
          ctx.summary(`${lockFile}: locked for pid ${args.pid}`);
          return;
        }
        case "unlock":
          ctx.summary(`${lockFile}: ${(await releaseLock(lockFile, args.pid!)) ? "released" : "not held by this pid"}`);
          return;
        case "checkpoints":
          return await checkpoints(args, ctx);
        default:
          throw new UsageError(`Unknown command '${command}': use get, set, lock, unlock or checkpoints`);
      }
    } catch (error) {
      if (error instanceof StateFileError || error instanceof LockHeldError) throw new FatalError(error.message);
      throw error;
    }
  },
});
