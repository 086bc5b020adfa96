// list | fetch | place end to end: day 1 by a full listing, day 2 by --since, against the
// generator's expected mirrors, with a proxy counting what goes over the wire.
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatIsoMicros } from "@orcid-sync/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectedMirror } from "../generator/dataset_files.ts";
import type { FaultProxy } from "./http_proxy.ts";
import {
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
const work = scratch("orcid-sync-sync-");
const mirror = join(work.dir, "ORCID_public_data_files");
let env: Record<string, string>;

let bed: ProxiedS3 | undefined;

beforeAll(async () => {
  ({ s3, proxy, env } = bed = await startProxiedS3({ records: 300, seed: 21 }));
});
afterAll(async () => {
  await bed?.close();
  work.remove();
});

const placed = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; action?: string; code?: string; key?: string });

describe("list | fetch | place", () => {
  test("a full listing produces exactly the expected day-1 mirror", async () => {
    const result = await runPipeline(`orcid-list --all -s -a -j 16 | orcid-fetch -j 16 | orcid-place "${mirror}"`, {
      env,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(treeDifferences(readTree(mirror), expectedTree(expectedMirror(s3.dataset)))).toEqual([]);
  });

  test("a second full run over unchanged data downloads nothing and writes nothing", async () => {
    proxy.requests.length = 0;
    const result = await runPipeline(
      `orcid-list --all -s -a -j 16 | orcid-fetch --skip-unchanged "${mirror}" | orcid-place "${mirror}"`,
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.objectGets()).toEqual([]);
    const actions = new Set(
      placed(result.stdout)
        .filter((r) => r.type === "placed")
        .map((r) => r.action),
    );
    expect([...actions]).toEqual(["unchanged"]);
  });

  test("day 2 by --since produces exactly the day-2 mirror: removed activities and error documents included", async () => {
    const day1 = s3.dataset;
    const day2 = await s3.seedDay(2);
    const since = formatIsoMicros(day1.now);
    const result = await runPipeline(
      `orcid-list --since ${since} -s -a | orcid-fetch --skip-unchanged "${mirror}" | orcid-place "${mirror}"`,
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    const records = placed(result.stdout);
    expect(records.some((r) => r.action === "deleted")).toBe(true);
    expect(treeDifferences(readTree(mirror), expectedTree(expectedMirror(day2)))).toEqual([]);
  });

  test("a --since re-run asks with If-None-Match and gets 304s, not bodies", async () => {
    proxy.requests.length = 0;
    const since = formatIsoMicros(s3.dataset.now - 86_400_000_000);
    const result = await runPipeline(
      `orcid-list --since ${since} -s | orcid-fetch --skip-unchanged "${mirror}" | orcid-place "${mirror}"`,
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    const summaries = proxy.objectGets().filter((r) => r.url.startsWith("/v3.0-summaries/"));
    expect(summaries.length).toBeGreaterThan(0);
    expect(summaries.filter((r) => r.status === 200)).toEqual([]);
    expect(summaries.filter((r) => r.status === 304).length).toBeGreaterThan(0);
  });
});

describe("orcid-fetch integrity", () => {
  const key = () => s3.dataset.records.find((r) => r.state === "active")!.orcid;

  test("a corrupted or cut-short body is retried and the object arrives intact", async () => {
    const orcid = key();
    let faults = 0;
    proxy.setFaults((req) =>
      req.url?.includes(`${orcid}.xml`) && faults < 2
        ? faults++ % 2 === 0
          ? { kind: "corrupt" }
          : { kind: "truncate" }
        : undefined,
    );
    try {
      const input = JSON.stringify({
        type: "key",
        bucket: "v3.0-summaries",
        key: `${orcid.slice(-3)}/${orcid}.xml`,
        orcid,
        kind: "summary",
      });
      const result = await runBin("orcid-fetch", [], { env, stdin: `${input}\n` });
      expect(result.code, result.stderr).toBe(0);
      expect(faults).toBe(2);
      expect(JSON.parse(result.stdout).type).toBe("object");
      expect(result.stderr).toContain("2 retries");
    } finally {
      proxy.setFaults(undefined);
    }
  });

  test("a body that is always corrupt becomes an error record and exit 1; the others pass", async () => {
    const [bad, good] = s3.dataset.records.filter((r) => r.state === "active").map((r) => r.orcid);
    proxy.setFaults((req) => (req.url?.includes(`${bad}.xml`) ? { kind: "corrupt" } : undefined));
    try {
      const input = [bad!, good!].map((orcid) =>
        JSON.stringify({
          type: "key",
          bucket: "v3.0-summaries",
          key: `${orcid.slice(-3)}/${orcid}.xml`,
          orcid,
          kind: "summary",
        }),
      );
      const result = await runBin("orcid-fetch", ["--retries", "2"], { env, stdin: `${input.join("\n")}\n` });
      expect(result.code).toBe(1);
      const [first, second] = result.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(first).toMatchObject({
        type: "error",
        tool: "orcid-fetch",
        op: "get",
        code: "Integrity",
        retryable: true,
        attempts: 3,
        orcid: bad,
      });
      expect(second).toMatchObject({ type: "object", orcid: good });
    } finally {
      proxy.setFaults(undefined);
    }
  });
});

describe("orcid-place safety", () => {
  const ID = "0000-0002-1825-0097";
  const object = (key: string, body = "<x/>") =>
    JSON.stringify({
      type: "object",
      bucket: "v3.0-summaries",
      key,
      orcid: ID,
      kind: "summary",
      body,
      etag: "x",
      size: Buffer.byteLength(body),
    });

  test.each([
    ["a parent folder", `../${ID}.xml`],
    ["an absolute path", `/097/${ID}.xml`],
    ["a backslash", `097\\..\\${ID}.xml`],
    ["a NUL", `097/${ID}.xml\u0000`],
    ["a wrong folder", `098/${ID}.xml`],
  ])("refuses a key with %s, writing nothing", async (_label, key) => {
    const dir = scratch();
    try {
      const target = join(dir.dir, "mirror");
      const result = await runBin("orcid-place", [target], { stdin: `${object(key)}\n` });
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ type: "error", tool: "orcid-place", code: "InvalidKey" });
      expect([...readTree(dir.dir).keys()]).toEqual([]);
    } finally {
      dir.remove();
    }
  });

  test("never writes through a symlink inside the mirror", async () => {
    const dir = scratch();
    try {
      const target = join(dir.dir, "mirror");
      const outside = join(dir.dir, "outside");
      mkdirSync(join(target, "summaries"), { recursive: true });
      mkdirSync(outside);
      writeFileSync(join(outside, `${ID}.xml`), "precious");
      symlinkSync(outside, join(target, "summaries", "097"));
      const result = await runBin("orcid-place", [target], { stdin: `${object(`097/${ID}.xml`)}\n` });
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ type: "error", code: "UnsafePath" });
      expect(readFileSync(join(outside, `${ID}.xml`), "utf8")).toBe("precious");
    } finally {
      dir.remove();
    }
  });

  test("a summary file that is a symlink is not the mirror's: never taken as unchanged, replaced by the object", async () => {
    const dir = scratch();
    try {
      const target = join(dir.dir, "mirror");
      const outside = join(dir.dir, "outside");
      const seeded = new Date("2026-11-01T00:00:00.000Z");
      mkdirSync(join(target, "summaries", "097"), { recursive: true });
      mkdirSync(outside);
      // Outside the mirror, the very bytes and time of the object: followed, the link would look unchanged.
      writeFileSync(join(outside, `${ID}.xml`), "<x/>");
      utimesSync(join(outside, `${ID}.xml`), seeded, seeded);
      const link = join(target, "summaries", "097", `${ID}.xml`);
      symlinkSync(join(outside, `${ID}.xml`), link);
      const record = { ...JSON.parse(object(`097/${ID}.xml`)), lastModified: seeded.toISOString() };
      const result = await runBin("orcid-place", [target], { stdin: `${JSON.stringify(record)}\n` });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ type: "placed", action: "written" });
      expect(lstatSync(link).isFile()).toBe(true);
      expect(readFileSync(link, "utf8")).toBe("<x/>");
      expect(statSync(join(outside, `${ID}.xml`)).mtime).toEqual(seeded);
    } finally {
      dir.remove();
    }
  });

  test("never deletes through a symlink inside the mirror", async () => {
    const dir = scratch();
    try {
      const target = join(dir.dir, "mirror");
      const outside = join(dir.dir, "outside");
      mkdirSync(join(outside, "works"), { recursive: true });
      writeFileSync(join(outside, "works", `${ID}_works_1.xml`), "precious");
      mkdirSync(join(target, "activities", "097"), { recursive: true });
      symlinkSync(outside, join(target, "activities", "097", ID));
      const manifest = JSON.stringify({ type: "manifest", bucket: "v3.0-activities-b", orcid: ID, keys: [] });
      const result = await runBin("orcid-place", [target], { stdin: `${manifest}\n` });
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ type: "error", op: "delete", code: "UnsafePath" });
      expect(readFileSync(join(outside, "works", `${ID}_works_1.xml`), "utf8")).toBe("precious");
    } finally {
      dir.remove();
    }
  });

  test("--max-delete stops before a run deletes more than allowed; --dry-run changes nothing", async () => {
    const dir = scratch();
    try {
      const target = join(dir.dir, "mirror");
      const folder = join(target, "activities", "097", ID, "works");
      mkdirSync(folder, { recursive: true });
      for (const n of [1, 2, 3]) writeFileSync(join(folder, `${ID}_works_${n}.xml`), "x");
      const manifest = `${JSON.stringify({ type: "manifest", bucket: "v3.0-activities-b", orcid: ID, keys: [] })}\n`;
      const dry = await runBin("orcid-place", [target, "--dry-run"], { stdin: manifest });
      expect(dry.code).toBe(0);
      expect(placed(dry.stdout).filter((r) => r.action === "deleted")).toHaveLength(3);
      expect(readTree(target).size).toBe(3);
      const guarded = await runBin("orcid-place", [target, "--max-delete", "2"], { stdin: manifest });
      expect(guarded.code).toBe(3);
      expect(guarded.stderr).toContain("Refusing to delete more than 2 files");
      expect(readTree(target).size).toBe(3);
      const real = await runBin("orcid-place", [target], { stdin: manifest });
      expect(real.code).toBe(0);
      expect(readTree(target).size).toBe(0);
    } finally {
      dir.remove();
    }
  });
});

