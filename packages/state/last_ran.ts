/**
 * last_ran.config, as the reference writes it: the run's start time in the host's local time,
 * `YYYY-MM-DD HH:MM:SS.ffffff`, no zone, no newline. Beside it, `last_ran.config.utc` holds the
 * same instant in UTC: local time without a zone names another instant under another TZ (a cron
 * job in UTC, a shell in Los Angeles), and the UTC file keeps that from opening a gap.
 */
import { readFile } from "node:fs/promises";
import { atomicWrite, formatIsoMicros, formatLocalMicros, type Micros, parseDateTime } from "@orcid-sync/core";

/** The reference's file name, in the current directory. */
export const LAST_RAN_FILE = "last_ran.config";

/** Thrown for a state file whose content is not a time. */
export class StateFileError extends Error {
  override name = "StateFileError";
}

const LOCAL_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?$/;
const UTC_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
/** Every zone in use is a whole number of quarter hours from UTC, from -12:00 to +14:00. */
const QUARTER_HOUR: Micros = 15 * 60e6;
const WEST_MOST: Micros = -12 * 3600e6;
const EAST_MOST: Micros = 14 * 3600e6;

/**
 * Our file beside the reference's: the same instant in UTC (`2026-11-20T09:00:00.123456Z`).
 *
 * @example
 * ```ts
 * utcFileOf("last_ran.config"); // "last_ran.config.utc"
 * ```
 */
export function utcFileOf(path: string): string {
  return `${path}.utc`;
}

/** The saved start time, and which file it came from. */
export interface LastRan {
  readonly micros: Micros;
  /**
   * `utc`: the UTC file, which agrees with last_ran.config read in some zone; `local`:
   * last_ran.config read in this host's zone (no UTC file, or one that disagrees: the reference or
   * a person wrote last_ran.config since).
   */
  readonly from: "utc" | "local";
}

/**
 * Reads the saved start time, or undefined when there is no last_ran.config. Accepts the
 * fraction-less form the reference writes when microseconds are 0. The UTC file beside it is used
 * only while it agrees with last_ran.config read in some zone; otherwise last_ran.config, in local
 * time, has the last word (so editing it back re-syncs that window).
 *
 * @example
 * ```ts
 * const lastRan = await readLastRanState("last_ran.config"); // { micros, from: "utc" }
 * ```
 */
export async function readLastRanState(path: string): Promise<LastRan | undefined> {
  const value = await readText(path);
  if (value === undefined) return undefined;
  const local = LOCAL_TIME.test(value) ? parseDateTime(value, "local") : undefined;
  if (local === undefined) {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    throw new StateFileError(`Cannot read ${path}: '${shown}' is not a time like 2026-11-20 09:00:00.123456`);
  }
  const utc = await readUtc(utcFileOf(path));
  if (utc !== undefined) {
    // last_ran.config read in the zone `offset` east of UTC names utc exactly.
    const offset = parseDateTime(value, "utc")! - utc;
    if (offset % QUARTER_HOUR === 0 && offset >= WEST_MOST && offset <= EAST_MOST) return { micros: utc, from: "utc" };
  }
  return { micros: local, from: "local" };
}

/**
 * The saved start time ({@linkcode readLastRanState}), or undefined when there is none.
 *
 * @example
 * ```ts
 * const lastRan = await readLastRan("last_ran.config");
 * ```
 */
export async function readLastRan(path: string): Promise<Micros | undefined> {
  return (await readLastRanState(path))?.micros;
}

/**
 * Writes the start time atomically: first the UTC file, then last_ran.config (six fraction
 * digits, local time, no newline). A crash between the two leaves files that disagree, and the
 * older last_ran.config wins: never a later cutoff than the work done.
 */
export async function writeLastRan(path: string, micros: Micros): Promise<void> {
  await atomicWrite(utcFileOf(path), `${formatIsoMicros(micros)}\n`, { fsync: true });
  await atomicWrite(path, formatLocalMicros(micros), { fsync: true });
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StateFileError(`Cannot read ${path}: ${(error as Error).message}`);
  }
}

/** Our UTC file; undefined when it is missing or not such a time (last_ran.config decides then). */
async function readUtc(path: string): Promise<Micros | undefined> {
  const value = await readText(path);
  return value !== undefined && UTC_TIME.test(value) ? parseDateTime(value, "utc") : undefined;
}
