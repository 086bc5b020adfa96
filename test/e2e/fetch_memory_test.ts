// orcid-fetch's memory is bounded by --max-bytes-in-flight, not by luck: large bodies behind a
// reader that does not read are held up to the budget, not all at once. Measured from outside, on
// the real binary: the resident set of the process, sampled from /proc while its reader waits.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkCharacter, summaryKey } from "@orcid-sync/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { syncStore } from "../generator/store.ts";
import { startFaultProxy } from "./http_proxy.ts";
import { type LocalS3, startLocalS3 } from "../s3/server.ts";
import { BIN_DIR, scratch } from "./helpers.ts";

const BUCKET = "big-summaries";
const OBJECTS = 40;
const SIZE = 4 * 1024 * 1024;
const MiB = 1024 * 1024;

let s3: LocalS3;
const folder = scratch("orcid-sync-big-");

/** A valid iD per object, so the keys are well-formed summary keys. */
function orcidOf(n: number): string {
  const base = `0000${String(1_000_000 + n).padStart(11, "0")}`;
  return `${base.slice(0, 4)}-${base.slice(4, 8)}-${base.slice(8, 12)}-${base.slice(12)}${checkCharacter(base)}`;
}

beforeAll(async () => {
  const objects = Array.from({ length: OBJECTS }, (_, n) => {
    const line = `<work n="${n}">${"x".repeat(100)}</work>\n`;
    return {
      bucket: BUCKET,
      key: summaryKey(orcidOf(n)),
      body: line.repeat(Math.ceil(SIZE / line.length)).slice(0, SIZE),
      lastModified: new Date("2026-11-01T00:00:00Z"),
    };
  });
  syncStore(folder.dir, [BUCKET], objects);
  s3 = await startLocalS3({ directory: folder.dir });
});
afterAll(async () => {
  await s3?.stop();
  folder.remove();
});

/** Resident set of a process, in bytes (0 once it has gone). */
function residentBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs orcid-fetch on every object with a reader that reads nothing for `waitMs`, then everything.
 * Returns the largest resident set seen while the reader waited (what the budget governs; once
 * records flow, serialising 4 MiB bodies leaves garbage that V8 collects in its own time) and the
 * records written.
 */
async function fetchBehindStalledReader(
  args: readonly string[],
  waitMs: number,
  endpoint = s3.endpoint,
): Promise<{ peak: number; code: number | null; records: { type: string; size?: number; body?: string }[] }> {
  const env = { ...process.env, ...s3.env, AWS_ENDPOINT_URL: endpoint };
  const child = spawn(join(BIN_DIR, "orcid-fetch"), ["-j", String(OBJECTS), ...args], {
    env,
    stdio: ["pipe", "pipe", "inherit"],
  });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, residentBytes(child.pid!))), 20);
  const keys = Array.from({ length: OBJECTS }, (_, n) =>
    JSON.stringify({ type: "key", bucket: BUCKET, key: summaryKey(orcidOf(n)), orcid: orcidOf(n), kind: "summary" }),
  );
  child.stdin.end(`${keys.join("\n")}\n`);
  child.stdout.pause();
  // At least waitMs, then until the resident set has stopped growing: on a loaded machine the
  // bodies can take longer than any fixed wait to arrive.
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  for (let last = peak, steady = 0; steady < 6 && residentBytes(child.pid!) > 0; ) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    steady = peak - last < MiB ? steady + 1 : 0;
    last = peak;
  }
  const stalledPeak = peak;
  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  child.stdout.resume();
  // A run that never ends is a failure of its own, told as such, not the test's timeout.
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(killer);
  clearInterval(sampler);
  const records = Buffer.concat(chunks)
    .toString()
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { type: string; size?: number; body?: string });
  return { peak: stalledPeak, code, records };
}

