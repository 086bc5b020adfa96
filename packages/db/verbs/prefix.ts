/** `orcid-db prefix DB PREFIX…`: every current link under DOI prefixes, or with --since/--after what changed under them. */
import { ExitCode } from "@orcid-sync/core";
import { linkChanges, prefixLinks } from "../queries.ts";
import { AFTER_OPTION, SINCE_OPTION } from "./changes.ts";
import { emit } from "./emit.ts";
import { changesFromArgs, FORMAT_OPTION, formatArg, OUTPUT_OPTION, prefixArgs } from "./query_args.ts";
import type { Verb } from "./verb.ts";

export const prefixVerb: Verb = {
  command: "prefix <db> <prefixes..>",
  describe:
    "Every current link under DOI prefixes (10.5438), with each iD's names; with --since/--after, the changes under them",
  options: (y) =>
    y
      .positional("db", { type: "string" })
      .positional("prefixes", {
        type: "string",
        array: true,
        describe: "DOI prefixes (10.5438, doi:10.5438, https://doi.org/10.5438/)",
      })
      .option("since", SINCE_OPTION)
      .option("after", AFTER_OPTION)
      .option("format", FORMAT_OPTION)
      .option("output", OUTPUT_OPTION),
  prepare: (args) => {
    const prefixes = prefixArgs(args.prefixes ?? []);
    const from = changesFromArgs(args);
    const under = prefixes.join(", ");
    return async (engine, ctx) => {
      const records = from ? linkChanges(engine, from, { prefixes }) : prefixLinks(engine, prefixes);
      const found = await emit(records, ctx, { format: formatArg(args), output: args.output });
      if (found === 0) ctx.summary(`nothing found: no ${from ? "changes" : "links"} under ${under}`);
      else
        ctx.summary(
          `${found} ${from ? "changes" : "links"} under ${under}${args.output ? ` written to ${args.output}` : ""}`,
        );
      return ExitCode.Ok;
    };
  },
};
