/**
 * The lock of a mirror: every tool that writes or deletes in a mirror holds it, for the whole
 * mirror or for its shard (`--shard K/N`, the partition of orcid-list), so two runs that could
 * touch one iD never overlap, while runs of disjoint shards share a mirror. It lives inside the
 * mirror, in `.orcid-sync-lock/`, whichever folder a run starts from: one entry per holder, added
 * and checked against the others under a gate that is held for a moment only. Entries and gate are
 * lock files ({@linkcode takeLockFile}); a holder proven dead loses its entry.
 */
import { randomUUID } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, rmdirSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import {
  type LockHolder,
  LockHeldError,
  type LockFileOptions,
  readLockHolder,
  releaseLockFile,
  takeLockFile,
} from "./lock_file.ts";
import { type Shard, shardsOverlap } from "../orcid/mod.ts";

/** The folder inside a mirror that holds its lock. */
export const MIRROR_LOCK_FOLDER = ".orcid-sync-lock";

const GATE = "gate";
const GATE_WAIT_MS = 30_000;

/** Options for {@linkcode acquireMirrorLock}. */
export interface MirrorLockOptions {
  /** Lock only this shard's folders. Default: the whole mirror. */
  readonly shard?: Shard;
  /** Wait up to this many seconds for a holder to finish. Default 0: fail at once. */
  readonly waitSeconds?: number;
  /** Take over holders that cannot be proven dead (another host; an unreadable lock). */
  readonly breakLock?: boolean;
  /** The holding process. Default: this one. */
  readonly pid?: number;
  /** Default: this host's name. */
  readonly host?: string;
  /** Replaceable for tests: see {@linkcode LockFileOptions}. */
  readonly liveness?: LockFileOptions["liveness"];
  /** Called once when the run starts to wait for a holder. */
  readonly onWait?: (error: LockHeldError) => void;
  readonly signal?: AbortSignal;
}

const releases = new Set<() => void>();

/**
 * Releases every mirror lock this process holds; for a signal handler, so synchronous.
 *
 * @example
 * ```ts
 * process.once("SIGTERM", () => { releaseHeldLocks(); process.exit(143); });
 * ```
 */
export function releaseHeldLocks(): void {
  for (const release of [...releases]) release();
}

/** A mirror lock held by this process. */
export class MirrorLock {
  readonly #entry: string;
  readonly #holder: LockHolder;
  readonly #made: string | undefined;
  readonly #root: string;
  readonly #bound = () => this.release();
  /** Holders proven dead whose entries this lock removed. */
  readonly tookOver: readonly LockHolder[];
  /**
   * Holders not proven dead whose entries `breakLock` removed (the user's word that they are gone);
   * undefined for an entry that named no holder (damaged: empty or not ours to read).
   */
  readonly broke: readonly (LockHolder | undefined)[];

