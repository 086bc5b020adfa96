// The listing fault suite: listing pages broken by a proxy that lists as S3 does (byte order,
// tokens, KeyCount), stray keys, permanent failures against a complete mirror. Whatever happens,
// no manifest or checkpoint comes from a listing that was not whole, nothing good is deleted, the
// state does not move past a failed listing, and transient faults end in the exact mirror. Writes
// its section of docs/reliability.md.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectedMirror } from "../generator/dataset_files.ts";
import { activitiesBucketOf, datasetObjects, folderOf } from "../generator/objects.ts";
import { writeSection } from "./reliability_doc.ts";
import { type ListingFault, type ListingProxy, type ListingRequest, startListingProxy } from "./listing_proxy.ts";
import {
  expectedTree,
  readTree,
  ROOT,
  runCommand,
  runPipeline,
  scratch,
  type SeededS3,
  startSeededS3,
  treeDifferences,
} from "./helpers.ts";

let s3: SeededS3;
let proxy: ListingProxy;
let env: Record<string, string>;
const work = scratch("orcid-sync-listing-faults-");
/** A complete mirror, made once through the proxy; tests work on copies. */
let complete: string;
const figures = { pagesBroken: 0, filesCompared: 0, filesLost: 0 };
const rows: { fault: string; behaviour: string; test: string }[] = [];
/** One row per test of this file: stray keys, 8 transient faults, 8 permanent ones, sync.sh. */
const EXPECTED_ROWS = 18;

interface Rec {
  type: string;
  bucket: string;
  key: string;
  orcid: string;
  keys: string[];
  folder: string;
  code: string;
  op: string;
}
const parse = (text: string): Rec[] =>
  text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Rec);

beforeAll(async () => {
  s3 = await startSeededS3({ records: 120, seed: 61, now: new Date() }, { golden: false });
  proxy = await startListingProxy(s3.endpoint);
  env = { ...s3.env, AWS_ENDPOINT_URL: proxy.endpoint };
  const cwd = join(work.dir, "complete");
  mkdirSync(cwd);
  const download = await runCommand(join(ROOT, "scripts", "download.sh"), ["-s", "-a", "-max", "8"], { cwd, env });
  expect(download.code, download.stderr).toBe(0);
  complete = join(cwd, "ORCID_public_data_files");
  expect(treeDifferences(readTree(complete), expected())).toEqual([]);
}, 300_000);

afterAll(async () => {
  await proxy?.close();
  await s3?.close();
  work.remove();
  if (rows.length < EXPECTED_ROWS) return;
  // Tags in code spans, or Markdown would take them for HTML.
  const code = (text: string) => text.replace(/<\/?[A-Za-z]+>/g, (tag) => `\`${tag}\``);
  const table = rows.map((r) => `| ${code(r.fault)} | ${r.behaviour} | \`${r.test}\` |`).join("\n");
  writeSection(
    "listings",
    `## Listings\n\nWritten by \`test/e2e/listing_faults_test.ts\` on its last run. A proxy in front of the local S3 server answers ListObjectsV2 as S3 does ` +
      `(keys in byte order, so \`997-old/x.xml\` comes before \`997/…\`; continuation tokens; KeyCount) and breaks pages; every run ends with the mirror compared file by file.\n\n` +
      `| listing fault | what the tools do | test |\n| --- | --- | --- |\n${table}\n\n` +
      `Related: a switch from download.py with \`download.sh -r\` lists the folders its continuation files call finished and fetches what they lack (\`reference_resume_test.ts\`); ` +
      `a key of an activity type we do not know is mirrored, named once, and deleted locally when it goes upstream (\`activity_types_test.ts\`); unsafe keys are refused (\`sync_test.ts\`).\n\n` +
      `| listing pages broken | files compared | files lost |\n| ---: | ---: | ---: |\n| ${figures.pagesBroken} | ${figures.filesCompared} | ${figures.filesLost} |\n\n` +
      `Not covered: a listing whose pages are each whole but leave keys out (S3 itself answering wrongly, e.g. during an outage) cannot be told from a true one; ` +
      `keys out of byte order within a listing are not checked (s3rver itself does not list in byte order); a stray key outside every listed run of folders ` +
      `(before \`000\`, after \`99X/\`, or between two runs) is never listed, so never reported; listings of the v2.0 generation's single bucket are not under fault.\n`,
  );
}, 300_000);

