/** The `cap` scenario: the local server's own limit, measured with the cheapest client there is. */
import { DEFAULT_BUCKETS } from "@orcid-sync/test-bed";
import { Agent, request } from "undici";
import type { DownloadBench } from "./download_bench.ts";
import { processCpu } from "./measure.ts";

/** A tight loop of unsigned GETs of every summary (64 in flight) from this process. */
export async function capScenario(bench: DownloadBench): Promise<void> {
  const { s3, ctx } = bench;
  const agent = new Agent({ connections: 64 });
  const keys = bench.objects.filter((o) => o.bucket === DEFAULT_BUCKETS.summaries).map((o) => `/${o.bucket}/${o.key}`);
  const before = processCpu(s3.pid);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < keys.length) {
        const path = keys[next++]!;
        const response = await request(`${s3.endpoint}${path}`, { dispatcher: agent });
        await response.body.dump();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const serverCpu = processCpu(s3.pid) - before;
  await agent.close();
  ctx.say("## The server's cap");
  ctx.say();
  ctx.say(
    `A tight loop of ${keys.length} GETs (64 in flight) from one process: ${(keys.length / seconds).toFixed(0)} GETs/s, ${((serverCpu / keys.length) * 1e6).toFixed(0)} µs of server CPU per GET. Past this rate the server, not the client, is the limit: compare client CPU per object.`,
  );
  ctx.say();
  ctx.results.cap = {
    gets: keys.length,
    perSecond: keys.length / seconds,
    serverUsPerGet: (serverCpu / keys.length) * 1e6,
  };
}
