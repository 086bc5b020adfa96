// The lambda half of the fault suite: lambda files that are empty, cut, of another shape or older
// than the last run, through scripts/sync.sh. A file that cannot say what changed stops the sync
// (exit 3) and last_ran.config stays as it was; rows in other CSV and ISO 8601 forms sync exactly;
// the state never passes the lambda file's newest row. Writes its section of docs/reliability.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectedMirror } from "../generator/dataset_files.ts";
import { lambdaCsv, lambdaTarGz, noiseRows } from "../generator/lambda.ts";
import { LAMBDA_KEY } from "../generator/model.ts";
import { syncStore } from "../generator/store.ts";
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
import { writeSection } from "./reliability_doc.ts";

let s3: SeededS3;
const work = scratch("orcid-sync-lambda-faults-");
const figures = { lambdaFiles: 0, syncs: 0, filesCompared: 0, statesChecked: 0 };
const rows: { fault: string; behaviour: string; test: string }[] = [];
/** One row per case below: 7 fatal files, 1 with bad rows, 2 in other forms, 1 older than the last run. */
const EXPECTED_ROWS = 11;

beforeAll(async () => {
  s3 = await startSeededS3({ records: 100, seed: 61, now: new Date() }, { golden: false });
});

afterAll(async () => {
  await s3?.close();
  work.remove();
  if (rows.length < EXPECTED_ROWS) return;
  const table = rows.map((r) => `| ${r.fault} | ${r.behaviour} | \`${r.test}\` |`).join("\n");
  writeSection(
    "lambda-faults",
    `## The lambda file and the state\n\nWritten by \`test/e2e/lambda_faults_test.ts\` on its last run. Each fault is a lambda file ` +
      `put in the local S3 server's \`orcid-lambda-file\` bucket, then \`scripts/sync.sh -s -a\` runs in a folder whose ` +
      `\`last_ran.config\` is compared byte for byte before and after; where the sync must succeed, the mirror is compared ` +
      `file by file with the one the generator expects.\n\n| fault | what the tools do | test |\n| --- | --- | --- |\n${table}\n\n` +
      `Also tested: the README's state-saving recipes run verbatim with a failing stage (\`readme_recipes_test.ts\`); ` +
      `a state saved under \`TZ=UTC\` and read under \`TZ=America/Los_Angeles\` (\`state_test.ts\`); every bad-file case of ` +
      `\`lambdaChanges\` in \`packages/list/lambda_changes_test.ts\`.\n\n` +
      `Not covered: a lambda file whose rows are well-formed but wrong (an iD missing, a date too old) cannot be told from a ` +
      `right one; rows out of order (the reader stops at the first row older than the cutoff, as ORCID's file is sorted ` +
      `newest first); a quoted field holding a line break (read as two bad rows); a lambda file ORCID stops regenerating ` +
      `is reported on stderr at each run, but the run still exits 0.\n\n` +
      `| lambda files served | syncs run | files compared | states checked |\n| ---: | ---: | ---: | ---: |\n` +
      `| ${figures.lambdaFiles} | ${figures.syncs} | ${figures.filesCompared} | ${figures.statesChecked} |\n`,
  );
});

/** Puts `body` in place of the lambda file. */
function serveLambda(body: Buffer): void {
  syncStore(
    s3.directory,
    ["orcid-lambda-file"],
    [{ bucket: "orcid-lambda-file", key: LAMBDA_KEY, body, lastModified: new Date() }],
  );
  figures.lambdaFiles++;
}

/** A gzip-compressed tar of these members. */
async function tarGz(members: { name: string; body: string }[]): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve) => tar.on("end", resolve));
  for (const member of members) tar.entry({ name: member.name, mtime: new Date(0) }, member.body);
  tar.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** The dataset's lambda CSV with each data row rewritten. */
function rewriteRows(rewrite: (fields: string[]) => string): string {
  const [header, ...lines] = lambdaCsv(s3.dataset).trimEnd().split("\n");
  return `${header}\n${lines.map((line) => rewrite(line.split(","))).join("\n")}\n`;
}

