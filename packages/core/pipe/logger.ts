/** Human messages on stderr, one line each, prefixed with the tool's name. */
import type { Writable } from "node:stream";
import { redact } from "./redact.ts";

/** Message levels, most severe first. */
export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Parses a level, accepting the reference scripts' spellings (`DEBUG`, `INFO`, `WARN`, `WARNING`, `ERROR`). */
export function parseLogLevel(value: string): LogLevel {
  const level = value.toLowerCase() === "warning" ? "warn" : value.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new RangeError(`Invalid log level '${value}': use one of ${LOG_LEVELS.join(", ")}`);
  }
  return level as LogLevel;
}

/** A line-oriented logger. */
export interface Logger {
  readonly level: LogLevel;
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  /** Whether messages of `level` are printed. */
  enabled(level: LogLevel): boolean;
}

/** Options for {@linkcode createLogger}. */
export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Called before each line, e.g. to erase a progress line. */
  readonly beforeWrite?: () => void;
}

const LABEL: Record<LogLevel, string> = { error: "error: ", warn: "warning: ", info: "", debug: "debug: " };

/**
 * A logger writing `name: [label: ]message` lines to `stream`, with registered secrets redacted.
 *
 * @example
 * ```ts
 * const log = createLogger("orcid-fetch", process.stderr, { level: "info" });
 * log.warn("3 objects were missing"); // orcid-fetch: warning: 3 objects were missing
 * ```
 */
export function createLogger(name: string, stream: Writable, options: LoggerOptions = {}): Logger {
  const level = options.level ?? "info";
  const threshold = LOG_LEVELS.indexOf(level);
  const enabled = (l: LogLevel) => LOG_LEVELS.indexOf(l) <= threshold;
  const write = (l: LogLevel, message: string) => {
    if (!enabled(l)) return;
    options.beforeWrite?.();
    for (const line of redact(message).split("\n")) stream.write(`${name}: ${LABEL[l]}${line}\n`);
  };
  return {
    level,
    enabled,
    error: (m) => write("error", m),
    warn: (m) => write("warn", m),
    info: (m) => write("info", m),
    debug: (m) => write("debug", m),
  };
}
