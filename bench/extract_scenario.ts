/**
 * The `extract` scenario: orcid-extract against Python's ElementTree (../shared/baselines/
 * et_extract.py, run as given) on the same summary files — MB of XML per CPU-second of each whole
 * process tree, absolute MB/s per core, wall time on every core, peak RSS, and the time the yearly
 * summaries file (about 0.5 TB of XML) would take at those rates.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { buildDay, datasetObjects, writeTree } from "@orcid-sync/test-bed";
import { measure, type Measurement } from "./measure.ts";
import { median, type ScenarioContext } from "./scenario.ts";

/** What the scenario needs: the bench's context and the number of records to generate. */
export interface ExtractScenarioContext extends Omit<ScenarioContext, "quick"> {
  readonly records: number;
}

/** The yearly summaries file holds about this much XML. */
const YEARLY_MB = 500_000;

/** Runs the scenario and reports it through `say`. */
export async function extractScenario(ctx: ExtractScenarioContext): Promise<void> {
  const mirror = join(ctx.work, "extract-mirror");
  rmSync(mirror, { recursive: true, force: true });
  mkdirSync(mirror, { recursive: true });
  const { dataset } = buildDay({
    records: ctx.records,
    seed: 18,
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

  const extract = join(ctx.repo, "node_modules", ".bin", "orcid-extract");
  const baseline = join(ctx.repo, "..", "shared", "baselines", "et_extract.py");
  const cores = cpus().length;
  const contenders: [name: string, script: string][] = [
    [`orcid-extract --links -j 1`, `"${extract}" --from "${mirror}" --links -j 1 --log-level warn > /dev/null`],
    [
      `orcid-extract --links -j ${cores}`,
      `"${extract}" --from "${mirror}" --links -j ${cores} --log-level warn > /dev/null`,
    ],
    [
      `orcid-extract -j ${cores} (all records)`,
      `"${extract}" --from "${mirror}" -j ${cores} --log-level warn > /dev/null`,
    ],
  ];
  if (existsSync(baseline))
    contenders.unshift(["et_extract.py (ElementTree)", `python3 "${baseline}" "${mirror}" > /dev/null`]);

  // Alternating runs, so that a busy minute of the machine falls on every contender alike.
  const runs = contenders.map((): Measurement[] => []);
  for (let r = 0; r < ctx.runs; r++) {
    for (const [i, [name, script]] of contenders.entries()) {
      const result = await measure(script, { cwd: ctx.work, env: ctx.env });
      if (result.exitCode !== 0) throw new Error(`${name} failed (${result.exitCode}): ${result.stderr.slice(0, 400)}`);
      runs[i]!.push(result);
    }
  }
  const rows = contenders.map(([name], i) => {
    const wall = median(runs[i]!.map((x) => x.wallSeconds));
    const cpu = median(runs[i]!.map((x) => x.cpuSeconds));
    return {
      name,
      wall,
      cpu,
      mbPerCpuSecond: mb / cpu,
      mbPerSecond: mb / wall,
      rss: median(runs[i]!.map((x) => x.peakRssMiB)),
    };
  });

  ctx.say(`## Extracting summaries (${summaries.length} generated summaries, ${mb.toFixed(1)} MB of XML)`);
  ctx.say();
  ctx.say(
    "| contender | wall s | CPU s | MB per CPU-second | MB/s (wall) | peak RSS MiB | yearly file (0.5 TB) on 1 core | on this machine |",
  );
  ctx.say("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of rows) {
    const hoursPerCore = YEARLY_MB / row.mbPerCpuSecond / 3600;
    ctx.say(
      `| ${row.name.replaceAll("|", "\\|")} | ${row.wall.toFixed(2)} | ${row.cpu.toFixed(2)} | ${row.mbPerCpuSecond.toFixed(1)} | ${row.mbPerSecond.toFixed(1)} | ${row.rss.toFixed(0)} | ${hoursPerCore.toFixed(1)} h | ${(YEARLY_MB / row.mbPerSecond / 3600).toFixed(1)} h |`,
    );
  }
  ctx.say();
  const ours = rows.find((r) => r.name.startsWith("orcid-extract --links -j 1"))!;
  const peer = rows.find((r) => r.name.startsWith("et_extract"));
  if (peer)
    ctx.say(
      `orcid-extract --links on one core: ${(ours.mbPerCpuSecond / peer.mbPerCpuSecond).toFixed(2)}× the MB of XML per CPU-second of et_extract.py (target ≥ 2×).`,
    );
  else ctx.say("et_extract.py was not found beside the repository (../shared/baselines): no baseline in this run.");
  ctx.say();
  ctx.results.extract = {
    summaries: summaries.length,
    mb,
    cores,
    rows,
    runs: contenders.map(([name], i) => ({ name, runs: runs[i] })),
  };
  rmSync(mirror, { recursive: true, force: true });
}
