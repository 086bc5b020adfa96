// orcid-fetch --into against the pipe it replaces: `orcid-fetch | orcid-place DIR` and
// `orcid-fetch --into DIR` must leave the same tree and emit the same records, on day 1 and on a
// day-2 sync with deletions; and the fault suite's cases hold for --into through the real binary.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatIsoMicros, MIRROR_LOCK_FOLDER, readCheckpoints } from "@orcid-sync/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectedMirror } from "../generator/dataset_files.ts";
import type { Fault, FaultProxy } from "./http_proxy.ts";
import {
  BIN_DIR,
  expectedTree,
  readTree,
  runBin,
  runPipeline,
  scratch,
  type ProxiedS3,
  type SeededS3,
  startProxiedS3,
  treeDifferences,
} from "./helpers.ts";

let s3: SeededS3;
let proxy: FaultProxy;
let env: Record<string, string>;
const work = scratch("orcid-sync-into-");

let bed: ProxiedS3 | undefined;

beforeAll(async () => {
  ({ s3, proxy, env } = bed = await startProxiedS3({ records: 150, seed: 61 }));
});
afterAll(async () => {
  await bed?.close();
  work.remove();
});

interface Emitted {
  readonly type: string;
  readonly action?: string;
  readonly code?: string;
  readonly tool?: string;
}

/** The records of a run, in a canonical order (listings run in parallel), errors named by no tool. */
function records(stdout: string): string[] {
  return stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const { tool: _tool, ...rest } = JSON.parse(line) as Emitted;
      return JSON.stringify(rest);
    })
    .sort();
}

const parsed = (stdout: string): Emitted[] =>
  stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Emitted);

describe("orcid-fetch --into and orcid-fetch | orcid-place", () => {
  const viaPipe = join(work.dir, "pipe", "ORCID_public_data_files");
  const inProcess = join(work.dir, "into", "ORCID_public_data_files");

  test("day 1: the same tree, the expected one, and the same records", async () => {
    const list = "orcid-list --all -s -a -j 8";
    const pipe = await runPipeline(`${list} | orcid-fetch -j 16 | orcid-place "${viaPipe}"`, { env });
    const into = await runPipeline(`${list} | orcid-fetch -j 16 --into "${inProcess}"`, { env });
    expect(pipe.code, pipe.stderr).toBe(0);
    expect(into.code, into.stderr).toBe(0);
    const expected = expectedTree(expectedMirror(s3.dataset));
    expect(treeDifferences(readTree(inProcess), expected)).toEqual([]);
    expect(treeDifferences(readTree(inProcess), readTree(viaPipe))).toEqual([]);
    expect(parsed(into.stdout).filter((r) => r.action === "written")).toHaveLength(expected.size);
    expect(records(into.stdout)).toEqual(records(pipe.stdout));
    expect(into.stderr).toMatch(/orcid-fetch: \d+ objects .*; \d+ written, 0 unchanged, 0 deleted, 0 failed in /);
  }, 120_000);

  test("day 2 by --since: the same tree (the day-2 mirror, deletions included) and the same records", async () => {
    const day1 = s3.dataset;
    const day2 = await s3.seedDay(2);
    const list = `orcid-list --since ${formatIsoMicros(day1.now)} -s -a`;
    const pipe = await runPipeline(`${list} | orcid-fetch | orcid-place "${viaPipe}"`, { env });
    const into = await runPipeline(`${list} | orcid-fetch --into "${inProcess}"`, { env });
    expect(pipe.code, pipe.stderr).toBe(0);
    expect(into.code, into.stderr).toBe(0);
    expect(parsed(into.stdout).some((r) => r.action === "deleted")).toBe(true);
    expect(treeDifferences(readTree(inProcess), expectedTree(expectedMirror(day2)))).toEqual([]);
    expect(treeDifferences(readTree(inProcess), readTree(viaPipe))).toEqual([]);
    expect(records(into.stdout)).toEqual(records(pipe.stdout));
    // Nothing is left of the run's lock.
    expect(readdirSync(inProcess)).not.toContain(MIRROR_LOCK_FOLDER);
  }, 120_000);

  test("--dry-run: the records orcid-place --dry-run gives, and nothing changed", async () => {
    const day3 = await s3.seedDay(3);
    const list = `orcid-list --since ${formatIsoMicros(day3.now - 86_400_000_000)} -s -a`;
    const before = readTree(inProcess);
    const pipe = await runPipeline(`${list} | orcid-fetch | orcid-place "${viaPipe}" --dry-run`, { env });
    const into = await runPipeline(`${list} | orcid-fetch --into "${inProcess}" --dry-run`, { env });
    expect(pipe.code, pipe.stderr).toBe(0);
    expect(into.code, into.stderr).toBe(0);
    expect(parsed(into.stdout).some((r) => r.action === "written")).toBe(true);
    expect(records(into.stdout)).toEqual(records(pipe.stdout));
    expect(into.stderr).toMatch(/dry run: would have \d+ written/);
    expect(treeDifferences(readTree(inProcess), before)).toEqual([]);
    await s3.seedDay(2);
  }, 120_000);

  test("a second run over the same data downloads nothing: every file is reported unchanged", async () => {
    proxy.requests.length = 0;
    const into = await runPipeline(`orcid-list --all -s -a | orcid-fetch --into "${inProcess}"`, { env });
    expect(into.code, into.stderr).toBe(0);
    expect(proxy.objectGets()).toEqual([]);
    const placed = parsed(into.stdout).filter((r) => r.type === "placed");
    expect(placed.length).toBe(expectedTree(expectedMirror(s3.dataset)).size);
    expect([...new Set(placed.map((r) => r.action))]).toEqual(["unchanged"]);
  }, 120_000);
});

