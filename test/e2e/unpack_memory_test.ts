// orcid-unpack's memory does not grow with the archive: it holds one member at a time, so its
// resident set is bounded by its largest member, not by the sum of them. Measured from outside, on
// the real binaries through a real pipe into orcid-place: the unpack process's peak resident set
// (VmHWM, sampled from /proc while it runs). A member over the 256 MiB a record may hold is an
// error record (TooLarge), skipped without being held.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { checkCharacter } from "@orcid-sync/core";
import { pack } from "tar-stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BIN_DIR, scratch } from "./helpers.ts";

const MiB = 1024 * 1024;
/** Large members among the small ones, 540 MiB in all: text (JSON-escaped as it goes) and some not UTF-8 (base64). */
const LARGE = [40, 36, 32, 28, 24, 20, 40, 36, 32, 28, 24, 20, 40, 36, 32, 28, 24, 20].map((mib, i) => ({
  n: i + 1,
  size: mib * MiB,
  binary: mib === 28,
}));
const SMALL = 300;
/** Past the 256 MiB a record may hold. */
const TOO_LARGE = { n: 999, size: 256 * MiB + 1 };
const MTIME = new Date("2025-10-01T12:00:00Z");

// The README's figures (orcid-unpack, "Memory"): about 65 MB plus 2.5 times the largest member for
// one large member; with a run of them, the garbage of the last is collected while the next is
// read, and the peak settles at 250-300 MB for members of 20-40 MB (seen here: 260-300 MiB). The
// bound allows for a loaded machine's GC and stays well under the 540 MiB the large members'
// bytes alone would take if the archive's size counted.
const LARGEST = Math.max(...LARGE.map((m) => m.size));
const TOTAL = LARGE.reduce((sum, m) => sum + m.size, 0);
const BOUND = 400 * MiB;

const work = scratch("orcid-sync-unpack-memory-");
const archive = join(work.dir, "ORCID_2025_10_summaries.tar.gz");

/** A valid iD per number, so the names are well-formed summary keys. */
function orcidOf(n: number): string {
  const base = `0000${String(2_000_000 + n).padStart(11, "0")}`;
  return `${base.slice(0, 4)}-${base.slice(4, 8)}-${base.slice(8, 12)}-${base.slice(12)}${checkCharacter(base)}`;
}

const memberName = (orcid: string) => `ORCID_2025_10_summaries/${orcid.slice(-3)}/${orcid}.xml`;
const mirrorPath = (mirror: string, orcid: string) => join(mirror, "summaries", orcid.slice(-3), `${orcid}.xml`);

/** The bytes of member `n`: text with quotes, a backslash, a tab and non-ASCII (all escaped in JSON), or bytes that are not UTF-8. */
function body(n: number, size: number, binary = false): Buffer {
  if (binary) {
    const bytes = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 131 + n * 7 + (i >> 9)) & 0xff;
    bytes[0] = 0xff; // never valid UTF-8
    return bytes;
  }
  const line = Buffer.from(`<work n="${n}">Zoë "quoted" \\ path\ttab ${"x".repeat(60 + (n % 40))}</work>\n`);
  const bytes = Buffer.allocUnsafe(size);
  for (let at = 0; at < size; at += line.length) line.copy(bytes, at, 0, Math.min(line.length, size - at));
  return bytes;
}

/** Writes `size` bytes of 'x' as one member, in 1 MiB chunks, so the test never holds it whole. */
async function streamMember(tar: ReturnType<typeof pack>, name: string, size: number): Promise<void> {
  const entry = tar.entry({ name, size, mtime: MTIME });
  const chunk = Buffer.alloc(MiB, "x");
  for (let left = size; left > 0; left -= chunk.length) {
    if (!entry.write(left >= chunk.length ? chunk : chunk.subarray(0, left))) await once(entry, "drain");
  }
  entry.end();
  await once(entry, "finish");
}

