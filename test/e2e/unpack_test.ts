// orcid-unpack end to end: archives built by GNU tar in the layout of ORCID's yearly public data
// files (both spellings of "activities") and by orcid-pack, seeded into a mirror with orcid-place;
// a truncated archive and a file that is no archive; and a seeded mirror that orcid-fetch
// --skip-unchanged and a sync take as current, counted at a proxy in front of the S3 server.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { formatIsoMicros } from "@orcid-sync/core";
import { pack } from "tar-stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildDay, expectedMirror } from "../generator/dataset_files.ts";
import type { Dataset } from "../generator/model.ts";
import { datasetObjects } from "../generator/objects.ts";
import { writeTree } from "../generator/store.ts";
import { type FaultProxy, startFaultProxy } from "./http_proxy.ts";
import {
  expectedTree,
  readTree,
  runBin,
  runPipeline,
  scratch,
  type SeededS3,
  startSeededS3,
  treeDifferences,
} from "./helpers.ts";

const work = scratch("orcid-sync-unpack-");
afterAll(() => work.remove());
const { dataset } = buildDay({ records: 150, seed: 43, now: new Date("2026-11-20T00:00:00Z"), day: 1 });

type Line = { type: string; action?: string; tool?: string; code?: string; message?: string };
const lines = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

/**
 * Writes a dataset's objects as ORCID's yearly files lay them out and archives them with GNU tar:
 * ORCID_2025_10_summaries.tar.gz, and one activities archive per last character of the iD, the
 * older spelling (`activites`) for half of them. Each file's mtime is the object's LastModified, or
 * `mtime` when given. Returns the archives.
 */
function yearlyArchives(data: Dataset, into: string, mtime?: Date): string[] {
  const tree = join(into, "tree");
  const folders = new Set<string>();
  for (const object of datasetObjects(data)) {
    const folder = yearlyFolder(object);
    const path = join(tree, folder, object.key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, object.body);
    utimesSync(path, mtime ?? object.lastModified, mtime ?? object.lastModified);
    folders.add(folder);
  }
  return [...folders].sort().map((folder) => {
    const archive = join(into, `${folder}.tar.gz`);
    execFileSync("tar", ["czf", archive, "-C", tree, folder]);
    return archive;
  });
}

/** The top folder (and archive name) of an object in the yearly files: activities by the iD's last character. */
function yearlyFolder(object: { key: string; mirrorPath: string }): string {
  if (object.mirrorPath.startsWith("summaries/")) return "ORCID_2025_10_summaries";
  const last = object.key.split("/")[1]!.slice(-1);
  return `ORCID_2025_10_${"01234".includes(last) ? "activities" : "activites"}_${last}`;
}

/** Every file's mtime under a folder, in whole seconds (what a tar header holds). */
function mtimes(dir: string): Map<string, number> {
  const times = new Map<string, number>();
  for (const path of readTree(dir).keys()) times.set(path, Math.floor(statSync(join(dir, path)).mtimeMs / 1000));
  return times;
}