const SAVED = "2026-01-01 00:00:00.000000";

/** Runs sync.sh in a fresh folder holding `state` as last_ran.config. */
async function sync(name: string, args: string[], state = SAVED) {
  const cwd = join(work.dir, name.replace(/\W+/g, "-"));
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, "last_ran.config"), state);
  const result = await runCommand(join(ROOT, "scripts", "sync.sh"), ["-s", "-a", "-max", "8", ...args], {
    cwd,
    env: { ...s3.env, TZ: "UTC" },
  });
  figures.syncs++;
  const mirror = join(cwd, "ORCID_public_data_files");
  return { result, cwd, mirror, state: () => readFileSync(join(cwd, "last_ran.config"), "utf8") };
}

function mirrorIsExact(mirror: string): void {
  const expected = expectedTree(expectedMirror(s3.dataset, { golden: false }));
  figures.filesCompared += expected.size;
  expect(treeDifferences(readTree(mirror), expected)).toEqual([]);
}

/** The newest last_modified of the dataset, as the state file holds it (UTC here). */
function newestLocal(): string {
  const newest = Math.max(...s3.dataset.records.map((r) => r.lastModified));
  return `${new Date(Math.floor(newest / 1000)).toISOString().slice(0, 19).replace("T", " ")}.${String(newest % 1_000_000).padStart(6, "0")}`;
}

describe("lambda files that cannot say what changed: exit 3, last_ran.config untouched", () => {
  const cases: [string, () => Promise<Buffer>, RegExp][] = [
    ["an empty gzip", async () => gzipSync(Buffer.alloc(0)), /holds no last_modified\.csv \(it is empty\)/],
    ["an empty tar", async () => gzipSync(Buffer.alloc(1024)), /holds no last_modified\.csv \(it is empty\)/],
    [
      "no last_modified.csv member",
      () => tarGz([{ name: "README.txt", body: "moved\n" }]),
      /holds no last_modified\.csv \(it holds 'README\.txt'\)/,
    ],
    [
      "a wrong header",
      async () => lambdaTarGz(lambdaCsv(s3.dataset).replace(/^[^\n]*/, "orcid_id,url,created,modified")),
      /first line is not the header/,
    ],
    [
      "no header",
      async () => lambdaTarGz(lambdaCsv(s3.dataset).replace(/^[^\n]*\n/, "")),
      /first line is not the header/,
    ],
    [
      "every row rejected",
      async () => lambdaTarGz(rewriteRows((f) => `${f[0]},${f[1]},${f[2]},last week`)),
      /none of its \d+ rows could be read/,
    ],
    [
      "a gzip cut short",
      async () => {
        const whole = await lambdaTarGz(lambdaCsv(s3.dataset));
        return whole.subarray(0, Math.floor(whole.length * 0.6));
      },
      /not a gzip-compressed tar: unexpected end of file/,
    ],
  ];
  test.each(cases)(
    "%s",
    async (label, make, message) => {
      serveLambda(await make());
      const { result, state, mirror } = await sync(`fatal ${label}`, ["-d", "400"]);
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(
        /^orcid-list: error: Cannot use the lambda file|^orcid-list: error: The lambda file/m,
      );
      expect(result.stderr).toMatch(message);
      expect(state()).toBe(SAVED);
      figures.statesChecked++;
      // Nothing partial: whatever came before the cut is whole.
      const expected = expectedTree(expectedMirror(s3.dataset, { golden: false }));
      if (existsSync(mirror))
        for (const [path, body] of readTree(mirror)) expect(body.equals(expected.get(path)!), path).toBe(true);
      rows.push({
        fault: `lambda file: ${label}`,
        behaviour: "orcid-list exit 3 with one message; sync.sh exit 3; last_ran.config unchanged",
        test: `lambda_faults_test.ts: ${label}`,
      });
    },
    120_000,
  );
});