describe("hostile keys in a bucket", () => {
  test("orcid-list refuses unsafe keys with error records, skips stray ones with a word on stderr, mirrors a new type; nothing lands outside", async () => {
    const ID = "0000-0002-1825-0097";
    const unsafe = [["v3.0-summaries", "097/..\\..\\escape.xml"]] as const;
    const stray = [
      ["v3.0-summaries", `098/${ID}.xml`],
      ["v3.0-summaries", "097/0000-0002-1825-0098.xml"],
      ["v3.0-activities-b", `097/${ID}/works/not-a-work.xml`],
    ] as const;
    const newType = ["v3.0-activities-b", `097/${ID}/patents/${ID}_patents_1.xml`] as const;
    for (const [bucket, key] of [...unsafe, ...stray, newType]) {
      const path = join(s3.directory, bucket, `${key}._S3rver_object`);
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, "<evil/>");
      writeFileSync(`${path}.md5`, createHash("md5").update("<evil/>").digest("hex"));
    }
    const dir = scratch();
    try {
      const target = join(dir.dir, "mirror");
      const result = await runPipeline(`orcid-list --all -s -a -j 16 | orcid-fetch | orcid-place "${target}"`, { env });
      expect(result.code).toBe(1);
      const errors = placed(result.stdout).filter((r) => r.type === "error");
      expect(errors.map((e) => e.key)).toEqual(unsafe.map(([, key]) => key));
      expect(errors.every((e) => e.code === "InvalidKey")).toBe(true);
      for (const [bucket, key] of stray)
        expect(result.stderr).toContain(`skipped a key that is not an ORCID key: s3://${bucket}/${key}`);
      const want = expectedTree(expectedMirror(s3.dataset));
      want.set(`activities/${newType[1]}`, Buffer.from("<evil/>"));
      expect(treeDifferences(readTree(target), want)).toEqual([]);
      expect([...readTree(dir.dir).keys()].every((path) => path.startsWith("mirror/"))).toBe(true);
    } finally {
      dir.remove();
    }
  }, 300_000);
});
