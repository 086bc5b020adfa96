/**
 * The `unpack` scenario: seeding a mirror from an archive in the layout of ORCID's yearly summaries
 * file (`ORCID_<release>_summaries/<last3>/<iD>.xml`, one gzip stream, as GNU tar writes it). On the
 * same archive: inflating alone (`gzip -dc`, and Node's zlib, the floor of one gzip stream, which
 * no reader of it can go below), `orcid-unpack > /dev/null`, and `orcid-unpack | orcid-place DIR`.
 * MB/s are of the expanded tar stream over wall time.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { buildDay, datasetObjects } from "@orcid-sync/test-bed";
import { measure, type Measurement } from "./measure.ts";
import { median, type ScenarioContext } from "./scenario.ts";

/** The real yearly summaries file, for the projection: ORCID's figures (docs/orcid-data.md). */
const REAL = { compressedGB: 40, expandedTB: 0.5, summaries: 26_000_000 };

/**
 * Builds the archive (about 300 MB of summaries by default; `UNPACK_RECORDS` records if set),
 * measures each reader `runs` times, and reports medians with a projection for the real file.
 */
export async function unpackScenario(ctx: ScenarioContext): Promise<void> {
  const records = Number(process.env.UNPACK_RECORDS ?? (ctx.quick ? 3000 : 24_000));
  const dir = join(ctx.work, "unpack");
  const tree = join(dir, "tree");
  const folder = "ORCID_2025_10_summaries";
  const { dataset } = buildDay({ records, seed: 29, now: new Date("2026-11-20T00:00:00Z"), day: 1 });
  let members = 0;
  for (const object of datasetObjects(dataset)) {
    if (!object.mirrorPath.startsWith("summaries/")) continue;
    const path = join(tree, folder, object.key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, object.body);
    utimesSync(path, object.lastModified, object.lastModified);
    members++;
  }
  const archive = join(dir, `${folder}.tar.gz`);
  execFileSync("tar", ["czf", archive, "-C", tree, folder]);
  rmSync(tree, { recursive: true, force: true });
  const compressed = statSync(archive).size;
  const expanded = Number(
    execFileSync("bash", ["-c", `gzip -dc "${archive}" | wc -c`])
      .toString()
      .trim(),
  );

  const bin = (name: string) => `"${join(ctx.repo, "node_modules", ".bin", name)}"`;
  const zlibAlone = `node -e 'require("node:fs").createReadStream(process.argv[1]).pipe(require("node:zlib").createGunzip({ chunkSize: 131072 })).resume()' "${archive}"`;
  let placeRun = 0;
  const readers: [string, () => string][] = [
    ["gzip -dc > /dev/null", () => `gzip -dc "${archive}" > /dev/null`],
    ["Node zlib alone (gunzip, 128 KiB chunks)", () => zlibAlone],
    ["orcid-unpack > /dev/null", () => `${bin("orcid-unpack")} "${archive}" --log-level warn > /dev/null`],
    // Each run files into a folder of its own, removed only at the end (see bench/README.md: a
    // mass deletion before a run costs the next run's file creation seconds of kernel time).
    [
      "orcid-unpack | orcid-place DIR",
      () =>
        `${bin("orcid-unpack")} "${archive}" --log-level warn | ${bin("orcid-place")} "${join(dir, `mirror-${placeRun++}`)}" --log-level warn > /dev/null`,
    ],
  ];

  ctx.say(
    `## Seeding from a yearly-style summaries archive (${members} summaries, ${(expanded / 1e6).toFixed(0)} MB expanded, ${(compressed / 1e6).toFixed(0)} MB as .tar.gz)`,
  );
  ctx.say();
  ctx.say("| reader | wall s | MB/s (expanded) | members/s | CPU s | MB per CPU s | CPU µs/member | peak RSS MiB |");
  ctx.say("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  const rows: {
    name: string;
    wall: number;
    cpu: number;
    rss: number;
    mbPerSecond: number;
    membersPerSecond: number;
  }[] = [];
  for (const [name, script] of readers) {
    const runs: Measurement[] = [];
    for (let r = 0; r < ctx.runs; r++) {
      const run = await measure(script(), { cwd: dir, env: ctx.env });
      if (run.exitCode !== 0) throw new Error(`${name} failed (${run.exitCode}): ${run.stderr.slice(0, 400)}`);
      runs.push(run);
    }
    const wall = median(runs.map((x) => x.wallSeconds));
    const row = {
      name,
      wall,
      cpu: median(runs.map((x) => x.cpuSeconds)),
      rss: median(runs.map((x) => x.peakRssMiB)),
      mbPerSecond: expanded / 1e6 / wall,
      membersPerSecond: members / wall,
    };
    rows.push(row);
    ctx.say(
      `| ${name.replaceAll("|", "\\|")} | ${row.wall.toFixed(2)} | ${row.mbPerSecond.toFixed(1)} | ${row.membersPerSecond.toFixed(0)} | ${row.cpu.toFixed(2)} | ${(expanded / 1e6 / row.cpu).toFixed(0)} | ${((row.cpu / members) * 1e6).toFixed(0)} | ${row.rss.toFixed(0)} |`,
    );
  }
  ctx.say();
  // The real file: this run's rates applied to 0.5 TB and to 26 million summaries, whichever
  // takes longer (the bench's summaries are smaller than the real ones' ~19 KB mean, so the two
  // differ). By wall time: as fast as this machine ran, load included. By CPU time: the work
  // itself, the hours of CPU a quiet machine spends (a pipe's processes then run side by side).
  const scale = (seconds: number) => Math.max((REAL.expandedTB * 1e12) / expanded, REAL.summaries / members) * seconds;
  const hours = (seconds: number) => (scale(seconds) / 3600).toFixed(1);
  ctx.say(
    `Projected for the real summaries file (${REAL.compressedGB} GB compressed, ~${REAL.expandedTB} TB expanded, ~${REAL.summaries / 1e6} M members), this run's rates scaled by the larger of the byte and member ratios (${Math.max((REAL.expandedTB * 1e12) / expanded, REAL.summaries / members).toFixed(0)}×) — wall time: ${rows.map((row) => `${row.name} ${hours(row.wall)} h`).join("; ")}. CPU time: ${rows.map((row) => `${row.name} ${hours(row.cpu)} h`).join("; ")}.`,
  );
  ctx.say();
  ctx.results.unpack = {
    members,
    compressed,
    expanded,
    real: REAL,
    readers: rows.map((row) => ({
      ...row,
      projectedWallHours: scale(row.wall) / 3600,
      projectedCpuHours: scale(row.cpu) / 3600,
    })),
  };
  rmSync(dir, { recursive: true, force: true });
}