const expected = () => expectedTree(expectedMirror(s3.dataset, { golden: false }));

/** A copy of the complete mirror in a fresh folder: `cwd` holds `ORCID_public_data_files`. */
function copyOfComplete(name: string): { cwd: string; mirror: string } {
  const cwd = join(work.dir, name);
  mkdirSync(cwd, { recursive: true });
  const mirror = join(cwd, "ORCID_public_data_files");
  cpSync(complete, mirror, { recursive: true, preserveTimestamps: true });
  return { cwd, mirror };
}

function mirrorIsExact(mirror: string): void {
  const want = expected();
  const differences = treeDifferences(readTree(mirror), want);
  figures.filesCompared += want.size;
  figures.filesLost += differences.filter((d) => d.startsWith("missing") || d.startsWith("changed")).length;
  expect(differences).toEqual([]);
}

/** Every activity key of each iD with objects, as a manifest must list them. */
function trueManifests(): Map<string, string[]> {
  const manifests = new Map<string, string[]>();
  for (const object of datasetObjects(s3.dataset)) {
    const orcid = object.key.split("/")[1]!.replace(/\.xml$/, "");
    if (!manifests.has(orcid)) manifests.set(orcid, []);
    if (object.bucket !== "v3.0-summaries") manifests.get(orcid)!.push(object.key);
  }
  return manifests;
}

/** Each manifest names exactly the iD's keys: never one from a listing that was not whole. */
function manifestsAreWhole(records: Rec[]): void {
  const truth = trueManifests();
  for (const manifest of records.filter((r) => r.type === "manifest")) {
    expect([...manifest.keys].sort(), manifest.orcid).toEqual([...(truth.get(manifest.orcid) ?? [])].sort());
  }
}

/** The full-listing pipe of download.sh, with the listing and the checkpoints kept for inspection. */
const PIPE = (cwd: string, mirror: string, pageSize = 2) =>
  `cd "${cwd}" && orcid-list --all -s -a -n ${pageSize} -j 8 | tee list.ndjson | orcid-fetch -j 8 --skip-unchanged "${mirror}" | orcid-place "${mirror}" | orcid-state checkpoints record --checkpoints-file journal.ndjson >/dev/null`;

const journal = (cwd: string) =>
  existsSync(join(cwd, "journal.ndjson")) ? parse(readFileSync(join(cwd, "journal.ndjson"), "utf8")) : [];

