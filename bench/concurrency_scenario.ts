/** The `concurrency` scenario: objects/s against -j, with no added latency and with `rtt` ms of it. */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildDay, datasetObjects, DEFAULT_BUCKETS, seedStore, startLocalS3 } from "@orcid-sync/test-bed";
import { concurrencyChart, type Series } from "./chart.ts";
import { ORCID_INTO, ORCID_PIPE } from "./contenders.ts";
import { cell, type DownloadBench } from "./download_bench.ts";
import { startLatencyProxy } from "./latency_proxy.ts";

/** What the sweep covers. */
export interface SweepOptions {
  /** Records of the sweep's own store (a small bucket measures start-up more than transfer). */
  readonly records: number;
  /** The -j values. */
  readonly concurrency: readonly number[];
  /** Added round-trip time of the second panel, in ms. */
  readonly rtt: number;
}

/** Downloads the summaries at every point, for the pipe and each peer; writes the chart beside the results. */
export async function concurrencyScenario(bench: DownloadBench, options: SweepOptions): Promise<void> {
  const { ctx } = bench;
  const sweepDir = join(ctx.work, "sweep-s3");
  const sweepDay = buildDay({
    records: options.records,
    seed: 11,
    now: new Date("2026-11-20T00:00:00Z"),
    day: 1,
  }).dataset;
  await seedStore(sweepDir, sweepDay, { golden: false });
  const sweepCount = [...datasetObjects(sweepDay)].filter((o) => o.bucket === DEFAULT_BUCKETS.summaries).length;
  const sweep = await startLocalS3({ directory: sweepDir });
  const series: { title: string; series: Series[] }[] = [];
  for (const rtt of [0, options.rtt]) {
    const proxy = rtt > 0 ? await startLatencyProxy(sweep.endpoint, rtt) : undefined;
    const lines: Series[] = [];
    for (const contender of [ORCID_PIPE, ORCID_INTO, ...bench.peers]) {
      const points: [number, number][] = [];
      for (const c of options.concurrency) {
        const run = await bench.runOnce(
          contender,
          { ...bench.base, concurrency: c, summaries: true, activities: false },
          sweepCount,
          undefined,
          proxy?.endpoint ?? sweep.endpoint,
        );
        points.push([c, sweepCount / run.wallSeconds]);
      }
      lines.push({ name: contender.name, points });
    }
    await proxy?.close();
    series.push({ title: `summaries, ${rtt} ms RTT`, series: lines });
  }
  await sweep.stop();
  ctx.say(`## Objects/s against concurrency (full download of ${sweepCount} summaries)`);
  ctx.say();
  ctx.say(`| contender | RTT ms | ${options.concurrency.map((c) => `-j ${c}`).join(" | ")} |`);
  ctx.say(`| --- | ---: | ${options.concurrency.map(() => "---:").join(" | ")} |`);
  for (const panel of series) {
    for (const line of panel.series)
      ctx.say(
        `| ${cell(line.name)} | ${panel.title.match(/(\d+) ms/)![1]} | ${line.points.map(([, v]) => v.toFixed(0)).join(" | ")} |`,
      );
  }
  ctx.say();
  ctx.say(
    "Fixed anchor (not measured here): the reference download.py fetched 174 summaries/s with 20 ms of added round-trip time on this machine.",
  );
  ctx.say();
  // Relative to results/latest.md, where the table is kept.
  ctx.say(`![objects/s against concurrency](${ctx.quick ? "quick-" : ""}concurrency.png)`);
  ctx.say();
  ctx.results.concurrency = series;
  mkdirSync(join(ctx.repo, "bench", "results"), { recursive: true });
  // A quick run's figures are a smoke test, not a result: kept apart and out of git.
  const svg = join(ctx.repo, "bench", "results", `${ctx.quick ? "quick-" : ""}concurrency.svg`);
  writeFileSync(svg, concurrencyChart(series));
  try {
    execFileSync("rsvg-convert", ["-o", svg.replace(/\.svg$/, ".png"), svg]);
  } catch {
    process.stderr.write("bench: rsvg-convert is missing (Debian librsvg2-bin): no PNG chart\n");
  }
}
