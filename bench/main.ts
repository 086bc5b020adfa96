/**
 * `npm run bench`: orcid-sync side by side with aws s3 sync and rclone on the same local S3 server,
 * several alternating runs each, medians and ratios measured in the same run. Each scenario is a
 * unit of its own (`*_scenario.ts`); this file reads the flags, runs the chosen ones in order and
 * writes the results. See README.md.
 */
import { execSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { capScenario } from "./cap_scenario.ts";
import { concurrencyScenario } from "./concurrency_scenario.ts";
import { awsCli, type Contender, ORCID_PIPE, rclone } from "./contenders.ts";
import { startDownloadBench } from "./download_bench.ts";
import { fullScenario, summariesScenario } from "./download_scenarios.ts";
import { extractScenario } from "./extract_scenario.ts";
import { lambdaScenario } from "./lambda_scenario.ts";
import { machineJiffies } from "./measure.ts";
import { packScenario } from "./pack_scenario.ts";
import type { ScenarioContext } from "./scenario.ts";
import { syncScenario } from "./sync_scenario.ts";

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
             concurrency (objects/s against -j at 0 and --rtt ms), lambda (planning on a big lambda file), pack,
             unpack, extract, db
`);
  process.exit(0);
}

const quick = values.quick;
const RECORDS = Number(values.records ?? (quick ? 600 : 5000));
const RUNS = Number(values.runs ?? (quick ? 1 : 3));
const SCENARIOS = new Set(values.scenarios!.split(","));
const J = 32;

const repo = join(import.meta.dirname, "..", "..");
const work = join(repo, "bench", "tmp");
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const lines: string[] = [];
const ctx: ScenarioContext = {
  work,
  repo,
  runs: RUNS,
  quick,
  env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  say: (text = "") => {
    lines.push(text);
    process.stdout.write(`${text}\n`);
  },
  results: {},
};

const peers = installedPeers();
ctx.say(`# orcid-sync benchmark — ${new Date().toISOString().slice(0, 10)}`);
ctx.say();
ctx.say(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; client, server and proxy share the cores.`,
);
ctx.say(
  `Contenders: ${[ORCID_PIPE, ...peers].map((c) => c.version()).join("; ")}. Records: ${RECORDS}; runs per contender: ${RUNS}; concurrency ${J} unless stated.`,
);
ctx.say();

const jiffiesAtStart = machineJiffies();
const bench = await startDownloadBench(ctx, { records: RECORDS, concurrency: J, peers });
// The download scenarios' tools talk to the bench's server; the others start their own.
const downloadCtx = { ...ctx, env: { ...ctx.env, ...bench.s3.env } };
try {
  if (SCENARIOS.has("cap")) await capScenario(bench);
  if (SCENARIOS.has("summaries")) await summariesScenario(bench);
  if (SCENARIOS.has("full")) await fullScenario(bench);
  if (SCENARIOS.has("concurrency")) {
    const concurrency = (values.concurrency ?? (quick ? "8,64" : "1,8,32,64,128")).split(",").map(Number);
    // Every point downloads the summaries, -j 1 with added latency included: the same size as the
    // other scenarios by default.
    const records = Number(values["sweep-records"] ?? (quick ? 300 : RECORDS));
    await concurrencyScenario(bench, { records, concurrency, rtt: Number(values.rtt) });
  }
  if (SCENARIOS.has("sync")) await syncScenario(bench);
  if (SCENARIOS.has("lambda"))
    await lambdaScenario(ctx, Number(values["lambda-rows"] ?? (quick ? 200_000 : 2_000_000)));
  if (SCENARIOS.has("pack")) await packScenario(bench, Boolean(version("pigz --version 2>&1")));
  if (SCENARIOS.has("unpack")) await (await import("./unpack_scenario.ts")).unpackScenario(downloadCtx);
  if (SCENARIOS.has("extract")) await extractScenario({ ...downloadCtx, records: RECORDS });
  if (SCENARIOS.has("db")) await (await import("./db_scenario.ts")).dbScenario(ctx);
} finally {
  await bench.stop();
}
writeResults();

/** The first line a command prints, or "" when it cannot run. */
function version(command: string): string {
  try {
    return execSync(command, { stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .split("\n")[0]!
      .trim();
  } catch {
    return "";
  }
}

/** The peers, installed from Debian when missing (aws is /usr/bin/aws: another aws may come first on PATH). */
function installedPeers(): Contender[] {
  const missing = [!version("/usr/bin/aws --version") && "awscli", !version("rclone version") && "rclone"].filter(
    Boolean,
  ) as string[];
  if (missing.length > 0) {
    process.stderr.write(`bench: installing ${missing.join(", ")}\n`);
    // A fresh machine may have no package lists yet.
    execSync(
      `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(" ")} >/dev/null`,
      { stdio: "inherit" },
    );
  }
  const found = [awsCli(version("/usr/bin/aws --version")), rclone(version("rclone version"))].filter((p) =>
    p.version(),
  );
  if (found.length === 0) throw new Error("No peer could run (awscli, rclone): a run without a peer is not a result");
  return found;
}

/** The steal line, then the results file (and, for a full run, a dated copy and latest.md). */
function writeResults(): void {
  // On a virtual machine the host may run other guests on our cores: say how much, it explains noise.
  const jiffiesAtEnd = machineJiffies();
  const stealPercent =
    (100 * (jiffiesAtEnd.steal - jiffiesAtStart.steal)) / Math.max(1, jiffiesAtEnd.total - jiffiesAtStart.total);
  ctx.results.stealPercent = stealPercent;
  ctx.say(
    `CPU steal during the run: ${stealPercent.toFixed(1)}% of the machine's CPU time went to other guests of its host; figures taken under steal are slower and noisier.`,
  );
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const resultsDir = join(repo, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  const record = {
    date: new Date().toISOString(),
    quick,
    records: RECORDS,
    runs: RUNS,
    node: process.version,
    cpus: cpus().length,
    results: ctx.results,
  };
  writeFileSync(join(resultsDir, quick ? "quick-latest.json" : "latest.json"), `${JSON.stringify(record, null, 2)}\n`);
  if (!quick) {
    writeFileSync(join(resultsDir, `${stamp}.json`), `${JSON.stringify(record, null, 2)}\n`);
    writeFileSync(join(resultsDir, "latest.md"), `${lines.join("\n")}\n`);
  }
  rmSync(work, { recursive: true, force: true });
}
