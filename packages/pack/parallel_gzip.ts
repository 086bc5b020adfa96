/**
 * gzip on every core: the input is cut into blocks, each compressed as its own gzip member on the
 * libuv thread pool, and the members written in order. Concatenated gzip members are one valid
 * gzip file (RFC 1952), which GNU tar, gunzip and zlib read as a whole. Each member's header has
 * MTIME 0, so the same input gives the same bytes.
 */
import { Transform, type TransformCallback } from "node:stream";
import { promisify } from "node:util";
import { gzip } from "node:zlib";

const gzipAsync = promisify(gzip);

/** Options for {@linkcode ParallelGzip}. */
export interface ParallelGzipOptions {
  /** Blocks compressed at once. Default 2. */
  readonly workers?: number;
  /** Bytes per block (member). Default 1 MiB. */
  readonly blockBytes?: number;
  /** zlib level. Default 6. */
  readonly level?: number;
}

/** A Transform from bytes to a multi-member gzip stream. */
export class ParallelGzip extends Transform {
  readonly #workers: number;
  readonly #blockBytes: number;
  readonly #level: number;
  #pieces: Buffer[] = [];
  #pieceBytes = 0;
  /** Compressions in flight, in order. */
  #inFlight: Promise<Buffer>[] = [];
  #consumed = 0;

  constructor(options: ParallelGzipOptions = {}) {
    super();
    this.#workers = Math.max(1, options.workers ?? 2);
    this.#blockBytes = options.blockBytes ?? 1 << 20;
    this.#level = options.level ?? 6;
  }

  /** Input bytes taken so far (a producer can pace itself by them; emitted as `consumed`). */
  get consumed(): number {
    return this.#consumed;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#pieces.push(chunk);
    this.#pieceBytes += chunk.length;
    const taken = () => {
      this.#consumed += chunk.length;
      this.emit("consumed", this.#consumed);
      done();
    };
    if (this.#pieceBytes < this.#blockBytes) {
      taken();
      return;
    }
    this.#startBlock().then(taken, done);
  }

  override _flush(done: TransformCallback): void {
    (async () => {
      if (this.#pieceBytes > 0 || this.#inFlight.length === 0) await this.#startBlock(true);
      while (this.#inFlight.length > 0) this.push(await this.#inFlight.shift()!);
    })().then(() => done(), done);
  }

  /** Starts compressing the gathered block; waits for the oldest when all workers are busy. */
  async #startBlock(last = false): Promise<void> {
    const block = Buffer.concat(this.#pieces, this.#pieceBytes);
    this.#pieces = [];
    this.#pieceBytes = 0;
    if (block.length === 0 && !last) return;
    const compressing = gzipAsync(block, { level: this.#level });
    compressing.catch(() => {});
    this.#inFlight.push(compressing);
    while (this.#inFlight.length >= this.#workers) this.push(await this.#inFlight.shift()!);
  }
}
