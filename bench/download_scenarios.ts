/** The `summaries` and `full` scenarios: a full download into an empty folder, side by side. */
import { ORCID_INTO, ORCID_PIPE, ORCID_SCRIPT } from "./contenders.ts";
import type { DownloadBench } from "./download_bench.ts";

/** All summaries: the pipe, fetch --into, download.sh and each peer. */
export async function summariesScenario(bench: DownloadBench): Promise<void> {
  await bench.compare(
    "Full download: summaries",
    [ORCID_PIPE, ORCID_INTO, ORCID_SCRIPT, ...bench.peers],
    { ...bench.base, summaries: true, activities: false },
    bench.summaryCount,
  );
  bench.ctx.say(
    "Fixed anchors (not measured here): on 5,000 summaries from this local server, the reference download.py used 3,537 µs of client CPU per object; an earlier measurement put aws-cli at 2,485 and rclone at 560.",
  );
  bench.ctx.say();
}

/** Summaries and activities: the pipe, fetch --into and each peer. */
export async function fullScenario(bench: DownloadBench): Promise<void> {
  await bench.compare(
    "Full download: summaries + activities",
    [ORCID_PIPE, ORCID_INTO, ...bench.peers],
    { ...bench.base, summaries: true, activities: true },
    bench.objects.length,
  );
}
