/** `orcid-db sql DB "SELECT …"`: a read-only query; its NDJSON rows are plain rows, not protocol records. */
import { ExitCode, UsageError } from "@orcid-sync/core";
import { QueryRefusedError } from "../engine.ts";
import { emit } from "./emit.ts";
import { FORMAT_OPTION, formatArg, OUTPUT_OPTION } from "./query_args.ts";
import type { Verb } from "./verb.ts";

export const sqlVerb: Verb = {
  command: "sql <db> <query>",
  describe: "Run one read-only SQL statement; rows as plain JSON objects (column: value), not records with a type",
  options: (y) =>
    y
      .positional("db", { type: "string" })
      .positional("query", {
        type: "string",
        describe:
          "One SELECT (or EXPLAIN) statement; writes, ATTACH, COPY, SET… are refused (PostgreSQL: run in a READ ONLY transaction)",
      })
      .option("format", FORMAT_OPTION)
      .option("output", OUTPUT_OPTION),
  prepare: (args) => {
    const query = String(args.query ?? "").trim();
    if (query === "") throw new UsageError("Give a SQL query");
    return async (engine, ctx) => {
      const rows = engine.readOnlyQuery(query);
      // A refusal comes before the first row: exit 2, like any bad argument.
      const checked = (async function* () {
        try {
          yield* rows;
        } catch (error) {
          if (error instanceof QueryRefusedError) throw new UsageError(`Cannot run the query: ${error.message}`);
          throw error;
        }
      })();
      const found = await emit(checked, ctx, { format: formatArg(args), output: args.output });
      ctx.summary(found ? `${found} rows` : "nothing found: the query returned no rows");
      return ExitCode.Ok;
    };
  },
};
