/** The `lambda` scenario: planning a sync from a big lambda file, for two windows. */
import { join } from "node:path";
import {
  DEFAULT_BUCKETS,
  LAMBDA_KEY,
  type LocalS3,
  startLocalS3,
  syncStore,
  syntheticLambda,
} from "@orcid-sync/test-bed";
import { measure, type Measurement } from "./measure.ts";
import { median, type ScenarioContext } from "./scenario.ts";

/** `orcid-list --since … -s > /dev/null` on a synthetic lambda file of `rows` rows over 90 days. */
export async function lambdaScenario(ctx: ScenarioContext, rows: number): Promise<void> {
  const lambdaDir = join(ctx.work, "lambda-s3");
  const chunks: Buffer[] = [];
  for await (const chunk of syntheticLambda({ rows, seed: 3, now: new Date("2026-11-20T00:00:00Z"), days: 90 }))
    chunks.push(chunk);
  syncStore(
    lambdaDir,
    [DEFAULT_BUCKETS.lambda],
    [{ bucket: DEFAULT_BUCKETS.lambda, key: LAMBDA_KEY, body: Buffer.concat(chunks), lastModified: new Date() }],
  );
  const server: LocalS3 = await startLocalS3({ directory: lambdaDir });
  try {
    ctx.say(
      `## Planning from the lambda file (${rows.toLocaleString("en")} rows over 90 days, summaries only, output to /dev/null)`,
    );
    ctx.say();
    ctx.say("| window | iDs | wall s | peak RSS MiB |");
    ctx.say("| --- | ---: | ---: | ---: |");
    const windows = [];
    for (const [label, since] of [
      ["1 day", "2026-11-19T00:00:00Z"],
      ["30 days", "2026-10-21T00:00:00Z"],
    ] as const) {
      const runs: Measurement[] = [];
      for (let r = 0; r < Math.max(ctx.runs, 3); r++) {
        runs.push(
          await measure(`"${join(ctx.repo, "node_modules", ".bin", "orcid-list")}" --since ${since} -s > /dev/null`, {
            cwd: ctx.work,
            env: { ...ctx.env, ...server.env },
          }),
        );
      }
      const ids = Number(/(\d+) iDs/.exec(runs[0]!.stderr)?.[1] ?? 0);
      const row = {
        window: label,
        ids,
        wall: median(runs.map((x) => x.wallSeconds)),
        rss: median(runs.map((x) => x.peakRssMiB)),
      };
      windows.push(row);
      ctx.say(`| ${label} | ${ids} | ${row.wall.toFixed(2)} | ${row.rss.toFixed(0)} |`);
    }
    ctx.say();
    ctx.say(
      "Fixed anchor (not measured here): the reference sync.py took about 6.1 s and 126 MiB for the 30-day window of a 2,000,000-row file on this machine.",
    );
    ctx.say();
    ctx.results.lambda = { rows, windows };
  } finally {
    await server.stop();
  }
}
