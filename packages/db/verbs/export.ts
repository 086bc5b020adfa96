/** `orcid-db export DB links`: every current link, sorted. */
import { ExitCode } from "@orcid-sync/core";
import { exportLinks } from "../queries.ts";
import { emit } from "./emit.ts";
import { FORMAT_OPTION, formatArg, OUTPUT_OPTION } from "./query_args.ts";
import type { Verb } from "./verb.ts";

export const exportVerb: Verb = {
  command: "export <db> <tables..>",
  describe: "Every current link, sorted by (doi, orcid, putCode)",
  options: (y) =>
    y
      .positional("db", { type: "string" })
      .positional("tables", { choices: ["links"] as const, array: true, describe: "What to export" })
      .option("format", FORMAT_OPTION)
      .option("output", OUTPUT_OPTION),
  prepare: (args) => async (engine, ctx) => {
    const found = await emit(exportLinks(engine), ctx, { format: formatArg(args), output: args.output });
    ctx.summary(found ? `${found} links exported${args.output ? ` to ${args.output}` : ""}` : "nothing found: no links");
    return ExitCode.Ok;
  },
};
