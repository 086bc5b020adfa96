// The drop-in scripts, end to end: download.sh then sync.sh produce exactly the generator's
// mirrors and a valid last_ran.config; a failing stage leaves the state alone; a sharded sync
// equals an unsharded one; the archives list and extract with GNU tar.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectedMirror } from "../generator/dataset_files.ts";
import { startFaultProxy } from "./http_proxy.ts";
import {
  expectedTree,
  readTree,
  ROOT,
  runCommand,
  scratch,
  type SeededS3,
  startSeededS3,
  treeDifferences,
} from "./helpers.ts";

const script = (name: string) => join(ROOT, "scripts", name);
let s3: SeededS3;
const work = scratch("orcid-sync-scripts-");

beforeAll(async () => {
  // "now" is the real clock: sync.sh's cutoff comes from last_ran.config, which download.sh writes.
  s3 = await startSeededS3({ records: 250, seed: 31, now: new Date() });
});
afterAll(async () => {
  await s3?.close();
  work.remove();
});

function folder(name: string): string {
  const dir = join(work.dir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const LAST_RAN = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/;

describe("download.sh and sync.sh", () => {
  test("refuse unknown flags and missing values with exit 2", async () => {
    const cwd = folder("flags");
    expect((await runCommand(script("download.sh"), ["-s", "-q"], { cwd })).code).toBe(2);
    expect((await runCommand(script("sync.sh"), ["-s", "-max"], { cwd })).code).toBe(2);
    const neither = await runCommand(script("sync.sh"), [], { cwd });
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain("sync.sh: error: choose -s (summaries), -a (activities) or both");
    expect((await runCommand(script("download.sh"), ["--help"], { cwd })).stdout).toContain("-max N");
  });

  test("download.sh then sync.sh give exactly the day-1 and day-2 mirrors, the archives, and last_ran.config", async () => {
    const cwd = folder("main");
    const download = await runCommand(script("download.sh"), ["-p", "data", "-s", "-a", "-t", "-max", "16"], {
      cwd,
      env: s3.env,
    });
    expect(download.code, download.stderr).toBe(0);
    const mirror = join(cwd, "data", "ORCID_public_data_files");
    expect(treeDifferences(readTree(mirror), expectedTree(expectedMirror(s3.dataset)))).toEqual([]);
    const firstRun = readFileSync(join(cwd, "last_ran.config"), "utf8");
    expect(firstRun).toMatch(LAST_RAN);

    // The reference's -t archives: GNU tar lists and extracts them, and they hold the mirror.
    const month = `${new Date().getMonth() + 1}_${new Date().getFullYear()}`;
    const extracted = folder("extracted");
    for (const name of [`ORCID-API-3.0_xml_${month}.tar.gz`, `ORCID-API-3.0_activities_xml_${month}.tar.gz`]) {
      execFileSync("tar", ["-xzf", join(cwd, name), "-C", extracted]);
      expect(
        execFileSync("tar", ["-tzf", join(cwd, name)])
          .toString()
          .split("\n")
          .filter(Boolean).length,
      ).toBeGreaterThan(0);
    }
    expect(treeDifferences(readTree(extracted), readTree(mirror))).toEqual([]);

    await s3.seedDay(2);
    const sync = await runCommand(script("sync.sh"), ["-p", "data", "-s", "-a"], { cwd, env: s3.env });
    expect(sync.code, sync.stderr).toBe(0);
    expect(treeDifferences(readTree(mirror), expectedTree(expectedMirror(s3.dataset)))).toEqual([]);
    const secondRun = readFileSync(join(cwd, "last_ran.config"), "utf8");
    expect(secondRun).toMatch(LAST_RAN);
    expect(secondRun > firstRun).toBe(true);
  }, 240_000);

  test("a sync whose fetch stage fails leaves last_ran.config unchanged", async () => {
    const cwd = folder("failing");
    writeFileSync(join(cwd, "last_ran.config"), "2026-01-01 00:00:00.000000");
    // The lambda file and listings pass; every object GET is refused, so orcid-fetch stops (exit 3).
    const proxy = await startFaultProxy(s3.endpoint);
    proxy.setFaults((req) =>
      req.url?.startsWith("/v3.0-summaries/") ? { kind: "status", status: 403, code: "AccessDenied" } : undefined,
    );
    try {
      const result = await runCommand(script("sync.sh"), ["-s", "-d", "400"], {
        cwd,
        env: { ...s3.env, AWS_ENDPOINT_URL: proxy.endpoint },
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/orcid-fetch: error: .*AccessDenied/);
      expect(readFileSync(join(cwd, "last_ran.config"), "utf8")).toBe("2026-01-01 00:00:00.000000");
    } finally {
      await proxy.close();
    }
  });

  test("download.sh -r refuses a resume start that is empty or not a time, before any work (exit 3)", async () => {
    // An empty file (a kill while it was written) would otherwise let the resumed run save its own
    // start: later than the folders the killed run listed.
    for (const [name, content] of [
      ["empty", ""],
      ["garbled", "yesterday\n"],
    ] as const) {
      const cwd = folder(`resume-start-${name}`);
      writeFileSync(join(cwd, "orcid_sync_download_started"), content);
      const resume = await runCommand(script("download.sh"), ["-s", "-r", "-max", "4"], { cwd, env: s3.env });
      expect(resume.code, `${name}: ${resume.stderr}`).toBe(3);
      expect(resume.stderr).toContain("cannot resume: orcid_sync_download_started holds");
      // Nothing fetched, no state saved: the folder holds what it held.
      expect([...readTree(cwd).keys()], name).toEqual(["orcid_sync_download_started"]);
    }
  });

  test("a second sync while one runs is refused clearly", async () => {
    const cwd = folder("locked");
    writeFileSync(
      join(cwd, "last_ran.config.lock"),
      JSON.stringify({ pid: process.pid, host: execFileSync("hostname").toString().trim(), since: "now" }),
    );
    const result = await runCommand(script("sync.sh"), ["-s", "-d", "1"], { cwd, env: s3.env });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`Another sync is running (pid ${process.pid}`);
  });
});

describe("sharded-sync.sh", () => {
  test("with local jobs and through -S :, gives the same mirror as one sync, and advances the state", async () => {
    const before = Date.now() * 1000;
    const plain = folder("plain");
    const sharded = folder("sharded");
    const remote = folder("remote");
    const one = await runCommand(script("sync.sh"), ["-s", "-a", "-d", "400"], { cwd: plain, env: s3.env });
    expect(one.code, one.stderr).toBe(0);
    const many = await runCommand(script("sharded-sync.sh"), ["-N", "3", "-s", "-a", "-d", "400"], {
      cwd: sharded,
      env: s3.env,
    });
    expect(many.code, many.stderr).toBe(0);
    const viaSsh = await runCommand(script("sharded-sync.sh"), ["-N", "2", "-S", ":", "-s", "-a", "-d", "400"], {
      cwd: remote,
      env: s3.env,
    });
    expect(viaSsh.code, viaSsh.stderr).toBe(0);
    const reference = readTree(join(plain, "ORCID_public_data_files"));
    expect(reference.size).toBeGreaterThan(100);
    expect(treeDifferences(readTree(join(sharded, "ORCID_public_data_files")), reference)).toEqual([]);
    expect(treeDifferences(readTree(join(remote, "ORCID_public_data_files")), reference)).toEqual([]);
    expect(readFileSync(join(sharded, "last_ran.config"), "utf8")).toMatch(LAST_RAN);
    // The state is the earlier of the run's start and the newest row of the lambda file.
    const newest = Math.max(...s3.dataset.records.map((r) => r.lastModified));
    for (const cwd of [plain, sharded, remote]) {
      const text = readFileSync(join(cwd, "last_ran.config.utc"), "utf8").trim();
      const saved = Date.parse(text) * 1000 + (Number(text.slice(20, 26)) % 1000);
      if (newest < before) expect(saved, cwd).toBe(newest);
      else expect(saved >= before && saved <= Date.now() * 1000, `${cwd}: ${text}`).toBe(true);
    }
  }, 300_000);
});
