/**
 * A lock file: one holder at a time, named in the file (pid, host, when, and the process's start),
 * for the sync state and for a mirror. Never held twice:
 *
 * - The file appears with its whole content in one step: written to a temp file, then link()ed to
 *   its name, which fails if the name exists. No reader ever sees it empty or half-written.
 * - A lock is taken over only from a holder proven dead: on this host, no process with its pid and
 *   start time (a pid used again is another process); on another host nothing can be proven, so it
 *   takes `breakLock` (the user's word that the run is gone). An unreadable lock is never ours to
 *   judge either.
 * - Taking over replaces exactly the dead holder's lock: the taker first creates a marker named
 *   after that lock (`<lock>.takeover-<nonce>`, the same way, so one taker wins), checks that the
 *   lock is still the dead one, then renames its own over it. A taker that dies holding the marker
 *   is itself taken over the same way.
 *
 * The calls are synchronous (a handful of small file operations), so a signal handler can release
 * a lock before the process exits.
 */
import { createHash, randomUUID } from "node:crypto";
import { linkSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { type Liveness, processLiveness, processStart } from "./process_identity.ts";
import { removeIfOrphanedTemp, tempPathFor } from "./temp_files.ts";

/** Who holds a lock, as its file says. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly since: string;
  /** The holder process's start ({@linkcode processStart}); absent where /proc is not. */
  readonly start?: string;
  /** What is locked, for messages: `the whole mirror`, `shard 2/8`. */
  readonly scope?: string;
  /** Unique to this taking of the lock. */
  readonly nonce?: string;
}

/** Thrown when a lock is held by a process that is alive or cannot be proven dead. */
export class LockHeldError extends Error {
  override name = "LockHeldError";
  /** The holder, or undefined when the lock file cannot be read. */
  readonly holder: LockHolder | undefined;
  readonly path: string;
  constructor(path: string, holder: LockHolder | undefined, thisHost: string) {
    super(describeHeld(path, holder, thisHost));
    this.path = path;
    this.holder = holder;
  }
}

function describeHeld(path: string, holder: LockHolder | undefined, thisHost: string): string {
  if (!holder)
    return `Cannot take the lock ${path}: it does not name its holder (if no run holds it, pass --break-lock)`;
  const who = `pid ${holder.pid} on ${holder.host}, since ${holder.since}${holder.scope ? `, ${holder.scope}` : ""}`;
  const advice =
    holder.host === thisHost
      ? ""
      : `; it is on another host, so whether it still runs cannot be checked from here: if it does not, pass --break-lock`;
  return `Another sync is running (${who}): lock ${path}${advice}`;
}

/** Options for {@linkcode takeLockFile}. */
export interface LockFileOptions {
  /** The process the lock belongs to: the caller, or a script's `$$`. */
  readonly pid: number;
  /** Default: this host's name. */
  readonly host?: string;
  /** What is locked, written into the file for messages. */
  readonly scope?: string;
  /** Take over a holder that cannot be proven dead: on another host, or an unreadable lock. A live holder on this host is never broken. */
  readonly breakLock?: boolean;
  /** Tells whether a process of this host runs; replaceable for tests. */
  readonly liveness?: (pid: number, start: string | undefined) => Liveness;
}

/** What {@linkcode takeLockFile} did. */
export interface TakenLock {
  /** This taking's holder record (its `nonce` tells it from any other). */
  readonly holder: LockHolder;
  /** The dead (or broken) holder whose lock was taken over. */
  readonly tookOver?: LockHolder;
  /** True when that holder was not proven dead but broken with `breakLock` (the user's word). */
  readonly broken?: true;
}

type LockContent =
  | { readonly holder: LockHolder; readonly identity: string }
  | { readonly holder: undefined; readonly identity: string };

/** The lock file's holder and an identity for this very lock (its nonce, or a hash of its bytes); undefined when there is no lock. */
function readContent(path: string): LockContent | undefined {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const hashed = createHash("sha1").update(raw).digest("hex");
  try {
    const value = JSON.parse(raw.toString("utf8")) as Partial<LockHolder>;
    if (typeof value.pid === "number" && typeof value.host === "string") {
      const holder: LockHolder = {
        pid: value.pid,
        host: value.host,
        since: String(value.since ?? "an unknown time"),
        ...(typeof value.start === "string" ? { start: value.start } : {}),
        ...(typeof value.scope === "string" ? { scope: value.scope } : {}),
        ...(typeof value.nonce === "string" ? { nonce: value.nonce } : {}),
      };
      return { holder, identity: holder.nonce ?? hashed };
    }
  } catch {
    // not ours to read: judged below as a holder that cannot be proven dead
  }
  return { holder: undefined, identity: hashed };
}

