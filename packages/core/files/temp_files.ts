/**
 * Naming and tracking of temp files. A temp name carries the writer's host and pid, so a later run
 * can tell a leftover of a dead writer from the work of a live one (shards may share a mirror).
 */
import { lstatSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { hostname } from "node:os";
import { basename } from "node:path";

const MARK = ".orcid-sync-tmp";
const HOST = hostname().replace(/[^A-Za-z0-9-]/g, "_");
const live = new Set<string>();
let counter = 0;

/** The owner of a temp file, read back from its name. */
export interface TempOwner {
  readonly host: string;
  readonly pid: number;
}

/**
 * A fresh temp path beside `path` (same folder, so the rename is atomic):
 * `.<name>.orcid-sync-tmp.<host>.<pid>.<n>`.
 */
export function tempPathFor(path: string): string {
  counter++;
  // join(dirname(path), `.${basename(path)}…`) without normalising the folder again: made for every file written.
  const slash = path.lastIndexOf("/");
  return slash === -1
    ? `.${path}${MARK}.${HOST}.${process.pid}.${counter}`
    : `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}${MARK}.${HOST}.${process.pid}.${counter}`;
}

/** The writer of a temp file from its name, or undefined when the name is not one of ours. */
export function parseTempName(name: string): TempOwner | undefined {
  const match = /\.orcid-sync-tmp\.([A-Za-z0-9_-]+)\.(\d+)\.\d+$/.exec(name);
  return match ? { host: match[1]!, pid: Number(match[2]) } : undefined;
}

let bootMs: number | undefined;

/** When a process started (ms since the epoch) and whether it is a zombie, from /proc; undefined elsewhere. */
function processInfo(pid: number): { startedMs: number; zombie: boolean } | undefined {
  try {
    bootMs ??= Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))![1]) * 1000;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Field 22, starttime, in clock ticks (USER_HZ, 100 on Linux) since boot.
    return { startedMs: bootMs + (Number(fields[19]) / 100) * 1000, zombie: fields[0] === "Z" };
  } catch {
    return undefined;
  }
}

/** Whether a file name is one of our temp files (a write in progress, or one a killed run left). */
export function isTempName(name: string): boolean {
  return name.includes(`${MARK}.`);
}

/**
 * Whether a temp file's writer is certainly gone: written on this host, and no process has its pid
 * — or the one that has it is a zombie, or started after the file was last changed (`changedMs`, its
 * ctime), so it is another process that got the pid again (pids wrap at 32768 on many systems).
 */
export function isOrphanedTemp(name: string, changedMs?: number): boolean {
  const owner = parseTempName(name);
  if (!owner || owner.host !== HOST) return false;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  const holder = processInfo(owner.pid);
  if (!holder) return false;
  return holder.zombie || (changedMs !== undefined && holder.startedMs > changedMs + 1000);
}

/**
 * Removes the temp file at `path` if its writer is gone ({@linkcode isOrphanedTemp}, judged against
 * the file's ctime); whether it did. A file another run removed meanwhile counts as not removed.
 */
export function removeIfOrphanedTemp(path: string): boolean {
  const changed = lstatSync(path, { throwIfNoEntry: false })?.ctimeMs;
  if (changed === undefined || !isOrphanedTemp(basename(path), changed)) return false;
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Notes a temp file — or a temp folder, such as a Parquet export being written — as in use, so
 * {@linkcode removeLiveTempFiles} can clean it up on a signal.
 */
export function trackTempFile(path: string): void {
  live.add(path);
}

/** Forgets a temp file that was renamed or removed. */
export function untrackTempFile(path: string): void {
  live.delete(path);
}

/** Removes every temp file and folder this process still has in use; for signal handlers, so synchronous. */
export function removeLiveTempFiles(): number {
  let removed = 0;
  for (const path of live) {
    if (!lstatSync(path, { throwIfNoEntry: false })) continue;
    try {
      rmSync(path, { recursive: true, force: true });
      removed++;
    } catch {
      // removed meanwhile, or not ours to remove: nothing more a signal handler can do
    }
  }
  live.clear();
  return removed;
}
