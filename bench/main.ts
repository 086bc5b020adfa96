/**
 * `npm run bench`: orcid-sync side by side with aws s3 sync and rclone on the same local S3 server,
 * several alternating runs each, medians and ratios measured in the same run. See README.md.
 */
import { execFileSync, execSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Agent, request } from "undici";
import { buildDay, seedStore, syncStore, syntheticLambda } from "@orcid-sync/test-bed";
import { datasetObjects } from "@orcid-sync/test-bed";
import { type LocalS3, startLocalS3 } from "@orcid-sync/test-bed";
import { concurrencyChart, type Series } from "./chart.ts";
import { awsCli, type Contender, type DownloadJob, ORCID_PIPE, ORCID_SCRIPT, rclone } from "./contenders.ts";
import { extractScenario } from "./extract_scenario.ts";
import { startLatencyProxy } from "./latency_proxy.ts";
import { median } from "./scenario.ts";
import { machineJiffies, measure, type Measurement, processCpu } from "./measure.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    records: { type: "string" },
    runs: { type: "string" },
    rtt: { type: "string", default: "20" },
    concurrency: { type: "string" },
    scenarios: { type: "string", default: "cap,summaries,full,sync,concurrency,lambda,pack" },
    "lambda-rows": { type: "string" },
    "sweep-records": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  process.stdout.write(`usage: npm run bench -- [--quick] [--records N] [--runs N] [--rtt MS] [--concurrency 1,8,32] [--scenarios a,b] [--lambda-rows N] [--sweep-records N]
  scenarios: cap (the server's own limit), summaries, full (summaries + activities), sync (day 2),
             concurrency (objects/s against -j at 0 and --rtt ms), lambda (planning on a big lambda file), pack
`);
  process.exit(0);
}

const quick = values.quick;
const RECORDS = Number(values.records ?? (quick ? 600 : 5000));
const RUNS = Number(values.runs ?? (quick ? 1 : 3));
const RTT = Number(values.rtt);
const CONCURRENCY = (values.concurrency ?? (quick ? "8,64" : "1,8,32,64,128")).split(",").map(Number);
const LAMBDA_ROWS = Number(values["lambda-rows"] ?? (quick ? 200_000 : 2_000_000));
// The concurrency sweep downloads the summaries at every point, -j 1 with added latency included: the
// same size as the other scenarios by default (a small bucket measures start-up more than transfer).
const SWEEP_RECORDS = Number(values["sweep-records"] ?? (quick ? 300 : RECORDS));
const SCENARIOS = new Set(values.scenarios!.split(","));
const J = 32;

const repo = join(import.meta.dirname, "..", "..");
const work = join(repo, "bench", "tmp");
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const results: Record<string, unknown> = {};
const lines: string[] = [];
const say = (text = "") => {
  lines.push(text);
  process.stdout.write(`${text}\n`);
};
/** Text for a markdown table cell: a contender's name such as `list|fetch|place` must not split the row. */
const cell = (text: string) => text.replaceAll("|", "\\|");
const version = (command: string) => {
  try {
    return execSync(command, { stdio: ["ignore", "pipe", "ignore"] }).toString().split("\n")[0]!.trim();
  } catch {
    return "";
  }
};

// The peers: installed from Debian when missing (aws is /usr/bin/aws: another aws may come first on PATH).
const missing = [!version("/usr/bin/aws --version") && "awscli", !version("rclone version") && "rclone"].filter(Boolean) as string[];
if (missing.length > 0) {
  process.stderr.write(`bench: installing ${missing.join(", ")}\n`);
  // A fresh machine may have no package lists yet.
  execSync(`apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(" ")} >/dev/null`, { stdio: "inherit" });
}
const peers: Contender[] = [awsCli(version("/usr/bin/aws --version")), rclone(version("rclone version"))].filter((p) => p.version());
if (peers.length === 0) throw new Error("No peer could run (awscli, rclone): a run without a peer is not a result");

