/** What a verb of the orcid-db command line is: its flags, its checks, and the work it does. */
import type { ToolContext, ToolSpec } from "@orcid-sync/core";
import type { SqlEngine } from "../engine.ts";

/** yargs' parser, as core's runner hands it to a tool. */
type Argv = Parameters<ToolSpec<DbArgs>["options"]>[0];

/** Every flag and positional of every verb, as yargs parses them (camelCase). */
export interface DbArgs {
  readonly _: (string | number)[];
  readonly db: string;
  readonly files?: string[];
  readonly dois?: string[];
  readonly ids?: string[];
  readonly prefixes?: string[];
  readonly tables?: string[];
  readonly query?: string;
  readonly since?: string;
  readonly after?: number;
  readonly output?: string;
  readonly format?: string;
  readonly json?: boolean;
  readonly top?: number;
  readonly batch?: number;
  readonly memoryLimit?: string;
  readonly threads?: number;
  readonly waitLock: number;
  readonly engine?: "duckdb" | "postgres";
  readonly schema: string;
}

/** Does a verb's work on the open database; returns the exit code. */
export type VerbRun = (engine: SqlEngine, ctx: ToolContext) => Promise<number>;

/** A verb: `orcid-db <command> DB …`. */
export interface Verb {
  /** The yargs command, e.g. `doi <db> <dois..>`. */
  readonly command: string;
  /** One line for `--help`. */
  readonly describe: string;
  /** Declares the verb's positionals and flags. */
  readonly options: (y: Argv) => Argv;
  /** Opens the database to write (and creates it). Default: read-only. */
  readonly write?: boolean;
  /** DuckDB's worker threads unless `--threads` says otherwise. Default: DuckDB's (one per core). */
  readonly threads?: number;
  /**
   * Checks the arguments before the database is opened (a usage error is exit 2 whatever the
   * database) and returns the work to do.
   */
  readonly prepare: (args: DbArgs) => VerbRun;
}