describe("stray keys in S3's byte order", () => {
  test("are named once and skipped; they never end, shorten or complete a folder's listing", async () => {
    // Pages of 20 keys: runs of many folders are listed in one go (start-after), and each run ends
    // at a folder that may hold records. No stray key in the first page of a bucket: orcid-list
    // sizes its runs from that page.
    const pageSize = 20;
    const byBucket = new Map<string, string[]>();
    for (const object of datasetObjects(s3.dataset))
      byBucket.set(object.bucket, [...(byBucket.get(object.bucket) ?? []), object.key]);
    const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
    const firstPages = [...byBucket.values()].map((keys) =>
      keys.sort(byteOrder)[Math.min(pageSize, keys.length) - 1]!.slice(0, 3),
    );
    const boundary = firstPages.sort(byteOrder).at(-1)!;
    const later = s3.dataset.records.filter((r) => byteOrder(folderOf(r.orcid), boundary) > 0);
    const folders = [...new Set(later.map((r) => folderOf(r.orcid)))];
    const record = later.find((r) => r.state === "active")!;
    const strays: [string, string][] = [];
    for (const folder of folders) {
      // "097-old/…" and "097.bak" sort between "097" and "097/…" in byte order.
      strays.push([activitiesBucketOf(`x${folder}`, "v3.0-activities"), `${folder}-old/x.xml`]);
      strays.push(["v3.0-summaries", `${folder}-old/x.xml`]);
    }
    strays.push(["v3.0-summaries", `${folders[0]}.bak`], ["v3.0-summaries", `${folderOf(record.orcid)}/README.txt`]);
    strays.push([
      activitiesBucketOf(record.orcid, "v3.0-activities"),
      `${folderOf(record.orcid)}/${record.orcid}/works/notes.txt`,
    ]);
    for (const [bucket, key] of strays) proxy.inject(bucket, [key]);
    const { cwd, mirror } = copyOfComplete("strays");
    try {
      const result = await runPipeline(PIPE(cwd, mirror, pageSize), { env });
      expect(result.code, result.stderr).toBe(0);
      mirrorIsExact(mirror);
      const records = parse(readFileSync(join(cwd, "list.ndjson"), "utf8"));
      manifestsAreWhole(records);
      expect(
        records
          .filter((r) => r.type === "manifest")
          .map((m) => m.orcid)
          .sort(),
      ).toEqual([...trueManifests().keys()].sort());
      expect(records.filter((r) => r.type === "error")).toEqual([]);
      expect(journal(cwd)).toHaveLength(2200);
      expect(result.stderr).toContain(`${strays.length} stray keys skipped`);
      const named = result.stderr.split("\n").filter((l) => l.includes("skipped a key that is not an ORCID key"));
      expect(named).toHaveLength(Math.min(20, strays.length));
      expect(new Set(named).size).toBe(named.length);
      rows.push({
        fault: "stray keys in S3's byte order (`097-old/x.xml` before `097/…`)",
        behaviour: "each named once on stderr and skipped; every folder listed whole, exit 0, mirror exact",
        test: "listing_faults_test.ts: stray keys",
      });
    } finally {
      proxy.reset();
    }
  }, 300_000);
});

const FAULTS: [string, ListingFault][] = [
  ["a connection reset mid-page", { kind: "reset" }],
  ["a page cut after a </Contents> under a full Content-Length", { kind: "cut", contentLength: true }],
  ["a page cut after a </Contents> and closed without Content-Length", { kind: "cut", contentLength: false }],
  ["a page without its closing </ListBucketResult>", { kind: "no-close" }],
  ["IsTruncated without a NextContinuationToken", { kind: "truncated-without-token" }],
  ["a KeyCount that disagrees with the keys", { kind: "key-count" }],
  ["a continuation token given again", { kind: "repeat-token" }],
  ["503 SlowDown", { kind: "status", status: 503, code: "SlowDown" }],
];

describe("transient listing faults: retried, the run completes and the mirror is exact", () => {
  test.each(FAULTS)(
    "%s",
    async (label, fault) => {
      const cwd = join(work.dir, `transient-${label.replace(/\W+/g, "-")}`);
      mkdirSync(cwd);
      const mirror = join(cwd, "ORCID_public_data_files");
      // The first answer to each distinct page is broken; the retry gets it whole.
      const seen = new Set<string>();
      proxy.setFaults((request) => {
        if (seen.has(request.id)) return undefined;
        seen.add(request.id);
        return fault;
      });
      const before = proxy.counts.faults;
      try {
        const result = await runPipeline(PIPE(cwd, mirror), { env });
        figures.pagesBroken += proxy.counts.faults - before;
        expect(proxy.counts.faults - before).toBeGreaterThan(0);
        expect(result.code, result.stderr).toBe(0);
        mirrorIsExact(mirror);
        expect(journal(cwd)).toHaveLength(2200);
        rows.push({
          fault: `${label} (once per page)`,
          behaviour: "retried; run completes, every manifest whole, mirror exact",
          test: `listing_faults_test.ts: transient ${label}`,
        });
      } finally {
        proxy.setFaults(undefined);
      }
    },
    300_000,
  );
});

