/**
 * Summary tasks on worker threads (or, with one thread, right here). Each batch of tasks goes to the
 * least busy worker; its answer is the batch's NDJSON lines as bytes.
 */
import { Worker } from "node:worker_threads";
import { DEFAULT_CLIENT_LABELS } from "@orcid-sync/core";
import { type ExtractStats, type SummaryTask, SummaryTaskRunner } from "./summary_task.ts";

/** What every worker is started with. */
export interface WorkerSetup {
  readonly links: boolean;
  readonly clients: readonly (readonly [string, string])[];
}

/** A message to a worker. */
export interface WorkerRequest {
  readonly id: number;
  readonly tasks: readonly SummaryTask[];
}

/** A worker's answer. */
export interface WorkerReply extends BatchResult {
  readonly id: number;
}

/** The records of a batch of summaries. */
export interface BatchResult {
  /** NDJSON lines, each ending with a newline. */
  readonly bytes: Uint8Array;
  readonly lines: number;
  readonly stats: ExtractStats;
}

/** Options for {@linkcode ExtractPool}. */
export interface ExtractPoolOptions {
  /** Worker threads; 1 runs every task on the calling thread. */
  readonly threads: number;
  readonly links?: boolean;
  readonly clients?: ReadonlyMap<string, string>;
  /** The worker's module. Default: `extract_worker.js` beside this module once built. */
  readonly workerUrl?: URL;
}

/**
 * The built worker module. Run from source (the tests), this module is a `.ts` file whose worker
 * has no compiled twin beside it: the build's copy in dist/ is used.
 */
function defaultWorkerUrl(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith(".ts") ? "./dist/extract_worker.js" : "./extract_worker.js", here);
}

interface PooledWorker {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve: (result: BatchResult) => void; reject: (error: Error) => void }>;
}

/**
 * Extracts batches of summaries on `threads` worker threads, started on first use.
 *
 * @example
 * ```ts
 * const pool = new ExtractPool({ threads: 4, links: true });
 * const { bytes } = await pool.run([{ orcid, key, path }]);
 * await pool.close();
 * ```
 */
export class ExtractPool {
  readonly #options: ExtractPoolOptions;
  readonly #workers: PooledWorker[] = [];
  #inline: SummaryTaskRunner | undefined;
  #nextId = 0;
  #failure: Error | undefined;

  constructor(options: ExtractPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new RangeError(`Cannot run ${options.threads} threads: need a whole number ≥ 1`);
    }
    this.#options = options;
  }

  /** Extracts `tasks` and resolves with their lines in task order. */
  run(tasks: readonly SummaryTask[]): Promise<BatchResult> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#options.threads === 1) return Promise.resolve(this.#runInline(tasks));
    const target = this.#leastBusy();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      target.worker.postMessage({ id, tasks } satisfies WorkerRequest);
    });
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    const workers = this.#workers.splice(0);
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  }

  #runInline(tasks: readonly SummaryTask[]): BatchResult {
    this.#inline ??= new SummaryTaskRunner({ links: this.#options.links, clients: this.#options.clients });
    return this.#inline.runAllEncoded(tasks);
  }

  #leastBusy(): PooledWorker {
    let best: PooledWorker | undefined;
    for (const candidate of this.#workers) {
      if (candidate.pending.size === 0) return candidate;
      if (!best || candidate.pending.size < best.pending.size) best = candidate;
    }
    if (this.#workers.length < this.#options.threads) return this.#start();
    return best!;
  }

  #start(): PooledWorker {
    const setup: WorkerSetup = {
      links: this.#options.links ?? false,
      clients: [...(this.#options.clients ?? DEFAULT_CLIENT_LABELS)],
    };
    const worker = new Worker(this.#options.workerUrl ?? defaultWorkerUrl(), { workerData: setup });
    const pooled: PooledWorker = { worker, pending: new Map() };
    const fail = (error: Error) => {
      this.#failure ??= error;
      for (const { reject } of pooled.pending.values()) reject(error);
      pooled.pending.clear();
    };
    worker.on("message", (reply: WorkerReply) => {
      const waiting = pooled.pending.get(reply.id);
      if (!waiting) return;
      pooled.pending.delete(reply.id);
      waiting.resolve({ bytes: reply.bytes, lines: reply.lines, stats: reply.stats });
    });
    worker.on("error", (error) => fail(new Error(`An extract worker failed: ${error.message}`, { cause: error })));
    worker.on("exit", (code) => {
      if (pooled.pending.size > 0) fail(new Error(`An extract worker stopped (exit code ${code}) with work in hand`));
    });
    this.#workers.push(pooled);
    return pooled;
  }
}
