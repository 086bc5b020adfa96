/** The orcid-state command line. */
import { CHECKPOINT_FILE, packageVersion, runMain } from "@orcid-sync/core";
import { LAST_RAN_FILE } from "./last_ran.ts";
import { runState, type StateArgs } from "./run_state.ts";

await runMain<StateArgs>({
  name: "orcid-state",
  version: packageVersion(import.meta.url),
  usage:
    "$0 <command> [options]\n\nRead and write the sync state: last_ran.config (the reference's file, in the current directory), the lock that keeps a second sync out, and resume checkpoints.",
  examples: [
    [
      'orcid-list --since "$(orcid-state get --default 30d)" -s',
      "1. sync what changed since the last run (or the last 30 days)",
    ],
    [
      'set -o pipefail; started=$(date -u +%FT%T.%6NZ); orcid-list --since "$(orcid-state get --default 30d)" -s | orcid-fetch | orcid-place DIR | grep \'^{"type":"lambda"\' > reach.ndjson && orcid-state set --time "$started" --records reach.ndjson',
      "2. after a run succeeded (pipefail: any failed stage fails the pipe), save its start time, or the lambda file's newest row if earlier",
    ],
    ["orcid-state lock --pid $$ && trap 'orcid-state unlock --pid $$' EXIT", "3. one sync at a time"],
    ["orcid-state lock --pid $$ --wait-lock 600", "4. wait up to 10 minutes for a running sync to finish"],
    [
      "… | orcid-place DIR | orcid-state checkpoints record",
      "5. save the folders a full download finished, for orcid-list --all --resume",
    ],
  ],
  epilog:
    "get prints an ISO time in UTC (the saved time less --overlap) that orcid-list --since reads. last_ran.config holds local time YYYY-MM-DD HH:MM:SS.ffffff without a newline, as the reference writes it; set also writes the same instant in UTC to last_ran.config.utc beside it, which get uses while it agrees with last_ran.config read in some zone (so a change of TZ opens no gap, and an edit of last_ran.config is obeyed). With --records, set saves the earlier of --time and the newest last_modified of the lambda file (the lambda records orcid-list emits), and warns when that file is older than the last run. The lock (last_ran.config.lock) names its holder's pid, host, start time and when it took the lock; it is taken over only from a holder proven gone (on this host: no process with that pid and start time). A lock of another host needs --break-lock once you know that run is over; a holder that runs makes lock exit 3 naming it.",
  options: (argv) =>
    argv
      .command("get", "Print the cutoff for the next sync: the last run's start time less the overlap, in UTC", (y) =>
        y
          .option("default", {
            type: "string",
            describe: "Print this time instead when there is no state file (e.g. 30d)",
          })
          .option("overlap", {
            type: "string",
            default: "1h",
            describe: "Safety margin subtracted from the saved time",
          }),
      )
      .command("set", "Save a run's start time atomically (local time, 6 fraction digits; UTC in FILE.utc)", (y) =>
        y
          .option("time", {
            type: "string",
            describe: "The time to save: ISO, a date, or a span back from now (default: now)",
          })
          .option("records", {
            type: "string",
            nargs: 1,
            describe:
              "NDJSON records from the end of the pipe (a file, - for stdin): save no later than the newest row of the lambda file its lambda records name; none is fatal",
          })
          .option("clear-checkpoints", {
            type: "boolean",
            describe: "Then clear the resume checkpoints (a full download that finished)",
          })
          .option("unlock", {
            type: "boolean",
            describe: "Then release the lock of --pid (a script's last step, in the same process)",
          })
          .option("pid", { type: "number", describe: "With --unlock: the process that took the lock" }),
      )
      .command("lock", "Take the lock beside the state file for a process, or fail if a live one holds it", (y) =>
        y
          .option("pid", {
            type: "number",
            demandOption: true,
            describe: "The process holding the lock (a script's $$)",
          })
          .option("wait-lock", {
            type: "number",
            default: 0,
            describe: "Wait up to this many seconds for the holder to finish (default: fail at once)",
          })
          .option("break-lock", {
            type: "boolean",
            default: false,
            describe:
              "Take over a lock whose holder cannot be checked: one of another host, or a lock file that names nobody",
          })
          .option("clear-checkpoints", {
            type: "boolean",
            describe: "Once the lock is held, clear the resume checkpoints (a download that starts over)",
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
      .option("checkpoints-file", {
        type: "string",
        default: CHECKPOINT_FILE,
        describe: "The resume checkpoint journal",
      })
      .demandCommand(1, "Name a command: get, set, lock, unlock or checkpoints") as never,
  main: runState,
});
