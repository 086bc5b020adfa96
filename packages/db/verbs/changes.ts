/** `orcid-db changes DB (--since WHEN | --after SEQ)`: the feed of links added and removed. */
import { ExitCode, UsageError } from "@orcid-sync/core";
import { linkChanges } from "../queries.ts";
import { emit } from "./emit.ts";
import { changesFromArgs, FORMAT_OPTION, formatArg } from "./query_args.ts";
import type { Verb } from "./verb.ts";

/** The `--since` and `--after` flags, shared with `prefix`. */
export const SINCE_OPTION = {
  type: "string",
  describe: "Changes recorded since WHEN (30d, 2026-11-01, an ISO time)",
} as const;
export const AFTER_OPTION = {
  type: "number",
  describe: "Changes after event number SEQ (for polling: keep the last seq)",
} as const;

export const changesVerb: Verb = {
  command: "changes <db>",
  describe: "Links added and removed, ordered by seq",
  options: (y) =>
    y
      .positional("db", { type: "string" })
      .option("since", SINCE_OPTION)
      .option("after", AFTER_OPTION)
      .option("format", FORMAT_OPTION),
  prepare: (args) => {
    const from = changesFromArgs(args);
    if (!from) throw new UsageError("Give one of --since WHEN or --after SEQ");
    return async (engine, ctx) => {
      const found = await emit(linkChanges(engine, from), ctx, { format: formatArg(args) });
      ctx.summary(found ? `${found} changes` : "nothing found: no changes");
      return ExitCode.Ok;
    };
  },
};
