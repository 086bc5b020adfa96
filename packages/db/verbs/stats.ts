/** `orcid-db stats DB`: the round-trip picture, a table for people or one JSON record with --json. */
import { ExitCode, UsageError } from "@orcid-sync/core";
import { databaseStats } from "../stats.ts";
import { statsTable } from "../stats_table.ts";
import type { Verb } from "./verb.ts";

export const statsVerb: Verb = {
  command: "stats <db>",
  describe:
    "The round trip in figures: DOIs, links, pairs, iDs, top iDs' share, classes, relationships, prefixes, recent removals, gone iDs",
  options: (y) =>
    y
      .positional("db", { type: "string" })
      .option("json", {
        type: "boolean",
        default: false,
        describe: "Print one JSON record (type stats) instead of a table",
      })
      .option("top", { type: "number", default: 10, describe: "How many DOI prefixes to list" }),
  prepare: (args) => {
    const top = args.top ?? 10;
    if (!(Number.isInteger(top) && top >= 0)) throw new UsageError("--top takes a whole number ≥ 0");
    return async (engine, ctx) => {
      const stats = await databaseStats(engine, { topPrefixes: top });
      if (args.json) await ctx.out.write(stats);
      else for (const line of statsTable(stats)) await ctx.out.writeLine(line);
      ctx.summary(`${stats.links} links, ${stats.dois} DOIs, ${stats.idsWithLinks} iDs with links`);
      return ExitCode.Ok;
    };
  },
};
