import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { formatIsoMicros } from "@orcid-sync/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { goldenObjects } from "../generator/dataset_files.ts";
import { syntheticLambda } from "../generator/lambda.ts";
import { MICROS_PER_DAY } from "../generator/model.ts";
import { datasetObjects } from "../generator/objects.ts";
import { syncStore } from "../generator/store.ts";
import { startLocalS3 } from "../s3/server.ts";
import { BIN_DIR, runBin, scratch, type SeededS3, startSeededS3 } from "./helpers.ts";
import { startCountingProxy } from "./tcp_proxy.ts";

interface Rec {
  type: string;
  bucket: string;
  key: string;
  orcid: string;
  kind: string;
  keys: string[];
  folder: string;
}

/** The records of a run, less the lambda record that ends a --since run (tested on its own). */
const parse = (stdout: string): Rec[] => records(stdout).filter((r) => r.type !== "lambda");
const records = (stdout: string): Rec[] =>
  stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Rec);
/** The seeded lambda file has 4 bad rows among its newest (2 malformed, 2 invalid iDs). */
const NOISE = ["--allow-bad-rows", "4"];

let s3: SeededS3;
beforeAll(async () => {
  s3 = await startSeededS3({ records: 400, seed: 11 }, { noise: true });
});
afterAll(async () => {
  await s3?.close();
});

const list = (args: string[], env: Record<string, string> = {}) =>
  runBin("orcid-list", args[0] === "--since" ? [...args, ...NOISE] : args, { env: { ...s3.env, ...env } });

/** iDs at or after a cutoff, newest first, as the lambda file orders them. */
function changedSince(cutoff: number): string[] {
  return [...s3.dataset.records]
    .sort((a, b) => b.lastModified - a.lastModified || (a.orcid < b.orcid ? -1 : 1))
    .filter((r) => r.lastModified >= cutoff)
    .map((r) => r.orcid);
}