describe("bad rows", () => {
  test("four bad rows among good ones: exit 1 and the state unchanged, unless --allow-bad-rows 4", async () => {
    const csv = lambdaCsv(s3.dataset);
    const [header, ...lines] = csv.trimEnd().split("\n");
    serveLambda(
      await lambdaTarGz(`${header}\n${lines[0]}\n${noiseRows(s3.dataset).join("\n")}\n${lines.slice(1).join("\n")}\n`),
    );
    const refused = await sync("bad rows", ["-d", "400"]);
    expect(refused.result.code, refused.result.stderr).toBe(1);
    expect(refused.result.stderr.match(/^orcid-list: warning: {3}row \d+ \(line \d+\): /gm)).toHaveLength(4);
    expect(refused.state()).toBe(SAVED);
    mirrorIsExact(refused.mirror);
    const accepted = await sync("bad rows accepted", ["-d", "400", "--allow-bad-rows", "4"]);
    expect(accepted.result.code, accepted.result.stderr).toBe(0);
    expect(accepted.state()).toBe(newestLocal());
    figures.statesChecked += 2;
    rows.push({
      fault: "lambda file: 4 bad rows (--allow-bad-rows 0, then 4)",
      behaviour:
        "each shown with its row number; exit 1 and state unchanged, then exit 0 and state saved; mirror exact both times",
      test: "lambda_faults_test.ts: four bad rows",
    });
  }, 240_000);
});

describe("rows in other forms CSV and ISO 8601 allow: synced exactly, state saved", () => {
  const quote = (f: string[]) => f.map((x) => `"${x}"`).join(",");
  const iso = (suffix: string) => (f: string[]) => [f[0], f[1], f[2], `${f[3]!.replace(" ", "T")}${suffix}`].join(",");
  const cases: [string, (f: string[]) => string][] = [
    ["quoted fields and a trailing Z", (f) => quote(iso("Z")(f).split(","))],
    ["a T and +00:00", iso("+00:00")],
  ];
  test.each(cases)(
    "%s",
    async (label, rewrite) => {
      serveLambda(await lambdaTarGz(rewriteRows(rewrite)));
      const { result, state, mirror } = await sync(`forms ${label}`, ["-d", "400"]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toMatch(/malformed|invalid iD/);
      mirrorIsExact(mirror);
      // The run started after the newest row: the state is that row's time, not the start.
      expect(state()).toBe(newestLocal());
      figures.statesChecked++;
      rows.push({
        fault: `lambda rows: ${label}`,
        behaviour: "read like the usual form; mirror exact; state saved at the file's newest row",
        test: `lambda_faults_test.ts: ${label}`,
      });
    },
    120_000,
  );
});

describe("a lambda file older than the last run", () => {
  test("is said on stderr, and the state goes to the file's newest row (no gap), not to the run's start", async () => {
    serveLambda(await lambdaTarGz(lambdaCsv(s3.dataset)));
    // The last run ended after everything the file holds: ORCID has not regenerated it since.
    const lastRun = new Date(Date.now() - 60_000).toISOString().replace("T", " ").replace("Z", "000");
    const { result, state, cwd } = await sync("older", [], lastRun);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/orcid-list: warning: the lambda file's newest row \(.*\) is older than --since/);
    expect(result.stderr).toMatch(
      /orcid-state: warning: the lambda file's newest row \(.*\) is older than the last run/,
    );
    expect(state()).toBe(newestLocal());
    expect(readFileSync(join(cwd, "last_ran.config.utc"), "utf8")).toBe(`${newestLocal().replace(" ", "T")}Z\n`);
    figures.statesChecked++;
    rows.push({
      fault: "lambda file older than the last run",
      behaviour:
        "said on stderr by orcid-list and orcid-state; state set to the file's newest row, so the next cutoff opens no gap",
      test: "lambda_faults_test.ts: older than the last run",
    });
  }, 120_000);
});
