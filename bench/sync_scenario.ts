/** The `sync` scenario: a day of changes on a day-1 mirror that each contender made itself. */
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { datasetObjects, seedStore } from "@orcid-sync/test-bed";
import { type Contender, ORCID_INTO, ORCID_PIPE } from "./contenders.ts";
import type { DownloadBench } from "./download_bench.ts";

/** Day-1 mirrors by each contender; the store moves to day 2 and each syncs a copy; day 1 is put back. */
export async function syncScenario(bench: DownloadBench): Promise<void> {
  const { ctx, base } = bench;
  const templates = new Map<string, string>();
  for (const contender of [ORCID_PIPE, ...bench.peers]) {
    await bench.runOnce(contender, { ...base, summaries: true, activities: true }, bench.objects.length);
    const template = join(ctx.work, `day1-${templates.size}`);
    rmSync(template, { recursive: true, force: true });
    cpSync(join(ctx.work, "run"), template, { recursive: true, preserveTimestamps: true });
    templates.set(contender.name, template);
  }
  await seedStore(bench.storeDir, bench.day2, { golden: false });
  // The day-1 mirror synced by orcid-list --since and `rest` (what follows it in the pipe).
  const syncWith = (
    contender: Contender,
    name: string,
    rest: (mirror: string, bin: (tool: string) => string, concurrency: number) => string,
  ): Contender => ({
    ...contender,
    name,
    script: (job) => {
      const mirror = join(job.dir, "ORCID_public_data_files");
      const bin = (tool: string) => join(job.repo, "node_modules", ".bin", tool);
      return `"${bin("orcid-list")}" --since 2026-11-20T00:00:00Z -s -a -j ${job.concurrency} --log-level warn | ${rest(mirror, bin, job.concurrency)} >/dev/null`;
    },
  });
  const syncing = syncWith(
    ORCID_PIPE,
    "orcid-sync (list --since | fetch | place)",
    (mirror, bin, j) =>
      `"${bin("orcid-fetch")}" --skip-unchanged "${mirror}" -j ${j} --log-level warn | "${bin("orcid-place")}" "${mirror}" --log-level warn`,
  );
  // What sync.sh runs: the same day-1 mirror, synced in one process.
  const syncingInto = syncWith(
    ORCID_INTO,
    "orcid-sync (list --since | fetch --into)",
    (mirror, bin, j) => `"${bin("orcid-fetch")}" --into "${mirror}" -j ${j} --log-level warn`,
  );
  const changedObjects = [...datasetObjects(bench.day2)].length;
  await bench.compare(
    "Day-2 sync (a day of changes on a day-1 mirror)",
    [syncing, syncingInto, ...bench.peers],
    { ...base, summaries: true, activities: true },
    changedObjects,
    (c) => templates.get(c === syncing || c === syncingInto ? ORCID_PIPE.name : c.name),
  );
  ctx.say(
    "(objects/s here is the mirror's object count over the wall time: what it costs to bring the whole mirror up to date.)",
  );
  ctx.say();
  await seedStore(bench.storeDir, bench.day1, { golden: false });
}