describe("orcid-list --since", () => {
  test("picks exactly the iDs of several windows, newest first, and reports the bad rows", async () => {
    const now = s3.dataset.now;
    for (const cutoff of [now - MICROS_PER_DAY, now - 7 * MICROS_PER_DAY, now - 30 * MICROS_PER_DAY]) {
      const result = await list(["--since", formatIsoMicros(cutoff), "-s"]);
      expect(result.code, result.stderr).toBe(0);
      const records = parse(result.stdout);
      expect(records.map((r) => r.orcid)).toEqual(changedSince(cutoff));
      expect(records.every((r) => r.type === "key" && r.kind === "summary" && r.bucket === "v3.0-summaries")).toBe(
        true,
      );
      expect(records.every((r) => r.key === `${r.orcid.slice(-3)}/${r.orcid}.xml`)).toBe(true);
      expect(result.stderr).toContain("skipped 2 malformed rows and 2 invalid iDs");
      expect(result.stderr).toMatch(/^orcid-list: warning: {3}row \d+ \(line \d+\): 0000-0002-1825-009,/m);
    }
  });

  test("bad rows beyond --allow-bad-rows: each shown with its row number, an error record, exit 1, the keys still emitted", async () => {
    const cutoff = s3.dataset.now - 7 * MICROS_PER_DAY;
    for (const allowed of ["0", "3"]) {
      const result = await runBin(
        "orcid-list",
        ["--since", formatIsoMicros(cutoff), "-s", "--allow-bad-rows", allowed],
        { env: s3.env },
      );
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr.match(/^orcid-list: warning: {3}row \d+ \(line \d+\): /gm)).toHaveLength(4);
      expect(result.stderr).toContain(`more than --allow-bad-rows ${allowed}`);
      const out = records(result.stdout);
      expect(out.filter((r) => r.type === "key").map((r) => r.orcid)).toEqual(changedSince(cutoff));
      expect(out.filter((r) => r.type === "error")).toMatchObject([
        { tool: "orcid-list", op: "lambda", code: "BadLambdaRows" },
      ]);
    }
  });

  test("ends with a lambda record holding the newest last_modified of the file, whatever the window", async () => {
    const newest = Math.max(...s3.dataset.records.map((r) => r.lastModified));
    for (const cutoff of [s3.dataset.now - 30 * MICROS_PER_DAY, newest + 1]) {
      const result = await list(["--since", formatIsoMicros(cutoff), "-s", "-a", "-j", "8"]);
      expect(result.code, result.stderr).toBe(0);
      const out = records(result.stdout);
      expect(out.at(-1)).toEqual({
        type: "lambda",
        bucket: "orcid-lambda-file",
        key: "last_modified.csv.tar",
        newest: formatIsoMicros(newest),
      });
      expect(out.filter((r) => r.type === "lambda")).toHaveLength(1);
    }
    // A window past the whole file: nothing new in it, and a word about it.
    const past = await list(["--since", formatIsoMicros(newest + 1), "-s"]);
    expect(parse(past.stdout)).toEqual([]);
    expect(past.stderr).toContain("the lambda file's newest row");
  });

  test("includes a row exactly at the cutoff and excludes it one microsecond later", async () => {
    const record = s3.dataset.records.find((r) => r.precision === 6 && r.lastModified % 1000 !== 0)!;
    const at = await list(["--since", formatIsoMicros(record.lastModified), "-s"]);
    expect(parse(at.stdout).map((r) => r.orcid)).toContain(record.orcid);
    const after = await list(["--since", formatIsoMicros(record.lastModified + 1), "-s"]);
    expect(parse(after.stdout).map((r) => r.orcid)).not.toContain(record.orcid);
    expect(parse(after.stdout).map((r) => r.orcid)).toEqual(changedSince(record.lastModified + 1));
  });

  test("-a emits exactly each changed iD's activity keys, then a manifest with that set, empty ones included", async () => {
    const cutoff = s3.dataset.now - 20 * MICROS_PER_DAY;
    const result = await list(["--since", formatIsoMicros(cutoff), "-a", "-j", "8"]);
    expect(result.code, result.stderr).toBe(0);
    const records = parse(result.stdout);
    const expected = new Map<string, string[]>();
    for (const orcid of changedSince(cutoff)) expected.set(orcid, []);
    for (const object of datasetObjects(s3.dataset)) {
      const orcid = object.key.split("/")[1]!.replace(/\.xml$/, "");
      if (object.bucket !== "v3.0-summaries" && expected.has(orcid)) expected.get(orcid)!.push(object.key);
    }
    const manifests = records.filter((r) => r.type === "manifest");
    expect(manifests.map((m) => m.orcid)).toEqual(changedSince(cutoff));
    expect(manifests.some((m) => m.keys.length === 0)).toBe(true);
    for (const manifest of manifests)
      expect([...manifest.keys].sort(), manifest.orcid).toEqual([...expected.get(manifest.orcid)!].sort());
    // Each iD's keys come right before its manifest.
    let pending: string[] = [];
    for (const record of records) {
      if (record.type === "key") pending.push(record.key);
      else {
        expect(pending.sort()).toEqual([...record.keys].sort());
        pending = [];
      }
    }
  });

  test("shards partition the iDs: disjoint, and together the unsharded output", async () => {
    const since = formatIsoMicros(s3.dataset.now - 30 * MICROS_PER_DAY);
    const whole = parse((await list(["--since", since, "-s"])).stdout).map((r) => r.key);
    const shards = await Promise.all(
      [1, 2, 3].map(async (k) =>
        parse((await list(["--since", since, "-s", "--shard", `${k}/3`])).stdout).map((r) => r.key),
      ),
    );
    expect(shards.every((keys) => keys.length > 0)).toBe(true);
    expect(shards.flat().sort()).toEqual([...whole].sort());
    expect(new Set(shards.flat()).size).toBe(whole.length);
  });

  test("a bucket that does not exist stops the run with exit 3, never an empty manifest", async () => {
    const since = formatIsoMicros(s3.dataset.now - 30 * MICROS_PER_DAY);
    const result = await list(["--since", since, "-a", "--activities-bucket-base", "v3.0-activitiez"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/orcid-list: error: Cannot list s3:\/\/v3\.0-activitiez-[abc]\/.*NoSuchBucket/);
    expect(parse(result.stdout).filter((r) => r.type === "manifest")).toEqual([]);
    const lambda = await list(["--since", since, "-s", "--lambda-bucket", "no-such-lambda"]);
    expect(lambda.code).toBe(3);
    expect(lambda.stderr).toContain("Cannot read s3://no-such-lambda/last_modified.csv.tar: NoSuchBucket");
  });

  test("--ids lists given iDs and reports invalid ones", async () => {
    const ids = s3.dataset.records.slice(0, 5).map((r) => r.orcid);
    const result = await runBin("orcid-list", ["--ids", "-", "-s"], {
      env: s3.env,
      stdin: `${ids.join("\n")}\n0000-0002-1825-0098\n\n`,
    });
    expect(result.code).toBe(0);
    expect(parse(result.stdout).map((r) => r.orcid)).toEqual(ids);
    expect(result.stderr).toContain("1 invalid iDs");
  });
});

