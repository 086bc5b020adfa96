/** `orcid-db orcid DB ID…`: an iD's person record then its links, or its gone record. */
import { ExitCode } from "@orcid-sync/core";
import { orcidRecords } from "../queries.ts";
import { emit } from "./emit.ts";
import { FORMAT_OPTION, formatArg, orcidArgs } from "./query_args.ts";
import type { Verb } from "./verb.ts";

export const orcidVerb: Verb = {
  command: "orcid <db> <ids..>",
  describe: "An iD's person record then its links, or its gone record",
  options: (y) =>
    y
      .positional("db", { type: "string" })
      .positional("ids", { type: "string", array: true, describe: "ORCID iDs" })
      .option("format", FORMAT_OPTION),
  prepare: (args) => {
    const ids = orcidArgs(args.ids ?? []);
    return async (engine, ctx) => {
      const found = await emit(
        (async function* () {
          for (const id of ids) {
            const records = await orcidRecords(engine, id);
            if (records.length === 0) ctx.log.info(`nothing found for iD ${id}`);
            yield* records;
          }
        })(),
        ctx,
        { format: formatArg(args) },
      );
      ctx.summary(found ? `${found} records for ${ids.length} iDs` : "nothing found");
      return ExitCode.Ok;
    };
  },
};
