/**
 * The frame every tool's main.ts runs in: flags, stdio, signals, exit codes, logging, progress and
 * the closing summary. The only code of the tools that touches `process`.
 */
import { setMaxListeners } from "node:events";
import type { Readable, Writable } from "node:stream";
import yargs, { type Argv } from "yargs";
import { ItemErrorLog } from "./item_errors.ts";
import { createLogger, type Logger, LOG_LEVELS, parseLogLevel } from "./logger.ts";
import { Progress } from "./progress.ts";
import { redact, registerSecret } from "./redact.ts";
import { releaseHeldLocks, removeLiveTempFiles } from "../files/mod.ts";
import { keepWasmOnBaselineCompiler } from "./wasm_tiering.ts";
import { DownstreamClosedError, RecordWriter, streamFlushed } from "./write_records.ts";
import { capYoungGeneration } from "./young_generation.ts";

/** The exit statuses of every tool. */
export const ExitCode = {
  /** Everything done (skips and missing objects included). */
  Ok: 0,
  /** Finished, but some items failed (see the error records). */
  ItemsFailed: 1,
  /** Bad flags or arguments. */
  Usage: 2,
  /** Stopped early: malformed input, unwritable output, bad credentials. */
  Fatal: 3,
  Interrupted: 130,
  Terminated: 143,
} as const;

/** A wrong flag or argument: exit 2 with the message and a pointer to `--help`. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Runs a parser of a flag's value and turns what it throws into a {@linkcode UsageError} (exit 2),
 * prefixed with the flag.
 *
 * @example
 * ```ts
 * const cutoff = asUsage(() => parseWhen(args.since, nowMicros()), "--since");
 * ```
 */
export function asUsage<T>(parse: () => T, flag?: string): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(`${flag ? `${flag}: ` : ""}${(error as Error).message}`);
  }
}

/** A condition that ends the run (exit 3) with one clear message and no stack trace. */
export class FatalError extends Error {
  override name = "FatalError";
}

/** What a tool's main function gets. */
export interface ToolContext {
  readonly log: Logger;
  /** Records to stdout. */
  readonly out: RecordWriter;
  readonly stdin: Readable;
  /** Aborted on SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  readonly progress: Progress;
  /** Sets the one-line summary printed at the end of the run; the elapsed time is appended. */
  summary(text: string): void;
}

/** Flags the runner adds to every tool. */
export interface CommonArgs {
  readonly logLevel: string;
  readonly progress: boolean;
}

/** A tool, as its main.ts describes it. */
export interface ToolSpec<A> {
  /** The command name, e.g. `orcid-list`. */
  readonly name: string;
  readonly version: string;
  /** The usage line and a short description, for `--help`. */
  readonly usage: string;
  /** Numbered, runnable examples for `--help`. */
  readonly examples?: readonly (readonly [command: string, description: string])[];
  /** Text after the options in `--help` (records in and out, exit codes). */
  readonly epilog?: string;
  /** Declares the tool's own flags. */
  readonly options: (argv: Argv) => Argv<A>;
  /**
   * Keep V8's new space to this many MiB ({@linkcode capYoungGeneration}): the download's tools, whose
   * RSS adds up in one pipe. Default: V8's own sizing.
   */
  readonly youngGenerationMiB?: number;
  /** Does the work; returns an exit code (default 0). */
  readonly main: (args: A & CommonArgs, context: ToolContext) => Promise<number | undefined>;
}

