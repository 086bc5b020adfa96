/** The mirror lock as the tools that write a mirror take it: a held lock, or one clear fatal message. */
import { realpath } from "node:fs/promises";
import { resolve } from "node:path";
import { acquireMirrorLock, LockHeldError, type MirrorLock } from "../files/mod.ts";
import type { Shard } from "../orcid/mod.ts";
import { describeError, FatalError } from "./cli_runner.ts";
import type { Logger } from "./logger.ts";

/** Options for {@linkcode holdMirror}. */
export interface HoldMirrorOptions {
  /** Lock only this shard's folders. Default: the whole mirror. */
  readonly shard?: Shard;
  /** Seconds to wait for another holder. Default 0: fail at once. */
  readonly waitSeconds?: number;
  /** Take over a lock whose holder cannot be checked (another host's). Default false. */
  readonly breakLock?: boolean;
  readonly signal?: AbortSignal;
  /** Where waiting and take-overs are told. */
  readonly log: Pick<Logger, "info" | "warn">;
}

/**
 * Takes the mirror lock of `root` (made with the lock, gone with it if nothing was written) for
 * orcid-place and orcid-fetch --into. A lock held by another run, a mirror it may not write and a
 * full disk each become a {@linkcode FatalError} with one message.
 *
 * @example
 * ```ts
 * const lock = await holdMirror("/data/ORCID_public_data_files", { waitSeconds: 600, log: ctx.log });
 * try { … } finally { lock.release(); }
 * ```
 */
export async function holdMirror(root: string, options: HoldMirrorOptions): Promise<MirrorLock> {
  const waitSeconds = options.waitSeconds ?? 0;
  let lock: MirrorLock;
  try {
    lock = await acquireMirrorLock(root, {
      ...(options.shard ? { shard: options.shard } : {}),
      waitSeconds,
      breakLock: options.breakLock ?? false,
      ...(options.signal ? { signal: options.signal } : {}),
      onWait: (held) => options.log.info(`waiting up to ${waitSeconds} s for the mirror: ${held.message}`),
    });
  } catch (error) {
    if (error instanceof LockHeldError)
      throw new FatalError(`${error.message}${waitSeconds ? ` (waited ${waitSeconds} s)` : ""}`);
    // A mirror it may not write (or a full disk) fails at the lock: the same message as at a file.
    if ((error as NodeJS.ErrnoException).code)
      throw new FatalError(`Cannot place in the mirror: ${describeError(error)}`);
    throw error;
  }
  for (const gone of lock.tookOver)
    options.log.warn(
      `took over a stale mirror lock of pid ${gone.pid} on ${gone.host} (since ${gone.since}): that process is gone`,
    );
  for (const broken of lock.broke)
    options.log.warn(
      broken
        ? `broke the mirror lock of pid ${broken.pid} on ${broken.host} (since ${broken.since}) with --break-lock: that run was not proven gone`
        : "broke a mirror lock entry that named no holder (damaged) with --break-lock",
    );
  return lock;
}

/**
 * Runs `work` on the mirror at `dir` (its real path, or the path resolved when it does not exist
 * yet) while holding its lock ({@linkcode holdMirror}), released however `work` ends. A dry run
 * changes nothing, so it takes no lock.
 *
 * @example
 * ```ts
 * return await inMirror(args.dir, { dryRun: args.dryRun, log: ctx.log }, (root) => place(root));
 * ```
 */
export async function inMirror<T>(
  dir: string,
  options: HoldMirrorOptions & { readonly dryRun?: boolean },
  work: (root: string) => Promise<T>,
): Promise<T> {
  // The mirror folder is made with the lock, and goes with it if nothing was written.
  const root = await realpath(dir).catch(() => resolve(dir));
  const lock = options.dryRun ? undefined : await holdMirror(root, options);
  try {
    return await work(root);
  } finally {
    lock?.release();
  }
}
