/**
 * `npm run demo`: the whole job on an embedded S3 server with no credentials. A full download
 * (summaries and activities, with the reference's archives), a day of changes, then a sync; what
 * was fetched, written and deleted, how long each took, and a check of the mirror against what the
 * generator says it must hold.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { buildDay, expectedMirror, seedStore } from "./generator/dataset_files.ts";
import { startLocalS3 } from "./s3/server.ts";
import { TEST_BED_ROOT } from "./paths.ts";
import { readTree, treeDifferences } from "./tree.ts";

const RECORDS = Number(process.env.DEMO_RECORDS ?? 3000);
const repo = join(TEST_BED_ROOT, "..");
const out = join(process.cwd(), "demo-output");
const run = join(out, "run");
const mirror = join(run, "ORCID_public_data_files");
const say = (text: string) => process.stdout.write(`${text}\n`);

interface Step {
  readonly seconds: number;
  readonly fetched: number;
  readonly unchanged: number;
  readonly written: number;
  readonly deleted: number;
}

/** Runs a script in the demo folder, showing its messages indented, and reads its tools' summary lines. */
function script(name: string, args: string[], env: Record<string, string>): Promise<Step> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(join(repo, "scripts", name), args, { cwd: run, env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "pipe"] });
    let text = "";
    child.stderr.on("data", (chunk: Buffer) => {
      text += chunk;
      process.stdout.write(String(chunk).replace(/^(?=.)/gm, "    "));
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${name} exited with ${code}`));
      const number = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
      resolve({
        seconds: (performance.now() - started) / 1000,
        fetched: number(/orcid-fetch: (\d+) objects/),
        unchanged: number(/orcid-fetch: \d+ objects \([^)]*\), (\d+) unchanged/),
        written: number(/orcid-place: (\d+) written/),
        deleted: number(/orcid-place: \d+ written, \d+ unchanged, (\d+) deleted/),
      });
    });
  });
}

rmSync(out, { recursive: true, force: true });
mkdirSync(run, { recursive: true });
// Day 1 is "now": the download's start time, saved in last_ran.config, falls before every day-2 change.
const now = new Date();
// With variety: works carry DOIs in every form and from every kind of source, for the extract at the end.
const options = { records: RECORDS, seed: 2026, now, variety: true };
say(`orcid-sync demo: ${RECORDS} synthetic ORCID records on a local S3 server (no credentials needed)\n`);
const day1 = buildDay({ ...options, day: 1 }).dataset;
await seedStore(join(out, "s3-data"), day1);
const s3 = await startLocalS3({ directory: join(out, "s3-data") });
try {
  say(`1. Full download (scripts/download.sh -s -a -t), from ${s3.endpoint}`);
  const download = await script("download.sh", ["-s", "-a", "-t", "-max", "32"], s3.env);

  const { dataset: day2, changed } = buildDay({ ...options, day: 2 });
  await seedStore(join(out, "s3-data"), day2);
  say(`\n2. A day later: ${changed.length} records changed upstream (edits, removed activities, locked and deprecated records, new ones)`);
  say("   Sync (scripts/sync.sh -s -a), from last_ran.config");
  const sync = await script("sync.sh", ["-s", "-a"], s3.env);

  const differences = treeDifferences(readTree(mirror), new Map([...expectedMirror(day2)].map((f) => [f.path, Buffer.from(f.body)])));
  const files = readTree(mirror).size;
  say("\nResult");
  say(`   download: ${download.fetched} objects fetched, ${download.written} files written in ${download.seconds.toFixed(1)} s`);
  say(`   sync:     ${sync.fetched} fetched, ${sync.unchanged} unchanged, ${sync.written} written, ${sync.deleted} deleted in ${sync.seconds.toFixed(1)} s`);
  say(`   mirror:   ${relative(process.cwd(), mirror)}/ (${files} files)`);
  say(`   archives: ${relative(process.cwd(), run)}/ORCID-API-3.0_*.tar.gz`);
  say(`   state:    ${relative(process.cwd(), join(run, "last_ran.config"))} = ${readFileSync(join(run, "last_ran.config"), "utf8")}`);
  say(`   check:    ${differences.length === 0 ? "the mirror holds exactly the day-2 data" : `${differences.length} files differ from the day-2 data, e.g. ${differences.slice(0, 3).join(", ")}`}`);
  if (differences.length > 0) process.exitCode = 1;
  await showExtracted();
} finally {
  await s3.stop();
}

/** A few records orcid-extract makes of the mirror: a person, a gone record, DOI links. */
async function showExtracted(): Promise<void> {
  const extract = join(repo, "node_modules", ".bin", "orcid-extract");
  const lines = await new Promise<string[]>((resolve, reject) => {
    const child = spawn(extract, ["--from", mirror, "--links", "--log-level", "warn"], { stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => (text += chunk));
    child.on("error", reject);
    child.on("close", () => resolve(text.trim().split("\n")));
  });
  const records = lines.filter(Boolean).map((line) => JSON.parse(line) as { type: string; [field: string]: unknown });
  const person = records.find((r) => r.type === "person");
  const gone = records.find((r) => r.type === "gone");
  const links = records.filter((r) => r.type === "link" && r.orcid === records.find((l) => l.type === "link")?.orcid).slice(0, 3);
  say(`\nExtracted (orcid-extract --from ${relative(process.cwd(), mirror)} --links): ${records.filter((r) => r.type === "person").length} persons, ${records.filter((r) => r.type === "link").length} links, ${records.filter((r) => r.type === "gone").length} gone`);
  const short = (text: unknown) => (typeof text === "string" && text.length > 60 ? `${text.slice(0, 60)}…` : text);
  for (const record of [person && { ...person, biography: short(person.biography) }, gone, ...links]) if (record) say(`   ${JSON.stringify(record)}`);
}
