/** `orcid-db doi DB DOI…`: the current links of DOIs, with each iD's names. */
import { ExitCode } from "@orcid-sync/core";
import { doiLinks } from "../queries.ts";
import { emit } from "./emit.ts";
import { doiArgs, FORMAT_OPTION, formatArg } from "./query_args.ts";
import type { Verb } from "./verb.ts";

export const doiVerb: Verb = {
  command: "doi <db> <dois..>",
  describe: "The current links of DOIs, with each iD's names",
  options: (y) =>
    y
      .positional("db", { type: "string" })
      .positional("dois", { type: "string", array: true, describe: "DOIs in any form (https://doi.org/…, doi:…)" })
      .option("format", FORMAT_OPTION),
  prepare: (args) => {
    const dois = doiArgs(args.dois ?? []);
    return async (engine, ctx) => {
      const found = await emit(
        (async function* () {
          for (const doi of dois) {
            const links = await doiLinks(engine, doi);
            if (links.length === 0) ctx.log.info(`nothing found for DOI ${doi}`);
            yield* links;
          }
        })(),
        ctx,
        { format: formatArg(args) },
      );
      ctx.summary(found ? `${found} links for ${dois.length} DOIs` : "nothing found");
      return ExitCode.Ok;
    };
  },
};