/** The folder whose iD has the most activity keys: with `-n 2` its listing spans several pages. */
function busiestFolder(): string {
  const counts = new Map<string, number>();
  for (const object of datasetObjects(s3.dataset))
    if (object.bucket !== "v3.0-summaries")
      counts.set(object.key.slice(0, 3), (counts.get(object.key.slice(0, 3)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

/** Every page that holds a key of `folder`, or lists under it. */
const touches = (folder: string) => (request: ListingRequest) =>
  request.prefix.startsWith(`${folder}/`) || request.keys.some((key) => key.startsWith(`${folder}/`));

describe("a permanent listing fault of one folder, against a complete mirror", () => {
  test.each(FAULTS)(
    "%s: an error record, no manifest and no checkpoint for the folder, nothing deleted, exit 1",
    async (label, fault) => {
      const folder = busiestFolder();
      const { cwd, mirror } = copyOfComplete(`permanent-${label.replace(/\W+/g, "-")}`);
      const hit = touches(folder);
      proxy.setFaults((request) => (hit(request) ? fault : undefined));
      const before = proxy.counts.faults;
      try {
        const result = await runPipeline(PIPE(cwd, mirror), { env });
        figures.pagesBroken += proxy.counts.faults - before;
        expect(result.code, result.stderr).toBe(1);
        const records = parse(readFileSync(join(cwd, "list.ndjson"), "utf8"));
        const errors = records.filter((r) => r.type === "error");
        expect(errors.length).toBeGreaterThan(0);
        expect(errors.every((e) => e.op === "list")).toBe(true);
        if (fault.kind !== "reset" && fault.kind !== "status" && !(fault.kind === "cut" && fault.contentLength)) {
          expect(errors.map((e) => e.code)).toContain("IncompleteListing");
        }
        expect(records.filter((r) => r.type === "manifest" && r.orcid.endsWith(folder))).toEqual([]);
        manifestsAreWhole(records);
        expect(journal(cwd).filter((c) => c.folder === folder)).toEqual([]);
        expect(result.stderr).toMatch(/orcid-list: warning: Cannot list s3:/);
        mirrorIsExact(mirror);
        rows.push({
          fault: `${label}, always, for one folder`,
          behaviour:
            "retried, then an error record; no manifest, no checkpoint for the folder; nothing deleted; exit 1",
          test: `listing_faults_test.ts: permanent ${label}`,
        });
      } finally {
        proxy.setFaults(undefined);
      }
    },
    300_000,
  );
});

describe("sync.sh with one folder's listings always cut short", () => {
  test("exits 1, deletes nothing of that folder, and leaves last_ran.config as it was", async () => {
    const folder = busiestFolder();
    const { cwd, mirror } = copyOfComplete("sync-cut");
    writeFileSync(join(cwd, "last_ran.config"), "2026-01-01 00:00:00.000000");
    const hit = touches(folder);
    proxy.setFaults((request) => (hit(request) ? { kind: "cut", contentLength: false } : undefined));
    const before = proxy.counts.faults;
    try {
      const result = await runCommand(
        join(ROOT, "scripts", "sync.sh"),
        ["-s", "-a", "-d", "400", "-n", "2", "-max", "8"],
        { cwd, env },
      );
      figures.pagesBroken += proxy.counts.faults - before;
      expect(proxy.counts.faults - before).toBeGreaterThan(0);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/orcid-list: .*IncompleteListing/);
      expect(readFileSync(join(cwd, "last_ran.config"), "utf8")).toBe("2026-01-01 00:00:00.000000");
      mirrorIsExact(mirror);
      rows.push({
        fault: "one folder's listings always cut short, through sync.sh",
        behaviour: "exit 1, nothing of the folder deleted, last_ran.config untouched",
        test: "listing_faults_test.ts: sync.sh with one folder's listings always cut short",
      });
    } finally {
      proxy.setFaults(undefined);
    }
  }, 300_000);
});
