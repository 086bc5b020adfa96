/** The `pack` scenario: orcid-pack against GNU tar (and tar + pigz when installed) on one mirror. */
import { execSync } from "node:child_process";
import { cpSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { ORCID_PIPE } from "./contenders.ts";
import type { DownloadBench } from "./download_bench.ts";
import { measure, type Measurement } from "./measure.ts";
import { median } from "./scenario.ts";

/** Downloads a mirror with the pipe, then packs it with each packer `runs` times. */
export async function packScenario(bench: DownloadBench, hasPigz: boolean): Promise<void> {
  const { ctx } = bench;
  await bench.runOnce(ORCID_PIPE, { ...bench.base, summaries: true, activities: true }, bench.objects.length);
  const mirror = join(ctx.work, "pack-mirror");
  rmSync(mirror, { recursive: true, force: true });
  cpSync(join(ctx.work, "run", "ORCID_public_data_files"), mirror, { recursive: true, preserveTimestamps: true });
  const bytes = Number(execSync(`du -sb --apparent-size "${mirror}"`).toString().split("\t")[0]);
  const packers: [string, string, string][] = [
    [
      "orcid-pack",
      `"${join(ctx.repo, "node_modules", ".bin", "orcid-pack")}" --from "${mirror}" -o "${join(ctx.work, "a.tar.gz")}" --log-level warn`,
      "a.tar.gz",
    ],
    ["GNU tar czf", `tar czf "${join(ctx.work, "b.tar.gz")}" -C "${mirror}" .`, "b.tar.gz"],
  ];
  if (hasPigz)
    packers.push(["tar + pigz", `tar -I pigz -cf "${join(ctx.work, "c.tar.gz")}" -C "${mirror}" .`, "c.tar.gz"]);
  ctx.say(`## Packing a mirror (${(bytes / 1e6).toFixed(1)} MB in ${bench.objects.length} files)`);
  ctx.say();
  ctx.say("| packer | wall s | MB/s | CPU s | archive MB |");
  ctx.say("| --- | ---: | ---: | ---: | ---: |");
  const packResults = [];
  for (const [name, script, archive] of packers) {
    const runs: Measurement[] = [];
    for (let r = 0; r < ctx.runs; r++) runs.push(await measure(script, { cwd: ctx.work, env: ctx.env }));
    const row = {
      name,
      wall: median(runs.map((x) => x.wallSeconds)),
      cpu: median(runs.map((x) => x.cpuSeconds)),
      size: statSync(join(ctx.work, archive)).size,
    };
    packResults.push(row);
    ctx.say(
      `| ${name} | ${row.wall.toFixed(2)} | ${(bytes / 1e6 / row.wall).toFixed(1)} | ${row.cpu.toFixed(2)} | ${(row.size / 1e6).toFixed(1)} |`,
    );
  }
  ctx.say();
  ctx.results.pack = { bytes, packers: packResults };
}
