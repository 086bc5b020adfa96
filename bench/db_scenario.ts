/**
 * The orcid-db scenario (`--scenarios db`): which stage limits `orcid-extract | orcid-db load` on
 * this machine's cores (each stage alone and the pipe, on one generated mirror, beside the engine's
 * floor and the least loader); load rate and peak RSS of a load of synthetic orcid-extract
 * records, `orcid-db doi` latency on a database of ≥ 1 M links (in-process over 1,000 random DOIs,
 * and as a command including start-up), the database's size per million links, and on the same
 * database: `orcid-db prefix` in-process, `stats` and the Parquet export of the links as commands;
 * then on PostgreSQL (the test bed's throwaway server on the same cores): load rate with 1 loader
 * and with 4 loaders on a 4-way split at once, `doi` latency, and the Parquet export of the links.
 */
import { execFileSync } from "node:child_process";
import { createWriteStream, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { folderInShard, last3 } from "@orcid-sync/core";
import { doiLinks, openDatabase, prefixLinks } from "@orcid-sync/db";
import { buildDay, datasetObjects, extractRecordsOfDay, startLocalPostgres, writeTree } from "@orcid-sync/test-bed";
import { stageFloor } from "./db_floor.ts";
import { type Measurement, measure } from "./measure.ts";
import { median, type ScenarioContext } from "./scenario.ts";

/** What the scenario needs from bench/main.ts. */
export type DbScenarioContext = Pick<ScenarioContext, "work" | "repo" | "quick" | "say" | "results">;

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

/** Writes the day's records (those `keep` keeps) as NDJSON, with backpressure; returns how many. */
async function writeRecords(
  path: string,
  ids: number,
  links: boolean,
  keep: (orcid: string) => boolean = () => true,
): Promise<number> {
  const out = createWriteStream(path);
  let count = 0;
  let text = "";
  for (const record of extractRecordsOfDay({ ids, links, seed: 19 })) {
    if (!keep(String(record.orcid))) continue;
    count++;
    text += `${JSON.stringify(record)}\n`;
    if (text.length > 1 << 20) {
      if (!out.write(text)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      text = "";
    }
  }
  await new Promise<void>((resolve, reject) =>
    out.end(text, (error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return count;
}

/** Counts the lines of a file without holding it as one string. */
function lineCount(path: string): number {
  const bytes = readFileSync(path);
  let lines = 0;
  for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) lines++;
  return lines;
}

/**
 * Does the loader limit `orcid-extract | orcid-db load` (issue 19: it must not)? On one generated
 * mirror, alternating runs of: orcid-extract alone (every core, records to a file), orcid-db load
 * alone from that file (fed as fast as it reads), and the pipe into a fresh database. The stage
 * whose rate alone is the lower is the one that limits; the pipe's rate shows how much of it is
 * left when both share the cores. Two bounds on the loader beside them: the engine's floor
 * (db_floor.ts) and the least loader (db_least_loader.ts).
 */
export async function pipelineScenario(
  ctx: DbScenarioContext & { readonly records: number; readonly runs: number },
): Promise<void> {
  const { work, repo, say } = ctx;
  const dir = join(work, "db-pipeline");
  rmSync(dir, { recursive: true, force: true });
  const mirror = join(dir, "mirror");
  const { dataset } = buildDay({
    records: ctx.records,
    seed: 19,
    now: new Date("2026-11-20T00:00:00Z"),
    day: 1,
    variety: true,
  });
  const summaries = [...datasetObjects(dataset)].filter((o) => o.mirrorPath.startsWith("summaries/"));
  writeTree(
    mirror,
    summaries.map((o) => ({ path: o.mirrorPath, body: o.body })),
  );
  const mb = summaries.reduce((n, o) => n + Buffer.byteLength(o.body), 0) / 1e6;
  const extract = join(repo, "node_modules", ".bin", "orcid-extract");
  const db = join(repo, "node_modules", ".bin", "orcid-db");
  const floorMain = join(repo, "bench", "dist", "db_floor_main.js");
  const leastMain = join(repo, "bench", "dist", "db_least_loader_main.js");
  const env = process.env;

  say(
    `## orcid-extract | orcid-db load: which stage limits (${summaries.length} generated summaries, ${mb.toFixed(1)} MB of XML, ${cpus().length} cores)`,
  );
  say();
  say("| output | stage | records | wall s | records/s (wall) | CPU s | records per CPU-second | peak RSS MiB |");
  say("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  const results: unknown[] = [];
  for (const [output, flags] of [
    ["all records", ""],
    ["--links", " --links"],
  ] as const) {
    const file = join(dir, "records.ndjson");
    const floorDir = join(dir, "floor");
    const floorPlan = join(dir, "floor-plan.json");
    rmSync(floorDir, { recursive: true, force: true });
    // A stage's database made beforehand, with the loader's schema, by a load of nothing.
    const floorDb = (run: number) => join(dir, `floor-${run}.duckdb`);
    const leastDb = (run: number) => join(dir, `least-${run}.duckdb`);
    const stages: [name: string, script: (run: number) => string, premade?: (run: number) => string][] = [
      ["orcid-extract alone", () => `"${extract}" --from "${mirror}"${flags} --log-level warn > "${file}"`],
      [
        "orcid-db load alone (from the file)",
        (run) => `"${db}" load "${join(dir, `alone-${run}.duckdb`)}" "${file}" --log-level warn`,
      ],
      [
        "orcid-extract | orcid-db load",
        (run) =>
          `"${extract}" --from "${mirror}"${flags} --log-level warn | "${db}" load "${join(dir, `pipe-${run}.duckdb`)}" --log-level warn`,
      ],
      [
        "DuckDB alone: the rows from staged files in one transaction (the engine's floor)",
        (run) => `node "${floorMain}" "${floorDb(run)}" "${floorPlan}"`,
        floorDb,
      ],
      [
        "the least loader: lines to DuckDB as read, no checks, one transaction",
        (run) => `node "${leastMain}" "${leastDb(run)}" "${file}"`,
        leastDb,
      ],
    ];
    // Alternating runs, so that a busy minute of the machine falls on every stage alike.
    const runs = stages.map((): Measurement[] => []);
    let records = 0;
    for (let run = 0; run < ctx.runs; run++) {
      for (const [i, [name, script, premade]] of stages.entries()) {
        if (premade) execFileSync(db, ["load", premade(run), "/dev/null", "--log-level", "warn"]);
        const m = await measure(script(run), { cwd: dir, env });
        if (m.exitCode !== 0) throw new Error(`${name} failed (${m.exitCode}): ${m.stderr.slice(0, 400)}`);
        runs[i]!.push(m);
        if (i === 0) {
          records = lineCount(file);
          // The extract's output of the first run is what the floor stores (the same in every run).
          if (run === 0) await stageFloor(file, floorDir, floorPlan);
        }
      }
      for (const name of [`alone-${run}.duckdb`, `pipe-${run}.duckdb`, `floor-${run}.duckdb`, `least-${run}.duckdb`])
        rmSync(join(dir, name), { force: true });
    }
    const rows = stages.map(([name], i) => {
      const wall = median(runs[i]!.map((x) => x.wallSeconds));
      const cpu = median(runs[i]!.map((x) => x.cpuSeconds));
      return {
        name,
        wall,
        cpu,
        rss: median(runs[i]!.map((x) => x.peakRssMiB)),
        rate: records / wall,
        perCpu: records / cpu,
      };
    });
    for (const r of rows) {
      say(
        `| ${output} | ${r.name.replaceAll("|", "\\|")} | ${records.toLocaleString("en")} | ${r.wall.toFixed(2)} | ${Math.round(r.rate).toLocaleString("en")} | ${r.cpu.toFixed(2)} | ${Math.round(r.perCpu).toLocaleString("en")} | ${r.rss.toFixed(0)} |`,
      );
    }
    type Row = (typeof rows)[0];
    const [alone, loader, pipe, floor, least] = rows as [Row, Row, Row, Row, Row];
    // Within a tenth of each other, which is slower is the noise of a shared machine.
    const limiter =
      Math.abs(loader.rate - alone.rate) < 0.1 * Math.max(loader.rate, alone.rate)
        ? "neither stage clearly (their rates alone are within 10%)"
        : loader.rate < alone.rate
          ? "the loader"
          : "orcid-extract";
    results.push({ output, records, rows, limiter, runs: stages.map(([name], i) => ({ name, runs: runs[i] })) });
    say();
    say(
      `${output}: ${limiter.startsWith("neither") ? limiter : `${limiter} limits`} — orcid-extract alone ${Math.round(alone.rate).toLocaleString("en")} records/s, orcid-db load alone ${Math.round(loader.rate).toLocaleString("en")} records/s, ` +
        `the pipe ${Math.round(pipe.rate).toLocaleString("en")} records/s (${((100 * pipe.rate) / Math.min(alone.rate, loader.rate)).toFixed(0)}% of the slower stage alone; wall-clock medians of ${ctx.runs} runs). ` +
        // CPU-seconds hold when other work shares the cores; wall-clock rates do not.
        `CPU: orcid-extract ${alone.cpu.toFixed(2)} s, orcid-db load ${loader.cpu.toFixed(2)} s, the pipe ${pipe.cpu.toFixed(2)} s. ` +
        // The loader cannot be faster than its engine's share of the work: where that is at or
        // below orcid-extract, so is the loader.
        `The engine's floor (DuckDB alone, the same rows in one transaction, no loader): ${Math.round(floor.rate).toLocaleString("en")} records/s, ` +
        `${(floor.rate / alone.rate).toFixed(2)}× orcid-extract alone's rate; the loader runs at ${((100 * loader.rate) / floor.rate).toFixed(0)}% of it. ` +
        // Less than any load must do, reading the input as a load does: a bound on the loader.
        `The least loader (lines to DuckDB as they are read: no checks${output === "all records" ? ", no links from works" : ""}, one transaction): ` +
        `${Math.round(least.rate).toLocaleString("en")} records/s, ${(least.rate / alone.rate).toFixed(2)}× orcid-extract alone's rate; the loader runs at ${((100 * loader.rate) / least.rate).toFixed(0)}% of it.`,
    );
    say();
  }
  ctx.results.dbPipeline = { summaries: summaries.length, mb, cores: cpus().length, modes: results };
  rmSync(dir, { recursive: true, force: true });
}

/** Runs the scenario and reports it as a markdown section. */
export async function dbScenario(ctx: DbScenarioContext): Promise<void> {
  const { work, repo, say } = ctx;
  // 20,000 records: more than one of the loader's batches (100,000 records each), so that the pipe overlaps.
  await pipelineScenario({ ...ctx, records: ctx.quick ? 1_000 : 20_000, runs: ctx.quick ? 1 : 3 });
  const bin = join(repo, "node_modules", ".bin", "orcid-db");
  // About 4.1 links per iD: 250,000 iDs give ≥ 1 M links (a tenth with --quick).
  const ids = ctx.quick ? 25_000 : 250_000;
  const dir = join(work, "db");
  rmSync(dir, { recursive: true, force: true });
  execFileSync("mkdir", ["-p", dir]);

  // Work records (orcid-extract's default output: links derived in the loader) on a tenth of the iDs,
  // then the big database from link records (orcid-extract --links).
  const rows: {
    input: string;
    records: number;
    wall: number;
    cpu: number;
    rss: number;
    links: number;
    bytes: number;
  }[] = [];
  for (const [input, n, links] of [
    ["work records", Math.round(ids / 10), false],
    ["link records (--links)", ids, true],
  ] as const) {
    const file = join(dir, `records-${links ? "links" : "works"}.ndjson`);
    const records = await writeRecords(file, n, links);
    const db = join(dir, `orcid-${links ? "links" : "works"}.duckdb`);
    const m = await measure(`"${bin}" load "${db}" "${file}" --log-level warn`, { cwd: dir, env: process.env });
    if (m.exitCode !== 0) throw new Error(`orcid-db load failed (${m.exitCode}): ${m.stderr}`);
    const engine = await openDatabase(db);
    const [row] = await engine.all("SELECT count(*) AS n FROM links");
    await engine.close();
    rows.push({
      input,
      records,
      wall: m.wallSeconds,
      cpu: m.cpuSeconds,
      rss: m.peakRssMiB,
      links: Number(row!.n),
      bytes: statSync(db).size,
    });
    if (!links) rmSync(file, { force: true });
  }
  const big = join(dir, "orcid-links.duckdb");
  const links = rows[1]!.links;

  // In-process: 1,000 random DOIs of the database, one query each, after a few to warm up.
  const engine = await openDatabase(big);
  const dois = (await engine.all("SELECT doi FROM links USING SAMPLE 1000 ROWS")).map((r) => String(r.doi));
  for (const doi of dois.slice(0, 20)) await doiLinks(engine, doi);
  const times: number[] = [];
  let answered = 0;
  for (const doi of dois) {
    const started = performance.now();
    answered += (await doiLinks(engine, doi)).length;
    times.push(performance.now() - started);
  }
  // Every link under a prefix: the generator's DOIs fall under 50 prefixes, so each holds about 2 %
  // of the links — a publisher's whole export, not a lookup.
  const prefixes = [...new Set(dois.map((doi) => doi.split("/")[0]!))].slice(0, ctx.quick ? 5 : 20);
  const prefixTimes: number[] = [];
  let prefixLinksFound = 0;
  for (const prefix of prefixes) {
    const started = performance.now();
    for await (const _ of prefixLinks(engine, [prefix])) prefixLinksFound++;
    prefixTimes.push(performance.now() - started);
  }
  await engine.close();
  const stats = await measure(`"${bin}" stats "${big}" --json --log-level warn > /dev/null`, {
    cwd: dir,
    env: process.env,
  });
  const parquet = await measure(
    `"${bin}" export "${big}" links --format parquet -o "${join(dir, "parquet")}" --log-level warn`,
    { cwd: dir, env: process.env },
  );
  if (stats.exitCode !== 0 || parquet.exitCode !== 0)
    throw new Error(`orcid-db stats or export failed: ${stats.stderr}${parquet.stderr}`);

  // As a command, start-up included.
  const commands: number[] = [];
  for (const doi of dois.slice(0, ctx.quick ? 5 : 20)) {
    const m = await measure(`"${bin}" doi "${big}" "https://doi.org/${doi}" --log-level warn > /dev/null`, {
      cwd: dir,
      env: process.env,
    });
    commands.push(m.wallSeconds);
  }

  const postgres = await postgresFigures(ctx, {
    bin,
    dir,
    ids,
    records: rows[1]!.records,
    file: join(dir, "records-links.ndjson"),
  });

  say(`## orcid-db (${links.toLocaleString("en")} links from ${ids.toLocaleString("en")} synthetic iDs)`);
  say();
  say("| load | records | wall s | records/s | CPU s | peak RSS MiB | links | DB MB per M links |");
  say("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    say(
      `| ${r.input} | ${r.records.toLocaleString("en")} | ${r.wall.toFixed(1)} | ${Math.round(r.records / r.wall)} | ${r.cpu.toFixed(1)} | ${r.rss.toFixed(0)} | ${r.links.toLocaleString("en")} | ${((r.bytes / 1e6) * (1e6 / r.links)).toFixed(0)} |`,
    );
  }
  say();
  say(
    `\`orcid-db doi\` in-process over ${times.length} random DOIs (${answered} links): p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (target p99 ≤ 50 ms).`,
  );
  say(
    `As a command including start-up, ${commands.length} runs: median ${percentile(commands, 50).toFixed(2)} s, worst ${Math.max(...commands).toFixed(2)} s (target ≤ 0.5 s).`,
  );
  say(
    `\`orcid-db prefix\` in-process over ${prefixes.length} prefixes (${Math.round(prefixLinksFound / prefixes.length).toLocaleString("en")} links each on average, names joined, streamed): median ${percentile(prefixTimes, 50).toFixed(0)} ms, worst ${Math.max(...prefixTimes).toFixed(0)} ms.`,
  );
  say(
    `\`orcid-db stats --json\` as a command: ${stats.wallSeconds.toFixed(2)} s wall, ${stats.cpuSeconds.toFixed(2)} s CPU, peak RSS ${stats.peakRssMiB.toFixed(0)} MiB. \`orcid-db export links --format parquet\` (partitioned by prefix): ${parquet.wallSeconds.toFixed(2)} s wall, ${parquet.cpuSeconds.toFixed(2)} s CPU, peak RSS ${parquet.peakRssMiB.toFixed(0)} MiB.`,
  );
  say();
  say(
    `### On PostgreSQL ${postgres.version} (a throwaway server on the same 2 cores, fsync off; the same link records)`,
  );
  say();
  say("| load | loaders | records | wall s | records/s | loaders' CPU s | server CPU s |");
  say("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of postgres.loads) {
    say(
      `| link records (--links) | ${r.loaders} | ${r.records.toLocaleString("en")} | ${r.wall.toFixed(1)} | ${Math.round(r.records / r.wall)} | ${r.cpu.toFixed(1)} | ${r.serverCpu.toFixed(1)} |`,
    );
  }
  say();
  say(
    `4 loaders' rate is ${(postgres.loads[1]!.wall > 0 ? postgres.loads[0]!.wall / postgres.loads[1]!.wall : 0).toFixed(2)}× one loader's (medians of ${postgres.runs} alternating runs; target ≥ 0.9×; no deadlock: every loader exited 0).`,
  );
  say(
    `\`orcid-db doi\` on PostgreSQL in-process over ${postgres.times.length} random DOIs: p50 ${percentile(postgres.times, 50).toFixed(1)} ms, p99 ${percentile(postgres.times, 99).toFixed(1)} ms, max ${Math.max(...postgres.times).toFixed(1)} ms; as a command including start-up, ${postgres.commands.length} runs: median ${percentile(postgres.commands, 50).toFixed(2)} s, worst ${Math.max(...postgres.commands).toFixed(2)} s.`,
  );
  say(
    `\`orcid-db export links --format parquet\` from PostgreSQL (rows through an in-process DuckDB): ${postgres.parquet.wall.toFixed(2)} s wall, ${postgres.parquet.cpu.toFixed(2)} s CPU, peak RSS ${postgres.parquet.rssMiB.toFixed(0)} MiB.`,
  );
  say();
  ctx.results.db = {
    postgres: {
      loads: postgres.loads,
      inProcessMs: {
        p50: percentile(postgres.times, 50),
        p99: percentile(postgres.times, 99),
        max: Math.max(...postgres.times),
      },
      commandSeconds: { median: percentile(postgres.commands, 50), max: Math.max(...postgres.commands) },
      parquetLinks: postgres.parquet,
    },
    links,
    loads: rows,
    inProcessMs: { p50: percentile(times, 50), p99: percentile(times, 99), max: Math.max(...times) },
    commandSeconds: { median: percentile(commands, 50), max: Math.max(...commands) },
    prefixMs: {
      median: percentile(prefixTimes, 50),
      max: Math.max(...prefixTimes),
      linksEach: prefixLinksFound / prefixes.length,
    },
    stats: { wall: stats.wallSeconds, cpu: stats.cpuSeconds, rssMiB: stats.peakRssMiB },
    parquetLinks: { wall: parquet.wallSeconds, cpu: parquet.cpuSeconds, rssMiB: parquet.peakRssMiB },
  };
  rmSync(dir, { recursive: true, force: true });
}

/** CPU seconds of a server process and its children, those reaped included. */
function treeCpu(pid: number): number {
  const fields = (p: number) => {
    const stat = readFileSync(`/proc/${p}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  };
  const own = fields(pid);
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === pid) continue;
    try {
      const f = fields(Number(name));
      if (Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // gone
    }
  }
  return ticks / 100;
}

/** PostgreSQL's figures: load rate with 1 and 4 loaders, doi latency in-process and as a command. */
async function postgresFigures(
  ctx: DbScenarioContext,
  run: { bin: string; dir: string; ids: number; records: number; file: string },
): Promise<{
  version: string;
  /** Runs of each load configuration (their medians are in `loads`). */
  runs: number;
  loads: { loaders: number; records: number; wall: number; cpu: number; serverCpu: number }[];
  times: number[];
  commands: number[];
  parquet: { wall: number; cpu: number; rssMiB: number };
}> {
  const pg = await startLocalPostgres();
  try {
    const env = { ...process.env, ORCID_BENCH_DB: pg.url };
    const version = pg.admin("SHOW server_version").trim();
    const shards = [1, 2, 3, 4].map((k) => join(run.dir, `records-links-${k}.ndjson`));
    let sharded = 0;
    for (const [i, shard] of shards.entries()) {
      sharded += await writeRecords(shard, run.ids, true, (orcid) =>
        folderInShard(last3(orcid), { index: i + 1, count: 4 }),
      );
    }
    if (sharded !== run.records) throw new Error(`The 4 shards hold ${sharded} records, the whole ${run.records}`);
    // Each configuration three times (once with --quick), alternating (a fresh schema each), reported as medians:
    // one run's time moves by a third from run to run on a shared machine.
    const script = (loaders: number, schema: string) =>
      loaders === 1
        ? `"${run.bin}" load env:ORCID_BENCH_DB "${run.file}" --schema ${schema} --log-level warn`
        : `${shards.map((f) => `"${run.bin}" load env:ORCID_BENCH_DB "${f}" --schema ${schema} --log-level warn &`).join("\n")}\nfor job in $(jobs -p); do wait "$job" || exit 1; done`;
    const runs = new Map<number, { wall: number; cpu: number; serverCpu: number }[]>([
      [1, []],
      [4, []],
    ]);
    const loadRuns = ctx.quick ? 1 : 3;
    for (let i = 1; i <= loadRuns; i++) {
      for (const loaders of [1, 4]) {
        const before = treeCpu(pg.pid);
        const m = await measure(script(loaders, `${loaders === 1 ? "one_loader" : "four_loaders"}_${i}`), {
          cwd: run.dir,
          env,
        });
        if (m.exitCode !== 0) throw new Error(`orcid-db load into PostgreSQL failed (${m.exitCode}): ${m.stderr}`);
        runs.get(loaders)!.push({ wall: m.wallSeconds, cpu: m.cpuSeconds, serverCpu: treeCpu(pg.pid) - before });
      }
    }
    const loads = [...runs].map(([loaders, r]) => ({
      loaders,
      records: run.records,
      wall: median(r.map((x) => x.wall)),
      cpu: median(r.map((x) => x.cpu)),
      serverCpu: median(r.map((x) => x.serverCpu)),
    }));
    const engine = await openDatabase(pg.url, { schema: "one_loader_1" });
    const dois = (await engine.all("SELECT doi FROM links ORDER BY random() LIMIT 1000")).map((r) => String(r.doi));
    for (const doi of dois.slice(0, 20)) await doiLinks(engine, doi);
    const times: number[] = [];
    let answered = 0;
    for (const doi of dois) {
      const started = performance.now();
      answered += (await doiLinks(engine, doi)).length;
      times.push(performance.now() - started);
    }
    await engine.close();
    if (answered < dois.length)
      throw new Error(`PostgreSQL answered ${answered} links for ${dois.length} DOIs it holds`);
    const commands: number[] = [];
    for (const doi of dois.slice(0, ctx.quick ? 5 : 20)) {
      const m = await measure(
        `"${run.bin}" doi env:ORCID_BENCH_DB "https://doi.org/${doi}" --schema one_loader_1 --log-level warn > /dev/null`,
        { cwd: run.dir, env },
      );
      commands.push(m.wallSeconds);
    }
    // The links as Parquet: streamed from a cursor into an in-process DuckDB, which writes them.
    const parquet = await measure(
      `"${run.bin}" export env:ORCID_BENCH_DB links --format parquet -o "${join(run.dir, "pg-parquet")}" --schema one_loader_1 --log-level warn`,
      { cwd: run.dir, env },
    );
    if (parquet.exitCode !== 0)
      throw new Error(
        `orcid-db export --format parquet from PostgreSQL failed (${parquet.exitCode}): ${parquet.stderr}`,
      );
    return {
      version,
      runs: loadRuns,
      loads,
      times,
      commands,
      parquet: { wall: parquet.wallSeconds, cpu: parquet.cpuSeconds, rssMiB: parquet.peakRssMiB },
    };
  } finally {
    await pg.stop();
  }
}
