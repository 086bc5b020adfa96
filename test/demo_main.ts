/**
 * `npm run demo`: the whole job on an embedded S3 server with no credentials. A full download
 * (summaries and activities, with the reference's archives), a day of changes, then a sync; what
 * was fetched, written and deleted, how long each took, and a check of the mirror against what the
 * generator says it must hold. Both runs keep an orcid-db database current (--db), and the demo
 * ends with the round trip: the database's figures after the download, one DOI's links with who
 * asserted them, and the links the day-2 sync removed and added.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { buildDay, expectedMirror, seedStore } from "./generator/dataset_files.ts";
import { startLocalS3 } from "./s3/server.ts";
import { collectText, preview, type StepCounts, stepCounts } from "./demo_text.ts";
import { TEST_BED_ROOT } from "./paths.ts";
import { readTree, treeDifferences } from "./tree.ts";

const RECORDS = Number(process.env.DEMO_RECORDS ?? 3000);
const repo = join(TEST_BED_ROOT, "..");
const out = join(process.cwd(), "demo-output");
const run = join(out, "run");
const mirror = join(run, "ORCID_public_data_files");
const database = join(run, "orcid.duckdb");
const say = (text: string) => process.stdout.write(`${text}\n`);

interface Step extends StepCounts {
  readonly seconds: number;
}

/** Runs a script in the demo folder, showing its messages indented, and reads its tools' summary lines. */
function script(name: string, args: string[], env: Record<string, string>): Promise<Step> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(join(repo, "scripts", name), args, {
      cwd: run,
      env: { ...process.env, ...env },
      stdio: ["ignore", "inherit", "pipe"],
    });
    const stderr = collectText(child.stderr, (piece) => process.stdout.write(piece.replace(/^(?=.)/gm, "    ")));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${name} exited with ${code}`));
      resolve({ seconds: (performance.now() - started) / 1000, ...stepCounts(stderr()) });
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
  say(`1. Full download (scripts/download.sh -s -a -t --db orcid.duckdb), from ${s3.endpoint}`);
  const download = await script("download.sh", ["-s", "-a", "-t", "-max", "32", "--db", database], s3.env);
  const statsAfterDownload = await orcidDb(["stats", database, "--top", "5"]);
  // A DOI several iDs link, asserted in as many ways as any.
  const [shared] = await records([
    "sql",
    database,
    "SELECT doi FROM links GROUP BY doi HAVING count(*) >= 3 ORDER BY count(DISTINCT class) DESC, count(*), doi LIMIT 1",
  ]);
  const doiLinks = shared ? await records(["doi", database, String(shared.doi)]) : [];

  const { dataset: day2, changed } = buildDay({ ...options, day: 2 });
  await seedStore(join(out, "s3-data"), day2);
  say(
    `\n2. A day later: ${changed.length} records changed upstream (edits, removed activities, locked and deprecated records, new ones)`,
  );
  say("   Sync (scripts/sync.sh -s -a --db orcid.duckdb), from last_ran.config");
  const sync = await script("sync.sh", ["-s", "-a", "--db", database], s3.env);

  const differences = treeDifferences(
    readTree(mirror),
    new Map([...expectedMirror(day2)].map((f) => [f.path, Buffer.from(f.body)])),
  );
  const files = readTree(mirror).size;
  say("\nResult");
  say(
    `   download: ${download.fetched} objects fetched, ${download.written} files written in ${download.seconds.toFixed(1)} s`,
  );
  say(
    `   sync:     ${sync.fetched} fetched, ${sync.unchanged} unchanged, ${sync.written} written, ${sync.deleted} deleted in ${sync.seconds.toFixed(1)} s`,
  );
  say(`   mirror:   ${relative(process.cwd(), mirror)}/ (${files} files)`);
  say(`   archives: ${relative(process.cwd(), run)}/ORCID-API-3.0_*.tar.gz`);
  say(
    `   state:    ${relative(process.cwd(), join(run, "last_ran.config"))} = ${readFileSync(join(run, "last_ran.config"), "utf8")}`,
  );
  say(
    `   check:    ${differences.length === 0 ? "the mirror holds exactly the day-2 data" : `${differences.length} files differ from the day-2 data, e.g. ${differences.slice(0, 3).join(", ")}`}`,
  );
  if (differences.length > 0) process.exitCode = 1;
  await showExtracted();
  await showRoundTrip(statsAfterDownload, shared ? String(shared.doi) : undefined, doiLinks);
} finally {
  await s3.stop();
}

/** A few records orcid-extract makes of the mirror: a person, a gone record, DOI links. */
async function showExtracted(): Promise<void> {
  const extract = join(repo, "node_modules", ".bin", "orcid-extract");
  const lines = await new Promise<string[]>((resolve, reject) => {
    const child = spawn(extract, ["--from", mirror, "--links", "--log-level", "warn"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const text = collectText(child.stdout);
    child.on("error", reject);
    child.on("close", () => resolve(text().trim().split("\n")));
  });
  const records = lines.filter(Boolean).map((line) => JSON.parse(line) as { type: string; [field: string]: unknown });
  const person = records.find((r) => r.type === "person");
  const gone = records.find((r) => r.type === "gone");
  const links = records
    .filter((r) => r.type === "link" && r.orcid === records.find((l) => l.type === "link")?.orcid)
    .slice(0, 3);
  say(
    `\nExtracted (orcid-extract --from ${relative(process.cwd(), mirror)} --links): ${records.filter((r) => r.type === "person").length} persons, ${records.filter((r) => r.type === "link").length} links, ${records.filter((r) => r.type === "gone").length} gone`,
  );
  for (const record of [person && { ...person, biography: preview(person.biography) }, gone, ...links])
    if (record) say(`   ${JSON.stringify(record)}`);
}

/** Runs orcid-db and returns what it printed on stdout. */
function orcidDb(args: string[]): Promise<string> {
  const bin = join(repo, "node_modules", ".bin", "orcid-db");
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [...args, "--log-level", "warn"], { stdio: ["ignore", "pipe", "inherit"] });
    const text = collectText(child.stdout);
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(text()) : reject(new Error(`orcid-db ${args[0]} exited with ${code}`)),
    );
  });
}

/** orcid-db's NDJSON output as objects. */
async function records(args: string[]): Promise<Record<string, unknown>[]> {
  return (await orcidDb(args))
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function indent(text: string): string {
  return text.trimEnd().replace(/^/gm, "   ");
}

/** The DOI→ORCID round trip from the database the scripts kept: figures, one DOI, the day-2 changes. */
async function showRoundTrip(
  statsAfterDownload: string,
  doi: string | undefined,
  doiLinks: Record<string, unknown>[],
): Promise<void> {
  say(`\nThe round trip (orcid-db, ${relative(process.cwd(), database)})`);
  say("   After the download: orcid-db stats orcid.duckdb --top 5");
  say(indent(indent(statsAfterDownload)));
  if (doi) {
    say(`\n   Who links ${doi}, and how: orcid-db doi orcid.duckdb ${doi} (some of each link record's fields)`);
    const classes = new Map<string, number>();
    for (const l of doiLinks) classes.set(String(l.class), (classes.get(String(l.class)) ?? 0) + 1);
    say(`      ${doiLinks.length} links: ${[...classes].map(([c, n]) => `${n} ${c}`).join(", ")}`);
    // One link of each class, then the rest up to ten lines.
    const shown = [...new Map(doiLinks.map((l) => [l.class, l])).values()];
    for (const l of doiLinks) if (shown.length < 10 && !shown.includes(l)) shown.push(l);
    for (const l of shown) {
      const name = [l.givenNames, l.familyName].filter(Boolean).join(" ");
      say(
        `      ${l.orcid}  ${String(l.class).padEnd(15)}  ${String(l.relationship).padEnd(10)}  ${String(l.sourceName ?? l.sourceId).padEnd(20)}  ${name}`,
      );
    }
    if (shown.length < doiLinks.length) say(`      … and ${doiLinks.length - shown.length} more`);
  }
  const changes = await records(["changes", database, "--after", "0"]);
  const removed = changes.filter((c) => c.change === "removed");
  const added = changes.filter((c) => c.change === "added");
  say(
    `\n   After the day-2 sync: orcid-db changes orcid.duckdb --after 0 → ${removed.length} links removed, ${added.length} added`,
  );
  const line = (c: Record<string, unknown>) =>
    `      ${String(c.seq).padStart(4)} ${String(c.change).padEnd(7)} ${c.doi} ${c.orcid} ${c.class}`;
  for (const c of [...removed.slice(0, 3), ...added.slice(0, 3)]) say(line(c));
  say("   (a publisher polls its own prefix with orcid-db prefix orcid.duckdb 10.xxxx --after LAST_SEQ)");
}
