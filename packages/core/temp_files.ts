/**
 * Naming and tracking of temp files. A temp name carries the writer's host and pid, so a later run
 * can tell a leftover of a dead writer from the work of a live one (shards may share a mirror).
 */
import { unlinkSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";

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
  return join(dirname(path), `.${basename(path)}${MARK}.${HOST}.${process.pid}.${counter}`);
}

/** The writer of a temp file from its name, or undefined when the name is not one of ours. */
export function parseTempName(name: string): TempOwner | undefined {
  const match = /\.orcid-sync-tmp\.([A-Za-z0-9_-]+)\.(\d+)\.\d+$/.exec(name);
  return match ? { host: match[1]!, pid: Number(match[2]) } : undefined;
}

/** Whether a temp file's writer is certainly gone: same host and no such process. */
export function isOrphanedTemp(name: string): boolean {
  const owner = parseTempName(name);
  if (!owner || owner.host !== HOST) return false;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Notes a temp file as in use, so {@linkcode removeLiveTempFiles} can clean it up on a signal. */
export function trackTempFile(path: string): void {
  live.add(path);
}

/** Forgets a temp file that was renamed or removed. */
export function untrackTempFile(path: string): void {
  live.delete(path);
}

/** Removes every temp file this process still has open; for signal handlers, so synchronous. */
export function removeLiveTempFiles(): number {
  let removed = 0;
  for (const path of live) {
    try {
      unlinkSync(path);
      removed++;
    } catch {
      // already gone
    }
  }
  live.clear();
  return removed;
}