describe("orcid-fetch memory", () => {
  test(`${OBJECTS} bodies of 4 MiB behind a stalled reader: held up to --max-bytes-in-flight, not all at once`, async () => {
    const bounded = await fetchBehindStalledReader(["--max-bytes-in-flight", "16M"], 3000);
    expect(bounded.code).toBe(0);
    expect(bounded.records).toHaveLength(OBJECTS);
    for (const record of bounded.records) expect(record).toMatchObject({ type: "object", size: SIZE });
    expect(bounded.records.every((record) => record.body?.length === SIZE)).toBe(true);

    // The same run with a budget larger than all bodies: the measurement must see them held.
    const unbounded = await fetchBehindStalledReader(["--max-bytes-in-flight", "1G"], 3000);
    expect(unbounded.code).toBe(0);
    expect(unbounded.records).toHaveLength(OBJECTS);

    const all = OBJECTS * SIZE;
    // 160 MiB of bodies; the bounded run may hold 16 MiB, plus the one at the head of the output
    // and its JSON on its way out. Seen here: 114 MiB against 430 MiB.
    const seen = `bounded ${(bounded.peak / MiB) | 0} MiB, unbounded ${(unbounded.peak / MiB) | 0} MiB`;
    expect(unbounded.peak - bounded.peak, seen).toBeGreaterThan(all);
    expect(bounded.peak, seen).toBeLessThan(160 * MiB);
  }, 120_000);

  test(`${OBJECTS} bodies of 4 MiB without Content-Length (chunked): still held up to --max-bytes-in-flight`, async () => {
    // The proxy forwards each body as it comes, without its Content-Length: its size is known only at its end.
    const proxy = await startFaultProxy(s3.endpoint);
    proxy.setFaults(() => ({
      kind: "headers",
      edit: ({ "content-length": _dropped, ...rest }) => rest,
    }));
    try {
      const bounded = await fetchBehindStalledReader(["--max-bytes-in-flight", "16M"], 3000, proxy.endpoint);
      expect(bounded.code).toBe(0);
      expect(bounded.records).toHaveLength(OBJECTS);
      expect(bounded.records.every((record) => record.type === "object" && record.body?.length === SIZE)).toBe(true);
      expect(proxy.objectGets(200).length).toBeGreaterThanOrEqual(OBJECTS);
      // All bodies at once would be 160 MiB on top of the process itself.
      expect(bounded.peak, `bounded ${(bounded.peak / MiB) | 0} MiB`).toBeLessThan(160 * MiB);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  test(`--into: ${OBJECTS} bodies of 4 MiB filed in the same process stay within --max-bytes-in-flight and 200 MiB`, async () => {
    // Here the bodies never become records: held only until written, their garbage is not text.
    const peak = await fileIntoMirror(["--max-bytes-in-flight", "16M"]);
    // 160 MiB of bodies in all: the budget holds 16 MiB (and the one at the head of the line).
    expect(peak, `peak ${(peak / MiB) | 0} MiB`).toBeLessThan(200 * MiB);
  }, 120_000);

  test(`--into with the default budget: ${OBJECTS} bodies of 4 MiB at once stay within 200 MiB`, async () => {
    // What a download takes without a flag: the default budget, not the size of the bodies, bounds it.
    const peak = await fileIntoMirror([]);
    expect(peak, `peak ${(peak / MiB) | 0} MiB`).toBeLessThan(200 * MiB);
  }, 120_000);
});

/** Runs orcid-fetch --into a new mirror on every object, `-j` all of them; its peak resident set. */
async function fileIntoMirror(args: readonly string[]): Promise<number> {
  const mirror = scratch("orcid-sync-big-into-");
  try {
    const env = { ...process.env, ...s3.env };
    const child = spawn(join(BIN_DIR, "orcid-fetch"), ["-j", String(OBJECTS), ...args, "--into", mirror.dir], {
      env,
      stdio: ["pipe", "pipe", "inherit"],
    });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, residentBytes(child.pid!))), 10);
    const keys = Array.from({ length: OBJECTS }, (_, n) =>
      JSON.stringify({
        type: "key",
        bucket: BUCKET,
        key: summaryKey(orcidOf(n)),
        orcid: orcidOf(n),
        kind: "summary",
      }),
    );
    child.stdin.end(`${keys.join("\n")}\n`);
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearInterval(sampler);
    expect(code).toBe(0);
    const records = Buffer.concat(chunks).toString().trim().split("\n");
    expect(records.map((line) => (JSON.parse(line) as { action?: string }).action)).toEqual(
      Array(OBJECTS).fill("written"),
    );
    expect(readdirSync(mirror.dir, { recursive: true }).filter((p) => String(p).endsWith(".xml"))).toHaveLength(
      OBJECTS,
    );
    return peak;
  } finally {
    mirror.remove();
  }
}