/**
 * The holder named in a lock file, undefined when there is none (or it cannot be read).
 *
 * @example
 * ```ts
 * readLockHolder("last_ran.config.lock")?.pid;
 * ```
 */
export function readLockHolder(path: string): LockHolder | undefined {
  return readContent(path)?.holder;
}

/** A temp file holding `holder`, beside `path`. */
function writeTemp(path: string, holder: LockHolder): string {
  const temp = tempPathFor(path);
  writeFileSync(temp, JSON.stringify(holder), { flag: "wx" });
  return temp;
}

/** Creates `path` holding `holder` in one step; false if it exists. */
function createWhole(path: string, holder: LockHolder): boolean {
  const temp = writeTemp(path, holder);
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

/**
 * Replaces the lock `identity` (a dead holder's) at `path` with `holder`; false when another process
 * replaced or released it first, or is replacing it now (then it holds the marker: `busy`).
 */
function replaceDead(path: string, identity: string, holder: LockHolder, options: LockFileOptions): boolean {
  const marker = `${path}.takeover-${identity}`;
  // The marker belongs to the process doing the work, which may not be the lock's pid (a script's $$).
  takeLockFile(marker, { ...options, pid: process.pid, scope: `taking over ${basename(path)}` });
  try {
    if (readContent(path)?.identity !== identity) return false;
    const temp = writeTemp(path, holder);
    try {
      renameSync(temp, path);
    } catch (error) {
      unlinkSync(temp);
      throw error;
    }
    return true;
  } finally {
    releaseLockFile(marker, process.pid, options.host);
  }
}

/** After taking `path`: removes markers of earlier takeovers (their locks are gone) and temp files of dead writers. */
function sweep(path: string): void {
  const folder = dirname(path);
  const name = basename(path);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const other of names) {
    if (other.startsWith(`${name}.takeover-`)) {
      // A marker names a lock that is no longer there (ours is): no taker can use it any more.
      try {
        unlinkSync(join(folder, other));
      } catch {
        // another holder swept it
      }
    } else if (other.startsWith(`.${name}`) && other.includes(".orcid-sync-tmp.")) {
      removeIfOrphanedTemp(join(folder, other));
    }
  }
}

/**
 * Takes the lock file at `path` for `options.pid`, taking over a dead holder's, or throws
 * {@linkcode LockHeldError} naming the holder. Taking it again for the same process succeeds.
 *
 * @example
 * ```ts
 * const { tookOver } = takeLockFile("last_ran.config.lock", { pid: process.pid });
 * ```
 */
export function takeLockFile(path: string, options: LockFileOptions): TakenLock {
  const host = options.host ?? hostname();
  const liveness = options.liveness ?? processLiveness;
  const start = processStart(options.pid);
  const holder: LockHolder = {
    pid: options.pid,
    host,
    since: new Date().toISOString(),
    ...(start !== undefined ? { start } : {}),
    ...(options.scope !== undefined ? { scope: options.scope } : {}),
    nonce: randomUUID(),
  };
  // Each pass either takes the lock, throws, or saw it change under it; a few passes suffice.
  for (let pass = 0; pass < 20; pass++) {
    if (createWhole(path, holder)) {
      sweep(path);
      return { holder };
    }
    const content = readContent(path);
    if (!content) continue; // released meanwhile
    const current = content.holder;
    if (
      current &&
      current.pid === options.pid &&
      current.host === host &&
      (current.start === undefined || current.start === start)
    ) {
      return { holder: current };
    }
    let dead: boolean;
    let broken = false;
    if (!current || current.host !== host) dead = broken = options.breakLock === true;
    else if (current.pid === options.pid && current.start !== start)
      dead = true; // our pid, an earlier process
    else {
      dead = liveness(current.pid, current.start) === "dead";
      // Without a start time a live pid may be another process: only the user can say so.
      if (!dead && options.breakLock === true && current.start === undefined) dead = broken = true;
    }
    if (!dead) throw new LockHeldError(path, current, host);
    if (replaceDead(path, content.identity, holder, options)) {
      sweep(path);
      return { holder, ...(current ? { tookOver: current } : {}), ...(broken ? { broken: true as const } : {}) };
    }
  }
  throw new Error(`Cannot take the lock ${path}: it keeps changing hands`);
}

/**
 * Releases the lock at `path` if `pid` on `host` holds it (and, given a `nonce`, this very taking
 * of it); returns whether it did.
 *
 * @example
 * ```ts
 * releaseLockFile("last_ran.config.lock", process.pid);
 * ```
 */
export function releaseLockFile(path: string, pid: number, host: string = hostname(), nonce?: string): boolean {
  const holder = readContent(path)?.holder;
  if (!holder || holder.pid !== pid || holder.host !== host || (nonce !== undefined && holder.nonce !== nonce))
    return false;
  // Only a dead holder's lock is ever replaced, and this one is alive: the file is still ours.
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
  return true;
}
