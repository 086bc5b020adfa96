/**
 * One sync at a time per state file: a lock file beside it naming the holder's pid and host. A
 * lock whose holder is gone (same host, no such process) is taken over.
 */
import { hostname } from "node:os";
import { open, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { tempPathFor } from "@orcid-sync/core";

/** Who holds a lock. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly since: string;
}

/** Thrown when another live process holds the lock. */
export class LockHeldError extends Error {
  override name = "LockHeldError";
  readonly holder: LockHolder;
  constructor(path: string, holder: LockHolder) {
    super(`Another sync is running (pid ${holder.pid} on ${holder.host}, since ${holder.since}): lock ${path}`);
    this.holder = holder;
  }
}

/** Options for {@linkcode acquireLock}. */
export interface LockOptions {
  /** The process the lock belongs to (a script passes its own `$$`). */
  readonly pid: number;
  /** Default: this host's name. */
  readonly host?: string;
  /** Tells whether a pid runs on this host; replaceable for tests. */
  readonly isAlive?: (pid: number) => boolean;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const value = JSON.parse(await readFile(path, "utf8")) as Partial<LockHolder>;
    if (typeof value.pid === "number" && typeof value.host === "string") {
      return { pid: value.pid, host: value.host, since: String(value.since ?? "an unknown time") };
    }
  } catch {
    // unreadable or half-written: nobody can be holding it meaningfully
  }
  return undefined;
}

/**
 * Takes the lock for `pid`, or throws {@linkcode LockHeldError} naming the live holder. Taking it
 * again for the same pid succeeds. Returns whether a stale lock was taken over.
 *
 * @example
 * ```ts
 * await acquireLock("last_ran.config.lock", { pid: process.pid });
 * ```
 */
export async function acquireLock(path: string, options: LockOptions): Promise<{ tookOver?: LockHolder }> {
  const host = options.host ?? hostname();
  const isAlive = options.isAlive ?? processIsAlive;
  const mine: LockHolder = { pid: options.pid, host, since: new Date().toISOString() };
  try {
    const handle = await open(path, "wx");
    await handle.writeFile(JSON.stringify(mine));
    await handle.close();
    return {};
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const holder = await readHolder(path);
  if (holder && holder.pid === options.pid && holder.host === host) return {};
  if (holder && (holder.host !== host || isAlive(holder.pid))) throw new LockHeldError(path, holder);
  // Stale: replace it whole, then check we won against a concurrent taker.
  const temp = tempPathFor(path);
  await writeFile(temp, JSON.stringify(mine));
  await rename(temp, path);
  const now = await readHolder(path);
  if (!now || now.pid !== options.pid || now.host !== host) throw new LockHeldError(path, now ?? mine);
  return holder ? { tookOver: holder } : {};
}

/** Releases the lock if `pid` holds it; returns whether it did. */
export async function releaseLock(path: string, pid: number, host: string = hostname()): Promise<boolean> {
  const holder = await readHolder(path);
  if (!holder || holder.pid !== pid || holder.host !== host) return false;
  await unlink(path).catch(() => {});
  return true;
}