say(`# orcid-sync benchmark — ${new Date().toISOString().slice(0, 10)}`);
say();
say(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; client, server and proxy share the cores.`);
say(`Contenders: ${[ORCID_PIPE, ...peers].map((c) => c.version()).join("; ")}. Records: ${RECORDS}; runs per contender: ${RUNS}; concurrency ${J} unless stated.`);
say();

const jiffiesAtStart = machineJiffies();
const day1 = buildDay({ records: RECORDS, seed: 7, now: new Date("2026-11-20T00:00:00Z"), day: 1 }).dataset;
const day2 = buildDay({ records: RECORDS, seed: 7, now: new Date("2026-11-20T00:00:00Z"), day: 2 }).dataset;
const storeDir = join(work, "s3");
await seedStore(storeDir, day1, { golden: false });
const objects = [...datasetObjects(day1)];
const summaryCount = objects.filter((o) => o.bucket === "v3.0-summaries").length;
const s3 = await startLocalS3({ directory: storeDir });
const env = { ...process.env, ...s3.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };

interface Run extends Measurement {
  readonly contender: string;
  readonly serverCpuSeconds: number;
  readonly objects: number;
}

/**
 * Earlier runs' folders wait here until the bench ends instead of being deleted before the next
 * run: ext4 will not reuse an inode freed in the last minute or so, and its allocator scans past
 * each one, so a run that creates files right after 4,726 were deleted spent seconds of system
 * time in the kernel (recently_deleted under ext4_create in perf) — time that measured the
 * previous contender's clean-up, not the tool (rclone 3.4 s of system time from a quiet disk, 5.3–6.2 s
 * right after an rm -rf; orcid-sync 1.8 s and 6.3 s). A first download into an empty mirror does
 * not follow a mass deletion.
 */
const retiredDir = join(work, "retired");
let retired = 0;
function retire(dir: string): void {
  if (!existsSync(dir)) return;
  mkdirSync(retiredDir, { recursive: true });
  renameSync(dir, join(retiredDir, String(retired++)));
}

/** One measured run of a contender on an empty folder (or a copy of `from`). */
async function runOnce(contender: Contender, job: Omit<DownloadJob, "dir" | "scratch" | "repo">, objectsCount: number, from?: string, endpoint?: string): Promise<Run> {
  const dir = join(work, "run");
  retire(dir);
  if (from) cpSync(from, dir, { recursive: true, preserveTimestamps: true });
  else mkdirSync(dir, { recursive: true });
  const full: DownloadJob = { ...job, endpoint: endpoint ?? job.endpoint, dir, scratch: work, repo };
  const before = processCpu(s3.pid);
  const result = await measure(contender.script(full), { cwd: dir, env: { ...env, ...contender.env(full) } });
  const serverCpuSeconds = processCpu(s3.pid) - before;
  if (result.exitCode !== 0) throw new Error(`${contender.name} failed (${result.exitCode}): ${result.stderr.slice(0, 400)}`);
  // A download from empty must leave exactly the job's objects: otherwise the rates divide the wrong count.
  const files = from ? objectsCount : xmlFiles(dir);
  if (files !== objectsCount) throw new Error(`${contender.name} left ${files} files for a job of ${objectsCount} objects`);
  return { ...result, contender: contender.name, serverCpuSeconds, objects: objectsCount };
}

/** The .xml files below a folder (a contender's own state and log files aside). */
function xmlFiles(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && entry.name.endsWith(".xml")).length;
}

/** Several alternating runs of each contender; prints a table with ratios against each peer. */
async function compare(title: string, contenders: Contender[], job: Omit<DownloadJob, "dir" | "scratch" | "repo">, objectsCount: number, from?: (c: Contender) => string | undefined): Promise<Run[][]> {
  const runs: Run[][] = contenders.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    // Alternate the order so drift hits every contender alike.
    const order = contenders.map((_, i) => (i + r) % contenders.length);
    for (const i of order) runs[i]!.push(await runOnce(contenders[i]!, job, objectsCount, from?.(contenders[i]!)));
  }
  const row = (rs: Run[]) => {
    const wall = median(rs.map((x) => x.wallSeconds));
    const cpu = median(rs.map((x) => x.cpuSeconds));
    return { wall, cpu, rss: median(rs.map((x) => x.peakRssMiB)), server: median(rs.map((x) => x.serverCpuSeconds)), perSecond: objectsCount / wall, usPerObject: (cpu / objectsCount) * 1e6 };
  };
  const rows = runs.map(row);
  say(`## ${title}`);
  say();
  say("| contender | wall s | objects/s | client CPU s | CPU µs/object | peak RSS MiB | server CPU s |");
  say("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  contenders.forEach((c, i) => {
    const x = rows[i]!;
    say(`| ${cell(c.name)} | ${x.wall.toFixed(2)} | ${x.perSecond.toFixed(0)} | ${x.cpu.toFixed(2)} | ${x.usPerObject.toFixed(0)} | ${x.rss.toFixed(0)} | ${x.server.toFixed(2)} |`);
  });
  say();
  const ours = rows[0]!;
  for (let i = 1; i < contenders.length; i++) {
    if (!peers.includes(contenders[i]!)) continue;
    const peer = rows[i]!;
    say(`- vs ${contenders[i]!.name}: ${(peer.wall / ours.wall).toFixed(2)}× the speed (wall), ${(ours.usPerObject / peer.usPerObject).toFixed(2)}× the client CPU per object`);
  }
  say();
  results[title] = { objects: objectsCount, contenders: contenders.map((c, i) => ({ name: c.name, version: c.version(), median: rows[i], runs: runs[i] })) };
  return runs;
}