/** Faults for the first `times` requests of each object GET. */
function everyObject(fault: Fault, times: number): (req: IncomingMessage) => Fault | undefined {
  const seen = new Map<string, number>();
  return (req) => {
    const url = req.url ?? "";
    if (url.includes("list-type=") || !/\.xml$/.test(url.split("?")[0]!)) return undefined;
    const n = seen.get(url) ?? 0;
    if (n >= times) return undefined;
    seen.set(url, n + 1);
    return fault;
  };
}

describe("orcid-fetch --into under faults", () => {
  const cases: [string, Fault][] = [
    ["bursts of 503 SlowDown", { kind: "status", status: 503, code: "SlowDown" }],
    ["bursts of 500 InternalError", { kind: "status", status: 500, code: "InternalError" }],
    ["connection reset mid-body", { kind: "reset" }],
    ["flipped bytes (MD5 mismatch)", { kind: "corrupt" }],
  ];
  test.each(cases)(
    "%s: retried, the run completes and the mirror is exact",
    async (label, fault) => {
      const mirror = join(work.dir, `fault-${label.replace(/\W+/g, "-")}`);
      proxy.setFaults(everyObject(fault, 1));
      try {
        const result = await runPipeline(
          `orcid-list --all -s -a -j 8 | orcid-fetch -j 8 --retries 4 --into "${mirror}"`,
          { env },
        );
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toMatch(/orcid-fetch: .* [1-9]\d* retries/);
        expect(treeDifferences(readTree(mirror), expectedTree(expectedMirror(s3.dataset)))).toEqual([]);
      } finally {
        proxy.setFaults(undefined);
      }
    },
    120_000,
  );

  test("--checkpoints records the journal `| orcid-state checkpoints record` records: a folder with a failed object is not marked done", async () => {
    const summary = [...expectedTree(expectedMirror(s3.dataset)).keys()].find((path) => path.startsWith("summaries/"))!;
    const key = summary.slice("summaries/".length);
    const folder = key.split("/")[0]!;
    proxy.setFaults((req) =>
      req.method === "GET" && (req.url ?? "").split("?")[0]!.endsWith(`/v3.0-summaries/${key}`)
        ? { kind: "status", status: 500, code: "InternalError" }
        : undefined,
    );
    try {
      const list = "orcid-list --all -s -a -j 8";
      const inProcess = join(work.dir, "checkpoints-into.ndjson");
      const stage = join(work.dir, "checkpoints-stage.ndjson");
      const into = await runPipeline(
        `${list} | orcid-fetch -j 8 --retries 0 --into "${join(work.dir, "cp-into")}" --checkpoints "${inProcess}"`,
        { env },
      );
      const piped = await runPipeline(
        `${list} | orcid-fetch -j 8 --retries 0 --into "${join(work.dir, "cp-stage")}" | orcid-state checkpoints record --checkpoints-file "${stage}"`,
        { env },
      );
      expect(into.code, into.stderr).toBe(1);
      expect(piped.code, piped.stderr).toBe(1);
      expect(into.stderr).toMatch(/1 folders had failures and were not marked done/);
      const done = await readCheckpoints(inProcess);
      expect(done.size).toBeGreaterThan(100);
      expect(done.has(`v3.0-summaries/${folder}`)).toBe(false);
      expect([...done].sort()).toEqual([...(await readCheckpoints(stage))].sort());
    } finally {
      proxy.setFaults(undefined);
    }
  }, 120_000);

  test("kill -9 mid-run leaves only whole files, and a rerun gives the exact mirror", async () => {
    const mirror = join(work.dir, "killed");
    const total = expectedTree(expectedMirror(s3.dataset)).size;
    const n = 1 + Math.floor(Math.random() * (total - 1));
    let gets = 0;
    proxy.setFaults((req) =>
      req.method === "GET" && /\.xml$/.test((req.url ?? "").split("?")[0]!) && ++gets > n
        ? { kind: "stall", ms: 30_000 }
        : undefined,
    );
    try {
      const child = spawn(
        "sh",
        ["-c", `orcid-list --all -s -a -j 4 | orcid-fetch -j 8 --into "${mirror}" >/dev/null 2>&1`],
        { env: { ...process.env, ...env, PATH: `${BIN_DIR}:${process.env.PATH}` }, detached: true, stdio: "ignore" },
      );
      const exited = new Promise((resolve) => child.on("exit", resolve));
      for (let waited = 0; gets < n && waited < 60_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
      process.kill(-child.pid!, "SIGKILL");
      await exited;
    } finally {
      proxy.setFaults(undefined);
    }
    const expected = expectedTree(expectedMirror(s3.dataset));
    const leftover = (p: string) => p.includes(".orcid-sync-tmp.") || p.startsWith(`${MIRROR_LOCK_FOLDER}/`);
    const before = existsSync(mirror) ? readTree(mirror) : new Map<string, Buffer>();
    for (const [path, body] of before)
      if (!leftover(path)) expect(body.equals(expected.get(path)!), `${path} is whole (killed at GET ${n})`).toBe(true);
    const rerun = await runPipeline(`orcid-list --all -s -a | orcid-fetch --into "${mirror}"`, { env });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(treeDifferences(readTree(mirror), expected)).toEqual([]);
    expect([...readTree(mirror).keys()].filter((p) => p.includes(".orcid-sync-tmp."))).toEqual([]);
  }, 180_000);
});

describe("orcid-fetch --into and hostile input", () => {
  const ID = "0000-0002-1825-0097";
  const key = (k: string) =>
    JSON.stringify({ type: "key", bucket: "v3.0-summaries", key: k, orcid: ID, kind: "summary" });

  test("refuses keys that would leave the mirror, and writes nothing through a symlink", async () => {
    const dir = scratch();
    try {
      const target = join(dir.dir, "mirror");
      const outside = join(dir.dir, "outside");
      mkdirSync(join(target, "summaries"), { recursive: true });
      mkdirSync(outside);
      writeFileSync(join(outside, `${ID}.xml`), "precious");
      symlinkSync(outside, join(target, "summaries", "097"));
      const input = [key(`../../${ID}.xml`), key(`097/${ID}.xml`), key(`/etc/${ID}.xml`)].join("\n");
      const result = await runBin("orcid-fetch", ["--into", target], { stdin: `${input}\n`, env });
      expect(result.code, result.stderr).toBe(1);
      const out = parsed(result.stdout);
      expect(out).toHaveLength(3);
      for (const record of out) expect(record.type).toBe("error");
      expect(out.map((r) => r.code)).toContain("UnsafePath");
      expect(readTree(outside)).toEqual(new Map([[`${ID}.xml`, Buffer.from("precious")]]));
      expect(readdirSync(dir.dir).sort()).toEqual(["mirror", "outside"]);
    } finally {
      dir.remove();
    }
  });

  test("flags of --into without it are a usage error", async () => {
    const result = await runBin("orcid-fetch", ["--shard", "1/2"], { stdin: "", env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Cannot use --shard without --into/);
    const dry = await runBin("orcid-fetch", ["--into", work.dir, "--dry-run", "--checkpoints", "cp.ndjson"], {
      stdin: "",
      env,
    });
    expect(dry.code).toBe(2);
    expect(dry.stderr).toMatch(/Cannot use --checkpoints with --dry-run/);
  });
});

/** A tmpfs of `size`, mounted with `options`; undefined where it cannot be (not root). */
function tmpfs(size: string, options = ""): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "orcid-sync-into-tmpfs-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}${options}`, "tmpfs", dir], { stdio: "pipe" });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `Cannot mount a tmpfs for a real full disk (${(error as Error).message}): run the tests as root, or set ORCID_SYNC_SKIP_FULL_DISK=1 to skip the full-disk tests`,
    );
  }
  return {
    dir,
    remove: () => {
      execFileSync("umount", [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe("orcid-fetch --into on a disk it cannot write", () => {
  // As in disk_test.ts: without a tmpfs these fail, unless ORCID_SYNC_SKIP_FULL_DISK=1 opts out.
  const optedOut = process.getuid?.() !== 0 && process.env.ORCID_SYNC_SKIP_FULL_DISK === "1";

  test.skipIf(optedOut)(
    "a full disk: exit 3, one message, every file present whole, no temp file",
    async () => {
      const disk = tmpfs("64k");
      try {
        const mirror = join(disk.dir, "mirror");
        const result = await runPipeline(`orcid-list --all -s -a | orcid-fetch -j 8 --into "${mirror}"`, { env });
        expect(result.code).toBe(3);
        const errors = result.stderr.split("\n").filter((l) => l.includes("error:"));
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(/^orcid-fetch: error: Cannot place in the mirror: ENOSPC: no space left on device/);
        expect(result.stderr).not.toContain("    at ");
        const expected = expectedTree(expectedMirror(s3.dataset));
        const tree = readTree(mirror);
        expect(tree.size).toBeLessThan(expected.size);
        for (const [path, body] of tree) {
          expect(path).not.toContain(".orcid-sync-tmp.");
          if (!path.startsWith(`${MIRROR_LOCK_FOLDER}/`)) expect(body.equals(expected.get(path)!), path).toBe(true);
        }
      } finally {
        disk.remove();
      }
    },
    120_000,
  );

  test.skipIf(optedOut)(
    "a read-only mirror: exit 3 at once with one message, nothing written",
    async () => {
      const disk = tmpfs("1m", ",ro");
      try {
        const result = await runPipeline(`orcid-list --all -s | orcid-fetch --into "${disk.dir}"`, { env });
        expect(result.code).toBe(3);
        const errors = result.stderr.split("\n").filter((l) => l.includes("error:"));
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(/^orcid-fetch: error: Cannot place in the mirror: EROFS/);
        expect(readdirSync(disk.dir)).toEqual([]);
      } finally {
        disk.remove();
      }
    },
    60_000,
  );
});
