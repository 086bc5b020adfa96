/**
 * One sync at a time per state file: a lock file beside it naming the holder (pid, host, since when,
 * and the process's start time). Core's lock file does the work, the same one a mirror's lock uses.
 */
import { hostname } from "node:os";
import { setTimeout as delay } from "node:timers/promises";
import { type LockFileOptions, LockHeldError, type LockHolder, releaseLockFile, takeLockFile } from "@orcid-sync/core";

export { LockHeldError, type LockHolder };

/** Options for {@linkcode acquireLock}. */
export interface LockOptions {
  /** The process the lock belongs to (a script passes its own `$$`). */
  readonly pid: number;
  /** Default: this host's name. */
  readonly host?: string;
  /** Take over a holder that cannot be proven dead (on another host; an unreadable lock). */
  readonly breakLock?: boolean;
  /** Wait up to this many seconds for the holder to finish. Default 0. */
  readonly waitSeconds?: number;
  /** Tells whether a process of this host runs; replaceable for tests. */
  readonly liveness?: LockFileOptions["liveness"];
}

/**
 * Takes the lock for `pid`, or throws {@linkcode LockHeldError} naming the holder. Taking it again
 * for the same process succeeds. Returns the holder whose lock was taken over, if any: one proven
 * dead, or one broken with `breakLock` (then `broken` is true).
 *
 * @example
 * ```ts
 * await acquireLock("last_ran.config.lock", { pid: process.pid });
 * ```
 */
export async function acquireLock(
  path: string,
  options: LockOptions,
): Promise<{ tookOver?: LockHolder; broken?: true }> {
  const deadline = Date.now() + (options.waitSeconds ?? 0) * 1000;
  const { waitSeconds: _, ...lockOptions } = options;
  let pause = 50;
  for (;;) {
    try {
      const { tookOver, broken } = takeLockFile(path, lockOptions);
      return { ...(tookOver ? { tookOver } : {}), ...(broken ? { broken } : {}) };
    } catch (error) {
      if (!(error instanceof LockHeldError) || Date.now() >= deadline) throw error;
    }
    await delay(Math.min(pause, Math.max(10, deadline - Date.now())));
    pause = Math.min(pause * 2, 1000);
  }
}

/** Releases the lock if `pid` holds it; returns whether it did. */
export async function releaseLock(path: string, pid: number, host: string = hostname()): Promise<boolean> {
  return releaseLockFile(path, pid, host);
}