beforeAll(async () => {
  // The yearly layout, built in the test: small summaries with the large ones spread among them.
  const tar = pack();
  const written = pipeline(tar, createGzip({ level: 1 }), createWriteStream(archive));
  for (let i = 0; i < SMALL; i++) {
    const large = LARGE.find((m) => m.n * 15 === i);
    if (large) tar.entry({ name: memberName(orcidOf(large.n)), mtime: MTIME }, body(large.n, large.size, large.binary));
    if (i === 150) await streamMember(tar, memberName(orcidOf(TOO_LARGE.n)), TOO_LARGE.size);
    const n = 1000 + i;
    tar.entry({ name: memberName(orcidOf(n)), mtime: MTIME }, body(n, 2000 + i * 37));
  }
  tar.finalize();
  await written;
}, 300_000);
afterAll(() => work.remove());

/** Peak resident set of a process so far (VmHWM), in bytes; 0 once it has gone. */
function peakResident(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The pid of a child of `parent` whose command line names `name`, if one runs. */
function childRunning(parent: number, name: string): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent && readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(name)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

describe("orcid-unpack memory", () => {
  test(`${LARGE.length} large members (up to ${LARGEST / MiB} MiB, ${TOTAL / MiB} MiB in all) through orcid-place: peak RSS under ${BOUND / MiB} MiB, bytes equal, the oversized member an error record`, async () => {
    const mirror = join(work.dir, "mirror");
    const run = spawn(
      "bash",
      ["-c", 'set -o pipefail; orcid-unpack "$1" | orcid-place "$2"', "bash", archive, mirror],
      {
        env: { ...process.env, PATH: `${BIN_DIR}:${process.env.PATH}` },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    let stdout = "";
    run.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    run.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    let unpackPid: number | undefined;
    let peak = 0;
    const sampler = setInterval(() => {
      unpackPid ??= childRunning(run.pid!, "orcid-unpack");
      if (unpackPid) peak = Math.max(peak, peakResident(unpackPid));
    }, 10);
    // A run that never ends is a failure of its own, told as such, not the test's timeout.
    const killer = setTimeout(() => run.kill("SIGKILL"), 240_000);
    const [code] = await once(run, "close");
    clearTimeout(killer);
    clearInterval(sampler);

    // The oversized member is an error record (exit 1), passed on by orcid-place; everything else is filed.
    expect(unpackPid, "orcid-unpack seen running").toBeDefined();
    expect(stderr).toMatch(/^orcid-unpack: .*TooLarge/m);
    expect(code, stderr).toBe(1);
    const records = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; action?: string; code?: string; orcid?: string });
    expect(records.filter((r) => r.type === "error")).toMatchObject([
      { type: "error", code: "TooLarge", orcid: orcidOf(TOO_LARGE.n) },
    ]);
    expect(records.filter((r) => r.type === "placed" && r.action === "written")).toHaveLength(SMALL + LARGE.length);
    expect(existsSync(mirrorPath(mirror, orcidOf(TOO_LARGE.n)))).toBe(false);
    for (const { n, size, binary } of LARGE)
      expect(readFileSync(mirrorPath(mirror, orcidOf(n))).equals(body(n, size, binary)), `member ${n}`).toBe(true);
    for (let i = 0; i < SMALL; i++) {
      const n = 1000 + i;
      expect(readFileSync(mirrorPath(mirror, orcidOf(n))).equals(body(n, 2000 + i * 37)), `member ${n}`).toBe(true);
    }

    const seen = `peak RSS of orcid-unpack ${(peak / MiB).toFixed(0)} MiB, bound ${BOUND / MiB} MiB`;
    expect(peak, seen).toBeGreaterThan(LARGEST); // the measurement sees the largest member held
    expect(BOUND).toBeLessThan(TOTAL); // an unpack whose memory grew with the archive would fail
    expect(peak, seen).toBeLessThan(BOUND);
  }, 300_000);
});