describe("orcid-unpack | orcid-place", () => {
  const yearly = join(work.dir, "yearly");
  const mirror = join(work.dir, "from-yearly");
  const expected = expectedTree(expectedMirror(dataset, { golden: false }));
  let archives: string[] = [];
  beforeAll(() => {
    archives = yearlyArchives(dataset, yearly);
  });

  test("the yearly files' archives (GNU tar, both spellings) give the mirror exactly their contents, mtimes to the second", async () => {
    expect(archives.some((a) => a.includes("_activites_")) && archives.some((a) => a.includes("_activities_"))).toBe(
      true,
    );
    const result = await runPipeline(
      `orcid-unpack ${archives.map((a) => `"${a}"`).join(" ")} | orcid-place "${mirror}"`,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(treeDifferences(readTree(mirror), expected)).toEqual([]);
    const objects = [...datasetObjects(dataset)];
    const times = mtimes(mirror);
    for (const object of objects)
      expect(times.get(object.mirrorPath), object.mirrorPath).toBe(Math.floor(object.lastModified.getTime() / 1000));
    // The closing summary: members, records, errors and the cutoff, the oldest of the archives'
    // newest mtimes (each archive a snapshot of its own).
    const newest = new Map<string, number>();
    for (const o of objects)
      newest.set(
        yearlyFolder(o),
        Math.max(newest.get(yearlyFolder(o)) ?? 0, Math.floor(o.lastModified.getTime() / 1000) * 1000),
      );
    const cutoff = new Date(Math.min(...newest.values())).toISOString();
    expect(result.stderr).toMatch(
      new RegExp(
        `orcid-unpack: \\d+ members read \\(\\d+ folders\\), ${objects.length} records emitted \\([\\d.]+ MB\\), 0 errors; the oldest archive's newest member mtime ${cutoff} \\(the cutoff`,
      ),
    );
  });

  test("an archive from orcid-pack gives the mirror it was packed from", async () => {
    const packedFrom = join(work.dir, "to-pack");
    writeTree(packedFrom, expectedMirror(dataset, { golden: false }));
    for (const object of datasetObjects(dataset))
      utimesSync(join(packedFrom, object.mirrorPath), object.lastModified, object.lastModified);
    const packed = join(work.dir, "packed.tar.gz");
    expect((await runBin("orcid-pack", ["--from", packedFrom, "-o", packed])).code).toBe(0);
    const again = join(work.dir, "from-pack");
    const result = await runPipeline(`orcid-unpack "${packed}" | orcid-place "${again}"`);
    expect(result.code, result.stderr).toBe(0);
    expect(treeDifferences(readTree(again), expected)).toEqual([]);
    expect(mtimes(again)).toEqual(mtimes(packedFrom));
  });

  test("--only, --ids and --shard: the shards of one archive file the whole mirror between them", async () => {
    const summaries = archives.find((a) => a.includes("_summaries"))!;
    const only = await runPipeline(`orcid-unpack ${archives.map((a) => `"${a}"`).join(" ")} --only summaries | wc -l`);
    const summaryPaths = [...expected.keys()].filter((path) => path.startsWith("summaries/"));
    expect(Number(only.stdout.trim())).toBe(summaryPaths.length);
    const sharded = join(work.dir, "sharded");
    for (const shard of ["1/3", "2/3", "3/3"]) {
      const result = await runPipeline(`orcid-unpack "${summaries}" --shard ${shard} | orcid-place "${sharded}"`);
      expect(result.code, result.stderr).toBe(0);
    }
    expect(
      treeDifferences(readTree(sharded), new Map(summaryPaths.map((path) => [path, expected.get(path)!]))),
    ).toEqual([]);
    const id = dataset.records.find((r) => r.state === "active")!.orcid;
    const ids = join(work.dir, "ids.txt");
    writeFileSync(ids, `${id}\nnot-an-id\n`);
    const one = await runBin("orcid-unpack", [summaries, "--ids", ids]);
    expect(one.code, one.stderr).toBe(0);
    expect(lines(one.stdout).map((l) => (l as { orcid?: string }).orcid)).toEqual([id]);
    expect(one.stderr).toContain("skipped 1 line(s) that are not valid iDs");
  });

  test("a truncated archive: the members before the damage are filed whole, then exit 3 naming the member and offset", async () => {
    const summaries = archives.find((a) => a.includes("_summaries"))!;
    const cut = join(work.dir, "cut");
    const half = Math.floor(statSync(summaries).size / 2);
    const result = await runPipeline(`head -c ${half} "${summaries}" | orcid-unpack | orcid-place "${cut}"`);
    expect(result.code).toBe(3);
    const errors = result.stderr.split("\n").filter((l) => l.startsWith("orcid-unpack: error:"));
    expect(errors).toHaveLength(1);
    // The cut falls inside a member, or between the last one read whole and the next header.
    expect(errors[0]).toMatch(
      /^orcid-unpack: error: Cannot read stdin: the gzip data is cut short .*, (in member 'ORCID_2025_10_summaries\/[^']+' \(its header at byte|after member 'ORCID_2025_10_summaries\/[^']+' \(read to byte) \d+ of the tar stream, byte \d+ of the compressed file\)$/,
    );
    const filed = readTree(cut);
    expect(filed.size).toBeGreaterThan(0);
    for (const [path, body] of filed) expect(body.equals(expected.get(path)!), path).toBe(true);

    // An uncompressed tar cut short, at a block boundary too.
    const tar = join(work.dir, "summaries.tar");
    execFileSync("tar", ["cf", tar, "-C", join(yearly, "tree"), "ORCID_2025_10_summaries"]);
    for (const at of [Math.floor(statSync(tar).size / 2), 512 * 40]) {
      const plain = await runPipeline(`head -c ${at} "${tar}" | orcid-unpack > /dev/null`);
      expect(plain.code).toBe(3);
      expect(plain.stderr).toMatch(
        /orcid-unpack: error: Cannot read stdin: the archive is cut short .*(in member '[^']+' \(its header at byte|after member '[^']+' \(read to byte) \d+ of the tar stream\)/,
      );
    }
  });

  test("a file that is not an archive: exit 3, one message, no record", async () => {
    const text = join(work.dir, "text.txt");
    writeFileSync(text, "orcid,path,date_created,last_modified\n".repeat(100));
    for (const [input, message] of [
      [text, "it is neither a tar nor a gzip-compressed tar archive"],
      [join(work.dir, "text.gz"), "it is gzip-compressed but does not hold a tar archive"],
    ] as const) {
      if (input.endsWith(".gz")) execFileSync("bash", ["-c", `seq 1 5000 | gzip > "${input}"`]);
      const result = await runBin("orcid-unpack", [input]);
      expect(result.code).toBe(3);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(`orcid-unpack: error: Cannot read ${input}: ${message}\n`);
    }
  });

  test("members that are not ORCID keys: an error record each, never a file", async () => {
    const id = "0000-0002-1825-0097";
    const archive = pack();
    archive.entry({ name: "ORCID_2025_10_summaries/README.txt" }, "about this file");
    archive.entry({ name: `../097/${id}.xml` }, "<escaped/>");
    archive.entry({ name: `/tmp/097/${id}.xml` }, "<absolute/>");
    archive.entry({ name: `ORCID_2025_10_summaries/098/${id}.xml` }, "<misfiled/>");
    archive.entry({ name: "ORCID_2025_10_summaries/097/0000-0002-1825-0098.xml" }, "<bad check character/>");
    archive.entry({ name: `ORCID_2025_10_summaries/097/${id}.xml`, type: "symlink", linkname: "/etc/passwd" });
    archive.entry({ name: `ORCID_2025_10_summaries/097/${id}.xml` }, "<good/>");
    archive.finalize();
    const path = join(work.dir, "hostile.tar");
    const chunks: Buffer[] = [];
    for await (const chunk of archive) chunks.push(chunk as Buffer);
    writeFileSync(path, Buffer.concat(chunks));
    const dir = join(work.dir, "hostile", "mirror");
    const result = await runPipeline(`orcid-unpack "${path}" | orcid-place "${dir}"`);
    expect(result.code).toBe(1);
    const records = lines(result.stdout);
    expect(records.filter((r) => r.type === "error").map((r) => [r.tool, r.code])).toEqual(
      Array(6).fill(["orcid-unpack", "InvalidKey"]),
    );
    expect(records.filter((r) => r.type === "placed")).toHaveLength(1);
    expect([...readTree(join(work.dir, "hostile")).keys()]).toEqual([`mirror/summaries/097/${id}.xml`]);
    expect(readdirSync(work.dir)).not.toContain("097");
  });
});

describe("a mirror seeded by orcid-unpack, then orcid-fetch --skip-unchanged", () => {
  let s3: SeededS3;
  let proxy: FaultProxy;
  let env: Record<string, string>;
  const seeded = join(work.dir, "seeded");
  // The archive's files carry the release's date, not the objects' LastModified.
  const release = new Date("2026-10-01T00:00:00Z");

  beforeAll(async () => {
    s3 = await startSeededS3({ records: 150, seed: 17 }, { golden: false });
    proxy = await startFaultProxy(s3.endpoint);
    env = { ...s3.env, AWS_ENDPOINT_URL: proxy.endpoint };
    const archives = yearlyArchives(s3.dataset, join(work.dir, "seed-archives"), release);
    const result = await runPipeline(
      `orcid-unpack ${archives.map((a) => `"${a}"`).join(" ")} | orcid-place "${seeded}"`,
    );
    if (result.code !== 0) throw new Error(result.stderr);
  });
  afterAll(async () => {
    await proxy?.close();
    await s3?.close();
  });

  test("a sync re-downloads nothing unchanged: summaries answer 304, listed activities are skipped", async () => {
    proxy.requests.length = 0;
    const since = formatIsoMicros(s3.dataset.now - 86_400_000_000);
    const result = await runPipeline(
      `orcid-list --since ${since} -s -a | orcid-fetch --skip-unchanged "${seeded}" | orcid-place "${seeded}"`,
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    const gets = proxy.objectGets().filter((r) => r.url.startsWith("/v3.0-"));
    expect(gets.length).toBeGreaterThan(0);
    expect(gets.filter((r) => r.status !== 304)).toEqual([]);
    expect(result.stderr).toMatch(/orcid-fetch: 0 objects/);
  });

  test("orcid-fetch --skip-unchanged holds no lock and changes no mtime: its unchanged records carry the time, and orcid-place sets it", async () => {
    const before = mtimes(seeded);
    const fetched = await runPipeline(`orcid-list --all -s -j 16 | orcid-fetch --skip-unchanged "${seeded}"`, { env });
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(mtimes(seeded)).toEqual(before);
    const retimed = lines(fetched.stdout).filter((r) => r.type === "unchanged" && r.lastModified !== undefined);
    expect(retimed.length).toBeGreaterThan(0);
    const placed = await runBin("orcid-place", [seeded], { stdin: fetched.stdout });
    expect(placed.code, placed.stderr).toBe(0);
    const after = mtimes(seeded);
    for (const record of retimed) {
      const path = `summaries/${record.key}`;
      expect(after.get(path), path).toBe(Math.floor(Date.parse(record.lastModified as string) / 1000));
      expect(after.get(path)).not.toBe(before.get(path));
    }
  });

  test("a full listing downloads nothing: same size and MD5 = ETag counts as current, and the files take the LastModified", async () => {
    proxy.requests.length = 0;
    const result = await runPipeline(
      `orcid-list --all -s -a -j 16 | orcid-fetch --skip-unchanged "${seeded}" | orcid-place "${seeded}"`,
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.objectGets()).toEqual([]);
    expect(result.stderr).toMatch(/orcid-fetch: 0 objects/);
    expect([
      ...new Set(
        lines(result.stdout)
          .filter((r) => r.type === "placed")
          .map((r) => r.action),
      ),
    ]).toEqual(["unchanged"]);
    expect(treeDifferences(readTree(seeded), expectedTree(expectedMirror(s3.dataset, { golden: false })))).toEqual([]);
    const times = mtimes(seeded);
    for (const object of datasetObjects(s3.dataset))
      expect(times.get(object.mirrorPath), object.mirrorPath).toBe(Math.floor(object.lastModified.getTime() / 1000));
  });
});