describe("orcid-list --all", () => {
  const allKeys = () => [...datasetObjects(s3.dataset), ...goldenObjects()].map((o) => `${o.bucket}/${o.key}`).sort();

  test("lists every key of every bucket over many pages, a manifest per iD, a checkpoint per bucket folder", async () => {
    const result = await list(["--all", "-s", "-a", "-n", "3", "-j", "16"]);
    expect(result.code, result.stderr).toBe(0);
    const records = parse(result.stdout);
    expect(
      records
        .filter((r) => r.type === "key")
        .map((r) => `${r.bucket}/${r.key}`)
        .sort(),
    ).toEqual(allKeys());
    const withObjects = new Set(
      [...datasetObjects(s3.dataset), ...goldenObjects()].map((o) => o.key.split("/")[1]!.replace(/\.xml$/, "")),
    );
    const manifests = records.filter((r) => r.type === "manifest");
    expect(manifests.map((m) => m.orcid).sort()).toEqual([...withObjects].sort());
    const golden = manifests.find((m) => m.orcid === "0000-0002-7869-831X")!;
    expect(golden.keys).toEqual(["31X/0000-0002-7869-831X/membership/0000-0002-7869-831X_membership_42.xml"]);
    expect(manifests.find((m) => m.orcid === "0000-0002-1825-0097")!.keys).toEqual([]);
    expect(records.filter((r) => r.type === "checkpoint")).toHaveLength(2200);
  });

  test("a listing killed midway and resumed emits the rest: no gaps, nothing done twice", async () => {
    const dir = scratch();
    try {
      const journal = join(dir.dir, "journal.ndjson");
      const first = join(dir.dir, "first.ndjson");
      const pipeline = spawn(
        "bash",
        [
          "-c",
          `"${BIN_DIR}/orcid-list" --all -s -a -n 3 -j 2 | "${BIN_DIR}/orcid-state" checkpoints record --checkpoints-file "${journal}" > "${first}"`,
        ],
        { env: { ...process.env, ...s3.env }, detached: true, stdio: "ignore" },
      );
      const lines = () => {
        try {
          return readFileSync(journal, "utf8").split("\n").length - 1;
        } catch {
          return 0;
        }
      };
      const exited = new Promise((resolve) => pipeline.on("exit", resolve));
      for (let waited = 0; lines() < 400 && waited < 60_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      process.kill(-pipeline.pid!, "SIGKILL");
      await exited;
      const done = new Set(
        readFileSync(journal, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => {
            const c = JSON.parse(l);
            return `${c.bucket}/${c.folder}`;
          }),
      );
      expect(done.size).toBeGreaterThanOrEqual(400);
      expect(done.size).toBeLessThan(2200);
      const folderOf = (key: string) => key.split("/").slice(0, 2).join("/");
      const firstKeys = parse(readFileSync(first, "utf8").split("\n").slice(0, -1).join("\n"))
        .filter((r) => r.type === "key")
        .map((r) => `${r.bucket}/${r.key}`);
      const resumed = await list(["--all", "-s", "-a", "-n", "3", "--resume", "--checkpoints-file", journal]);
      expect(resumed.code, resumed.stderr).toBe(0);
      const resumedKeys = parse(resumed.stdout)
        .filter((r) => r.type === "key")
        .map((r) => `${r.bucket}/${r.key}`);
      expect(resumedKeys.filter((k) => done.has(folderOf(k)))).toEqual([]);
      expect(new Set([...firstKeys.filter((k) => done.has(folderOf(k))), ...resumedKeys]).size).toBe(allKeys().length);
      expect([...new Set([...firstKeys.filter((k) => done.has(folderOf(k))), ...resumedKeys])].sort()).toEqual(
        allKeys(),
      );
      expect(resumed.stderr).toMatch(/skipped as done/);
    } finally {
      dir.remove();
    }
  });

  test("shards of a full listing are disjoint and cover every key", async () => {
    const shards = await Promise.all(
      [1, 2, 3, 4].map(async (k) =>
        parse((await list(["--all", "-s", "--shard", `${k}/4`])).stdout)
          .filter((r) => r.type === "key")
          .map((r) => `${r.bucket}/${r.key}`),
      ),
    );
    const summaries = allKeys().filter((k) => k.startsWith("v3.0-summaries/"));
    expect(shards.flat().sort()).toEqual(summaries);
    expect(new Set(shards.flat()).size).toBe(summaries.length);
  });
});

describe("orcid-list reading a large lambda file", () => {
  test("stops the download at the first older row: a 1-day window reads under 10% of it", async () => {
    const dir = scratch();
    const chunks: Buffer[] = [];
    const now = new Date("2026-11-20T00:00:00Z");
    for await (const chunk of syntheticLambda({ rows: 850_000, seed: 5, now, days: 90, level: 1 })) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    expect(body.length).toBeGreaterThanOrEqual(20e6);
    syncStore(
      dir.dir,
      ["orcid-lambda-file"],
      [{ bucket: "orcid-lambda-file", key: "last_modified.csv.tar", body, lastModified: now }],
    );
    const server = await startLocalS3({ directory: dir.dir });
    const proxy = await startCountingProxy(server.endpoint, { bytesPerSecond: 8e6 });
    try {
      const result = await runBin("orcid-list", ["--since", "2026-11-19T00:00:00Z", "-s", "--count"], {
        env: { ...server.env, AWS_ENDPOINT_URL: proxy.endpoint },
      });
      expect(result.code, result.stderr).toBe(0);
      const ids = Number(/^(\d+) iDs/.exec(result.stdout)?.[1]);
      expect(ids).toBeGreaterThan(8_000);
      expect(ids).toBeLessThan(11_000);
      await new Promise((r) => setTimeout(r, 200));
      expect(proxy.bytesDown()).toBeLessThan(body.length * 0.1);
    } finally {
      await proxy.close();
      await server.stop();
      dir.remove();
    }
  }, 60_000);
});