const base = { endpoint: s3.endpoint, concurrency: J };
try {
  if (SCENARIOS.has("cap")) {
    // The server's own limit: a tight loop of unsigned GETs from this process, the cheapest client.
    const agent = new Agent({ connections: 64 });
    const keys = objects.filter((o) => o.bucket === "v3.0-summaries").map((o) => `/${o.bucket}/${o.key}`);
    const before = processCpu(s3.pid);
    const started = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < keys.length) {
        const path = keys[next++]!;
        const response = await request(`${s3.endpoint}${path}`, { dispatcher: agent });
        await response.body.dump();
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    const serverCpu = processCpu(s3.pid) - before;
    await agent.close();
    say("## The server's cap");
    say();
    say(`A tight loop of ${keys.length} GETs (64 in flight) from one process: ${(keys.length / seconds).toFixed(0)} GETs/s, ${((serverCpu / keys.length) * 1e6).toFixed(0)} µs of server CPU per GET. Past this rate the server, not the client, is the limit: compare client CPU per object.`);
    say();
    results.cap = { gets: keys.length, perSecond: keys.length / seconds, serverUsPerGet: (serverCpu / keys.length) * 1e6 };
  }

  if (SCENARIOS.has("summaries")) {
    await compare("Full download: summaries", [ORCID_PIPE, ORCID_SCRIPT, ...peers], { ...base, summaries: true, activities: false }, summaryCount);
    say("Fixed anchors (not measured here): on 5,000 summaries from this local server, the reference download.py used 3,537 µs of client CPU per object; an earlier measurement put aws-cli at 2,485 and rclone at 560.");
    say();
  }
  if (SCENARIOS.has("full")) await compare("Full download: summaries + activities", [ORCID_PIPE, ...peers], { ...base, summaries: true, activities: true }, objects.length);

  if (SCENARIOS.has("concurrency")) {
    const sweepDir = join(work, "sweep-s3");
    const sweepDay = buildDay({ records: SWEEP_RECORDS, seed: 11, now: new Date("2026-11-20T00:00:00Z"), day: 1 }).dataset;
    await seedStore(sweepDir, sweepDay, { golden: false });
    const sweepCount = [...datasetObjects(sweepDay)].filter((o) => o.bucket === "v3.0-summaries").length;
    const sweep = await startLocalS3({ directory: sweepDir });
    const series: { title: string; series: Series[] }[] = [];
    for (const rtt of [0, RTT]) {
      const proxy = rtt > 0 ? await startLatencyProxy(sweep.endpoint, rtt) : undefined;
      const lines: Series[] = [];
      for (const contender of [ORCID_PIPE, ...peers]) {
        const points: [number, number][] = [];
        for (const c of CONCURRENCY) {
          const run = await runOnce(contender, { ...base, concurrency: c, summaries: true, activities: false }, sweepCount, undefined, proxy?.endpoint ?? sweep.endpoint);
          points.push([c, sweepCount / run.wallSeconds]);
        }
        lines.push({ name: contender.name, points });
      }
      await proxy?.close();
      series.push({ title: `summaries, ${rtt} ms RTT`, series: lines });
    }
    await sweep.stop();
    say(`## Objects/s against concurrency (full download of ${sweepCount} summaries)`);
    say();
    say(`| contender | RTT ms | ${CONCURRENCY.map((c) => `-j ${c}`).join(" | ")} |`);
    say(`| --- | ---: | ${CONCURRENCY.map(() => "---:").join(" | ")} |`);
    for (const panel of series) {
      for (const line of panel.series) say(`| ${cell(line.name)} | ${panel.title.match(/(\d+) ms/)![1]} | ${line.points.map(([, v]) => v.toFixed(0)).join(" | ")} |`);
    }
    say();
    say("Fixed anchor (not measured here): the reference download.py fetched 174 summaries/s with 20 ms of added round-trip time on this machine.");
    say();
    // Relative to results/latest.md, where the table is kept.
    say(`![objects/s against concurrency](${quick ? "quick-" : ""}concurrency.png)`);
    say();
    results.concurrency = series;
    mkdirSync(join(repo, "bench", "results"), { recursive: true });
    // A quick run's figures are a smoke test, not a result: kept apart and out of git.
    const svg = join(repo, "bench", "results", `${quick ? "quick-" : ""}concurrency.svg`);
    writeFileSync(svg, concurrencyChart(series));
    try {
      execFileSync("rsvg-convert", ["-o", svg.replace(/\.svg$/, ".png"), svg]);
    } catch {
      process.stderr.write("bench: rsvg-convert is missing (Debian librsvg2-bin): no PNG chart\n");
    }
  }

  if (SCENARIOS.has("sync")) {
    // Day-1 mirrors made by each contender, then the store moves to day 2 and each syncs a copy.
    const templates = new Map<string, string>();
    for (const contender of [ORCID_PIPE, ...peers]) {
      await runOnce(contender, { ...base, summaries: true, activities: true }, objects.length);
      const template = join(work, `day1-${templates.size}`);
      rmSync(template, { recursive: true, force: true });
      cpSync(join(work, "run"), template, { recursive: true, preserveTimestamps: true });
      templates.set(contender.name, template);
    }
    await seedStore(storeDir, day2, { golden: false });
    const syncing: Contender = {
      ...ORCID_PIPE,
      name: "orcid-sync (list --since | fetch | place)",
      script: (job) => {
        const mirror = join(job.dir, "ORCID_public_data_files");
        const bin = (tool: string) => join(job.repo, "node_modules", ".bin", tool);
        return `"${bin("orcid-list")}" --since 2026-11-20T00:00:00Z -s -a -j ${job.concurrency} --log-level warn | "${bin("orcid-fetch")}" --skip-unchanged "${mirror}" -j ${job.concurrency} --log-level warn | "${bin("orcid-place")}" "${mirror}" --log-level warn >/dev/null`;
      },
    };
    const changedObjects = [...datasetObjects(day2)].length;
    await compare("Day-2 sync (a day of changes on a day-1 mirror)", [syncing, ...peers], { ...base, summaries: true, activities: true }, changedObjects, (c) => templates.get(c === syncing ? ORCID_PIPE.name : c.name));
    say("(objects/s here is the mirror's object count over the wall time: what it costs to bring the whole mirror up to date.)");
    say();
    await seedStore(storeDir, day1, { golden: false });
  }

  if (SCENARIOS.has("lambda")) {
    const lambdaDir = join(work, "lambda-s3");
    const chunks: Buffer[] = [];
    for await (const chunk of syntheticLambda({ rows: LAMBDA_ROWS, seed: 3, now: new Date("2026-11-20T00:00:00Z"), days: 90 })) chunks.push(chunk);
    syncStore(lambdaDir, ["orcid-lambda-file"], [{ bucket: "orcid-lambda-file", key: "last_modified.csv.tar", body: Buffer.concat(chunks), lastModified: new Date() }]);
    const server: LocalS3 = await startLocalS3({ directory: lambdaDir });
    say(`## Planning from the lambda file (${LAMBDA_ROWS.toLocaleString("en")} rows over 90 days, summaries only, output to /dev/null)`);
    say();
    say("| window | iDs | wall s | peak RSS MiB |");
    say("| --- | ---: | ---: | ---: |");
    const lambdaResults = [];
    for (const [label, since] of [["1 day", "2026-11-19T00:00:00Z"], ["30 days", "2026-10-21T00:00:00Z"]] as const) {
      const runs: Measurement[] = [];
      for (let r = 0; r < Math.max(RUNS, 3); r++) {
        runs.push(await measure(`"${join(repo, "node_modules", ".bin", "orcid-list")}" --since ${since} -s > /dev/null`, { cwd: work, env: { ...env, ...server.env } }));
      }
      const ids = Number(/(\d+) iDs/.exec(runs[0]!.stderr)?.[1] ?? 0);
      const row = { window: label, ids, wall: median(runs.map((x) => x.wallSeconds)), rss: median(runs.map((x) => x.peakRssMiB)) };
      lambdaResults.push(row);
      say(`| ${label} | ${ids} | ${row.wall.toFixed(2)} | ${row.rss.toFixed(0)} |`);
    }
    say();
    say("Fixed anchor (not measured here): the reference sync.py took about 6.1 s and 126 MiB for the 30-day window of a 2,000,000-row file on this machine.");
    say();
    results.lambda = { rows: LAMBDA_ROWS, windows: lambdaResults };
    await server.stop();
  }

  if (SCENARIOS.has("pack")) {
    await runOnce(ORCID_PIPE, { ...base, summaries: true, activities: true }, objects.length);
    const mirror = join(work, "pack-mirror");
    rmSync(mirror, { recursive: true, force: true });
    cpSync(join(work, "run", "ORCID_public_data_files"), mirror, { recursive: true, preserveTimestamps: true });
    const bytes = Number(execSync(`du -sb --apparent-size "${mirror}"`).toString().split("\t")[0]);
    const packers: [string, string][] = [
      ["orcid-pack", `"${join(repo, "node_modules", ".bin", "orcid-pack")}" --from "${mirror}" -o "${join(work, "a.tar.gz")}" --log-level warn`],
      ["GNU tar czf", `tar czf "${join(work, "b.tar.gz")}" -C "${mirror}" .`],
    ];
    if (version("pigz --version 2>&1")) packers.push(["tar + pigz", `tar -I pigz -cf "${join(work, "c.tar.gz")}" -C "${mirror}" .`]);
    say(`## Packing a mirror (${(bytes / 1e6).toFixed(1)} MB in ${objects.length} files)`);
    say();
    say("| packer | wall s | MB/s | CPU s | archive MB |");
    say("| --- | ---: | ---: | ---: | ---: |");
    const packResults = [];
    for (const [name, script] of packers) {
      const runs: Measurement[] = [];
      for (let r = 0; r < RUNS; r++) runs.push(await measure(script, { cwd: work, env }));
      const out = join(work, `${"abc"[packers.findIndex(([n]) => n === name)]}.tar.gz`);
      const row = { name, wall: median(runs.map((x) => x.wallSeconds)), cpu: median(runs.map((x) => x.cpuSeconds)), size: statSync(out).size };
      packResults.push(row);
      say(`| ${name} | ${row.wall.toFixed(2)} | ${(bytes / 1e6 / row.wall).toFixed(1)} | ${row.cpu.toFixed(2)} | ${(row.size / 1e6).toFixed(1)} |`);
    }
    say();
    results.pack = { bytes, packers: packResults };
  }
  if (SCENARIOS.has("unpack")) await (await import("./unpack_scenario.ts")).unpackScenario({ work, repo, runs: RUNS, quick, env, say, results });
  if (SCENARIOS.has("extract")) await extractScenario({ repo, work, records: RECORDS, runs: RUNS, env, say, results });
  if (SCENARIOS.has("db")) await (await import("./db_scenario.ts")).dbScenario({ work, repo, quick, say, results });
} finally {
  await s3.stop();
}

// On a virtual machine the host may run other guests on our cores: say how much, it explains noise.
const jiffiesAtEnd = machineJiffies();
const stealPercent = (100 * (jiffiesAtEnd.steal - jiffiesAtStart.steal)) / Math.max(1, jiffiesAtEnd.total - jiffiesAtStart.total);
results.stealPercent = stealPercent;
say(`CPU steal during the run: ${stealPercent.toFixed(1)}% of the machine's CPU time went to other guests of its host; figures taken under steal are slower and noisier.`);

const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const resultsDir = join(repo, "bench", "results");
mkdirSync(resultsDir, { recursive: true });
const record = { date: new Date().toISOString(), quick, records: RECORDS, runs: RUNS, node: process.version, cpus: cpus().length, results };
writeFileSync(join(resultsDir, quick ? "quick-latest.json" : "latest.json"), `${JSON.stringify(record, null, 2)}\n`);
if (!quick) {
  writeFileSync(join(resultsDir, `${stamp}.json`), `${JSON.stringify(record, null, 2)}\n`);
  writeFileSync(join(resultsDir, "latest.md"), `${lines.join("\n")}\n`);
}
rmSync(work, { recursive: true, force: true });

