/** Running a command and measuring it from outside: wall time, CPU of its whole process tree, peak RSS of the tree. */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What one run cost. */
export interface Measurement {
  readonly wallSeconds: number;
  /** user + sys of every process of the run (bash and everything it waited for). */
  readonly cpuSeconds: number;
  /** Largest sum of RSS over the run's processes at one moment, in MiB. */
  readonly peakRssMiB: number;
  readonly exitCode: number;
  readonly stderr: string;
}

const TICKS = 100; // USER_HZ on Linux
const PAGE = 4096;

/** Sum of RSS (bytes) of the processes in a process group. */
function groupRss(pgid: number): number {
  let total = 0;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid) total += Number(fields[21]) * PAGE;
    } catch {
      // gone
    }
  }
  return total;
}

/** CPU seconds (user + sys) a process has used so far. */
export function processCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** Runs `script` with bash in its own process group under /usr/bin/time, sampling the group's RSS. */
export function measure(script: string, options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Measurement> {
  const timeFile = join(tmpdir(), `bench-time-${process.pid}-${Date.now()}`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "%U %S", "-o", timeFile, "bash", "-c", `set -o pipefail\n${script}`], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, groupRss(child.pid!))), 25);
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(sampler);
      const wallSeconds = (performance.now() - started) / 1000;
      let cpuSeconds = Number.NaN;
      try {
        const [user, sys] = readFileSync(timeFile, "utf8").trim().split("\n").at(-1)!.split(" ").map(Number);
        cpuSeconds = user! + sys!;
      } catch {
        // time wrote nothing
      }
      rmSync(timeFile, { force: true });
      resolve({ wallSeconds, cpuSeconds, peakRssMiB: peak / 2 ** 20, exitCode: code ?? -1, stderr });
    });
  });
}

/** CPU time of the whole machine in clock ticks, and the part the hypervisor gave to other guests (steal). */
export function machineJiffies(): { total: number; steal: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
}
