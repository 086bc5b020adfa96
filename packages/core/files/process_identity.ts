/**
 * Telling a process from a later one that got its pid again: a pid alone names a process only while
 * it runs (pids wrap, and start again at boot), so a lock records the holder's start as well.
 */
import { readFileSync } from "node:fs";

let bootId: string | undefined;

/**
 * When process `pid` started, as `<boot id>/<start tick>` from /proc (the same string for the same
 * process, another for any later process with that pid, on this boot or the next); undefined
 * where /proc is not there or the process is not.
 *
 * @example
 * ```ts
 * processStart(process.pid); // "3f1c…-…/1234567"
 * ```
 */
export function processStart(pid: number): string | undefined {
  const stat = readStat(pid);
  if (!stat) return undefined;
  try {
    bootId ??= readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    bootId = "";
  }
  // Field 22, starttime: clock ticks since boot; exact, unlike a time computed from it.
  return `${bootId}/${stat.fields[19]}`;
}

/** What can be proven about a process. */
export type Liveness = "alive" | "dead";

/**
 * Whether the process `pid` that started at `start` (from {@linkcode processStart}) still runs on
 * this host: dead when no process has the pid, when the one that has it is a zombie, or when it
 * started at another time (the pid was used again). Without a start to compare, a process with
 * the pid counts as alive: it cannot be proven to be another.
 *
 * @example
 * ```ts
 * processLiveness(process.pid, processStart(process.pid)); // "alive"
 * ```
 */
export function processLiveness(pid: number, start?: string): Liveness {
  if (!Number.isInteger(pid) || pid <= 0) return "dead";
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists, owned by someone else.
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return "dead";
  }
  const stat = readStat(pid);
  if (!stat) return "alive";
  if (stat.fields[0] === "Z") return "dead";
  if (start !== undefined && processStart(pid) !== start) return "dead";
  return "alive";
}

/** The fields of /proc/<pid>/stat after the command name (state first), or undefined. */
function readStat(pid: number): { fields: string[] } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return { fields: stat.slice(stat.lastIndexOf(")") + 2).split(" ") };
  } catch {
    return undefined;
  }
}
