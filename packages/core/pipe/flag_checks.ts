/** The checks of numeric flags every tool shares, with one wording for their usage errors. */
import { UsageError } from "./cli_runner.ts";

/**
 * `value` if it is a whole number from `min` (to `max`); else a UsageError naming the flag.
 *
 * @example
 * ```ts
 * const concurrency = wholeNumberFlag("--concurrency", args.concurrency, 1); // "--concurrency takes a whole number ≥ 1"
 * ```
 */
export function wholeNumberFlag(flag: string, value: number, min: number, max?: number): number {
  if (Number.isInteger(value) && value >= min && (max === undefined || value <= max)) return value;
  throw new UsageError(
    max === undefined ? `${flag} takes a whole number ≥ ${min}` : `${flag} takes a whole number from ${min} to ${max}`,
  );
}

/**
 * `value` if it is a number of seconds ≥ 0 (`--wait-lock`); else a UsageError naming the flag.
 *
 * @example
 * ```ts
 * const wait = secondsFlag("--wait-lock", args.waitLock);
 * ```
 */
export function secondsFlag(flag: string, value: number): number {
  if (Number.isFinite(value) && value >= 0) return value;
  throw new UsageError(`${flag} takes a number of seconds ≥ 0`);
}
