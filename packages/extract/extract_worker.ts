/**
 * A worker thread of orcid-extract: runs the summary tasks of each message it gets and answers with
 * their lines, encoded here (the bytes move to the main thread without a copy).
 */
import { parentPort, workerData } from "node:worker_threads";
import { SummaryTaskRunner } from "./summary_task.ts";
import type { WorkerReply, WorkerRequest, WorkerSetup } from "./worker_pool.ts";

const setup = workerData as WorkerSetup;
const runner = new SummaryTaskRunner({ links: setup.links, clients: new Map(setup.clients) });
// The bytes own their ArrayBuffer (runAllEncoded): it moves to the main thread, not copied.
parentPort!.on("message", (request: WorkerRequest) => {
  const { bytes, lines, stats } = runner.runAllEncoded(request.tasks);
  parentPort!.postMessage({ id: request.id, bytes, lines, stats } satisfies WorkerReply, [bytes.buffer as ArrayBuffer]);
});