  /** @internal use {@linkcode acquireMirrorLock} */
  constructor(
    root: string,
    entry: string,
    holder: LockHolder,
    tookOver: readonly LockHolder[],
    broke: readonly (LockHolder | undefined)[],
    made: string | undefined,
  ) {
    this.#root = root;
    this.#entry = entry;
    this.#holder = holder;
    this.tookOver = tookOver;
    this.broke = broke;
    this.#made = made;
    releases.add(this.#bound);
  }

  /** Releases the lock, and removes the lock folder (and the mirror folders the lock made) if nothing else is in them. */
  release(): void {
    if (!releases.delete(this.#bound)) return;
    releaseLockFile(this.#entry, this.#holder.pid, this.#holder.host, this.#holder.nonce);
    const folders = [dirname(this.#entry)];
    // Folders the lock made, up to the first: a run that wrote nothing leaves nothing.
    if (this.#made)
      for (let folder = this.#root; folder.startsWith(this.#made); folder = dirname(folder)) folders.push(folder);
    for (const folder of folders) {
      try {
        rmdirSync(folder);
      } catch {
        return; // not empty: in use
      }
    }
  }
}

/** The entry name of a scope, and the shard it covers (undefined: all). */
function entryName(shard: Shard | undefined, nonce: string): string {
  return `${shard ? `shard-${shard.index}-of-${shard.count}` : "all"}.${nonce}.lock`;
}

function entryShard(name: string): Shard | undefined | null {
  if (name.startsWith("all.")) return undefined;
  const match = /^shard-(\d+)-of-(\d+)\./.exec(name);
  return match ? { index: Number(match[1]), count: Number(match[2]) } : null;
}

/** One attempt: the lock, or the error naming the holder in the way. */
function attempt(root: string, shard: Shard | undefined, options: MirrorLockOptions): MirrorLock | LockHeldError {
  const folder = join(root, MIRROR_LOCK_FOLDER);
  const host = options.host ?? hostname();
  const pid = options.pid ?? process.pid;
  const base = {
    host,
    ...(options.liveness ? { liveness: options.liveness } : {}),
    ...(options.breakLock ? { breakLock: true } : {}),
  };
  let made: string | undefined;
  // A holder releasing may remove the folders between the mkdir and the gate: make them again.
  for (let pass = 0; ; pass++) {
    try {
      const created = mkdirSync(folder, { recursive: true });
      made ??= created;
      // Nothing of the lock is ever written outside the mirror.
      if (!lstatSync(folder).isDirectory())
        throw new Error(`Refusing to use '${folder}' for the mirror lock: it is not a folder (a symlink?)`);
      takeLockFile(join(folder, GATE), { ...base, pid: process.pid, scope: "checking the mirror lock" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || pass > 20) throw error;
      // A recursive mkdir reports ENOENT for a read-only mirror (EROFS): a plain one tells the truth.
      try {
        mkdirSync(folder);
      } catch (plain) {
        const code = (plain as NodeJS.ErrnoException).code;
        if (code !== "ENOENT" && code !== "EEXIST") throw plain;
      }
    }
  }
  try {
    const tookOver: LockHolder[] = [];
    const broke: (LockHolder | undefined)[] = [];
    for (const name of readdirSync(folder)) {
      if (!name.endsWith(".lock") || name.startsWith(".")) continue;
      const theirs = entryShard(name);
      if (theirs !== null && !shardsOverlap(shard, theirs)) continue;
      const path = join(folder, name);
      const holder = readLockHolder(path);
      // An entry in the way is judged as any lock is: taking it over proves its holder dead.
      try {
        const taken = takeLockFile(path, { ...base, pid });
        if (taken.tookOver) (taken.broken ? broke : tookOver).push(taken.tookOver);
        else if (taken.broken)
          broke.push(undefined); // an entry that named no holder
        else if (holder && taken.holder.nonce === holder.nonce) throw new LockHeldError(path, holder, host); // our own pid's entry
        releaseLockFile(path, pid, host, taken.holder.nonce);
      } catch (error) {
        if (error instanceof LockHeldError) {
          return new LockHeldError(root, error.holder, host);
        }
        throw error;
      }
    }
    const mine = join(folder, entryName(shard, randomUUID()));
    const { holder } = takeLockFile(mine, {
      ...base,
      pid,
      scope: shard ? `shard ${shard.index}/${shard.count}` : "the whole mirror",
    });
    return new MirrorLock(root, mine, holder, tookOver, broke, made);
  } finally {
    releaseLockFile(join(folder, GATE), process.pid, host);
  }
}

/**
 * Takes the lock of the mirror at `root` (an absolute path, made if missing) for its whole or for
 * a shard, waiting up to `waitSeconds` for holders in the way; throws {@linkcode LockHeldError}
 * naming one of them (host, pid, since when) when it cannot.
 *
 * @example
 * ```ts
 * const lock = await acquireMirrorLock("/data/ORCID_public_data_files", { shard: parseShard("2/8"), waitSeconds: 600 });
 * try { … } finally { lock.release(); }
 * ```
 */
export async function acquireMirrorLock(root: string, options: MirrorLockOptions = {}): Promise<MirrorLock> {
  const deadline = Date.now() + (options.waitSeconds ?? 0) * 1000;
  // The gate is held for a moment only; one held longer belongs to a stuck or unreachable process.
  const gateDeadline = Math.max(deadline, Date.now() + GATE_WAIT_MS);
  let pause = 50;
  let waited = false;
  for (;;) {
    let result: MirrorLock | LockHeldError;
    try {
      result = attempt(root, options.shard, options);
    } catch (error) {
      // The gate is held only for a moment: someone else is checking; try again shortly.
      if (!(error instanceof LockHeldError)) throw error;
      result = error;
    }
    if (result instanceof MirrorLock) return result;
    if (Date.now() >= (result.path.endsWith(GATE) ? gateDeadline : deadline)) throw result;
    if (!waited) options.onWait?.(result);
    waited = true;
    await delay(
      Math.min(pause, Math.max(10, deadline - Date.now())) * (0.5 + Math.random()),
      undefined,
      options.signal ? { signal: options.signal } : {},
    );
    pause = Math.min(pause * 2, 1000);
  }
}