/** The standard streams and arguments; replaceable for tests. */
export interface ToolIo {
  readonly argv: readonly string[];
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

const EXIT_CODES_HELP = "Exit status: 0 done, 1 some items failed, 2 usage error, 3 fatal error, 130/143 interrupted.";

/**
 * Runs a tool and returns its exit code; never throws. {@linkcode runMain} calls it and exits.
 */
export async function runTool<A>(spec: ToolSpec<A>, io: ToolIo, signal: AbortSignal): Promise<number> {
  const started = performance.now();
  let progress: Progress | undefined;
  let log = createLogger(spec.name, io.stderr);
  const usageError = (message: string) => {
    log.error(message);
    io.stderr.write(`${spec.name}: try '${spec.name} --help' for more information\n`);
    return ExitCode.Usage;
  };

  let args: (A & CommonArgs & { help?: boolean; version?: boolean }) | undefined;
  let helpShown = false;
  try {
    const parser = spec
      .options(yargs([...io.argv]))
      .scriptName(spec.name)
      .usage(spec.usage)
      .option("log-level", {
        type: "string",
        default: "info",
        describe: `Messages to show on stderr: ${LOG_LEVELS.join(", ")}`,
        coerce: parseLogLevel,
      })
      .option("progress", {
        type: "boolean",
        default: false,
        describe: "Show a progress line on stderr even when it is not a terminal",
      })
      .version(spec.version)
      .help()
      .alias("h", "help")
      .strict()
      .exitProcess(false)
      .wrap(Math.min(100, process.stdout.columns ?? 100))
      .epilog(spec.epilog ? `${spec.epilog}\n\n${EXIT_CODES_HELP}` : EXIT_CODES_HELP)
      .fail((message, error) => {
        throw new UsageError(message ?? error?.message ?? "Invalid arguments");
      });
    for (const [command, description] of spec.examples ?? []) parser.example(command, description);
    parser.showHelpOnFail(false);
    // yargs prints --help and --version itself; the callback tells us it did.
    args = (await parser.parseAsync([...io.argv], {}, (_error, _argv, output) => {
      if (output) {
        helpShown = true;
        io.stdout.write(`${output}\n`);
      }
    })) as typeof args;
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  if (helpShown || !args) return ExitCode.Ok;

  const level = args.logLevel as ReturnType<typeof parseLogLevel>;
  const inPlace = Boolean(io.stderr.isTTY);
  progress = new Progress(spec.name, io.stderr, { enabled: inPlace || args.progress, inPlace });
  const shown = progress;
  log = createLogger(spec.name, io.stderr, { level, beforeWrite: () => shown.clear() });
  registerSecret(io.env.AWS_SECRET_ACCESS_KEY);
  registerSecret(io.env.AWS_SESSION_TOKEN);

  // A run that ends with failed items names the first of them here, not only in its records.
  const itemErrors = new ItemErrorLog(spec.name, log);
  const out = new RecordWriter(io.stdout, { onErrorLine: (line) => itemErrors.add(line) });
  let summary = "done";
  const context: ToolContext = { log, out, stdin: io.stdin, signal, progress, summary: (text) => (summary = text) };
  let code: number;
  try {
    code = (await spec.main(args, context)) ?? ExitCode.Ok;
    await out.end();
  } catch (error) {
    progress.stop();
    if (error instanceof DownstreamClosedError) return ExitCode.Ok;
    // Records written before the failure (error records among them) still reach the reader.
    await out.end().catch(() => {});
    if (signal.aborted) return ExitCode.Interrupted;
    if (error instanceof UsageError) return usageError(error.message);
    log.error(describeError(error));
    if (!(error instanceof FatalError) && error instanceof Error && error.stack) log.debug(redact(error.stack));
    return ExitCode.Fatal;
  }
  progress.stop();
  itemErrors.finish();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  log.info(`${summary} in ${seconds} s`);
  return code;
}

/** One line for an error: its message, with a cause that adds something. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause =
    error.cause instanceof Error && !error.message.includes(error.cause.message) ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

/**
 * Runs a tool as the process: parses `process.argv`, wires SIGINT/SIGTERM (abort, remove temp
 * files, exit 130/143) and exits with the tool's code.
 *
 * @example
 * ```ts
 * await runMain({ name: "orcid-state", version, usage: "$0 <command>", options: (y) => y, main: async () => 0 });
 * ```
 */
export async function runMain<A>(spec: ToolSpec<A>): Promise<never> {
  // We support Node 20.19+ (docs/node-versions.md); the SDK's notice about its future floor is not for our users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  keepWasmOnBaselineCompiler();
  if (spec.youngGenerationMiB !== undefined) capYoungGeneration(spec.youngGenerationMiB);
  const controller = new AbortController();
  // Every in-flight request listens on this signal: many at once is the design, not a leak.
  setMaxListeners(0, controller.signal);
  const onSignal = (signal: NodeJS.Signals, code: number) => {
    controller.abort(new Error(`Interrupted by ${signal}`));
    removeLiveTempFiles();
    releaseHeldLocks();
    process.stderr.write(`${spec.name}: interrupted by ${signal}\n`);
    process.exit(code);
  };
  process.once("SIGINT", () => onSignal("SIGINT", ExitCode.Interrupted));
  process.once("SIGTERM", () => onSignal("SIGTERM", ExitCode.Terminated));
  // A reader that went away is a normal end; without a listener Node would throw.
  process.stdout.on("error", () => {});
  const code = await runTool(
    spec,
    {
      argv: process.argv.slice(2),
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
    },
    controller.signal,
  );
  // A run that stopped early may have writes in flight: their temp files go too.
  removeLiveTempFiles();
  releaseHeldLocks();
  // Whatever a tool wrote to a pipe reaches its reader before the exit (a reader gone is fine).
  await streamFlushed(process.stdout).catch(() => {});
  process.exit(code);
}
