/**
 * last_ran.config, as the reference writes it: the run's start time in the host's local time,
 * `YYYY-MM-DD HH:MM:SS.ffffff`, no zone, no newline.
 */
import { readFile } from "node:fs/promises";
import { atomicWrite, formatLocalMicros, type Micros, parseDateTime } from "@orcid-sync/core";

/** The reference's file name, in the current directory. */
export const LAST_RAN_FILE = "last_ran.config";

/** Thrown for a state file whose content is not a time. */
export class StateFileError extends Error {
  override name = "StateFileError";
}

const LOCAL_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?$/;

/**
 * Reads the saved start time, or undefined when there is no file. Accepts the fraction-less form
 * the reference writes when microseconds are 0.
 *
 * @example
 * ```ts
 * const lastRan = await readLastRan("last_ran.config");
 * ```
 */
export async function readLastRan(path: string): Promise<Micros | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StateFileError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  const value = text.trim();
  const micros = LOCAL_TIME.test(value) ? parseDateTime(value, "local") : undefined;
  if (micros === undefined) {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    throw new StateFileError(`Cannot read ${path}: '${shown}' is not a time like 2026-11-20 09:00:00.123456`);
  }
  return micros;
}

/** Writes the start time atomically, six fraction digits, local time, no newline. */
export async function writeLastRan(path: string, micros: Micros): Promise<void> {
  await atomicWrite(path, formatLocalMicros(micros), { fsync: true });
}
