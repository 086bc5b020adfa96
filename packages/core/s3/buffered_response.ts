/**
 * A request whose response body is gathered into one Buffer, through undici's `dispatch` and a
 * handler of our own: no stream per response, which costs less CPU per GET than `request()` and
 * `body.arrayBuffer()` (docs/architecture.md, "The hot path").
 */
import type { Dispatcher } from "undici";

/** A whole response. */
export interface BufferedResponse {
  readonly statusCode: number;
  /** Header names in lower case. */
  readonly headers: Record<string, string | string[] | undefined>;
  /** The body; for a status other than 200 and 206, at most its first 64 KiB (for the message). */
  readonly body: Buffer;
}

/** Options for {@linkcode dispatchBuffered}. */
export interface BufferedOptions {
  readonly signal?: AbortSignal;
  /**
   * Called once the status and headers are known, before any of the body is read; the body waits
   * until the promise settles (a byte budget), and a rejection ends the request with its error.
   */
  readonly beforeBody?: (statusCode: number, headers: BufferedResponse["headers"]) => Promise<void> | undefined;
  /**
   * Called after each piece of a 200's body with the bytes received so far; the rest waits while
   * the promise is pending. For a body whose size was not known in advance (no Content-Length):
   * a byte budget grows with it, a piece at a time.
   */
  readonly whileReading?: (bytesSoFar: number) => Promise<void> | undefined;
}

const ERROR_BODY_BYTES = 64 * 1024;

/**
 * Sends `request` on `dispatcher` and resolves with the whole response.
 *
 * @example
 * ```ts
 * const response = await dispatchBuffered(pool, { origin, path: "/bucket/key", method: "GET", headers });
 * ```
 */
export function dispatchBuffered(
  dispatcher: Dispatcher,
  request: Dispatcher.DispatchOptions,
  options: BufferedOptions = {},
): Promise<BufferedResponse> {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let statusCode = 0;
    let headers: BufferedResponse["headers"] = {};
    let chunks: Buffer[] = [];
    // A 200 with a Content-Length is copied into one Buffer of that size as it comes: no pieces
    // held until the end, no second copy to join them.
    let expected: number | undefined;
    let whole: Buffer | undefined;
    let bytes = 0;
    let pending = 0;
    let controller: Dispatcher.DispatchController | undefined;
    const onAbort = signal ? () => controller?.abort(signal.reason) : undefined;
    const unwatch = signal ? watchAbort(signal, onAbort!) : undefined;
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (signal?.aborted) started.abort(signal.reason);
      },
      onResponseStart(started, status, responseHeaders) {
        if (status < 200) return; // 1xx: the real response follows
        statusCode = status;
        headers = responseHeaders as BufferedResponse["headers"];
        chunks = [];
        whole = undefined;
        bytes = 0;
        expected = status === 200 ? contentLength(headers) : undefined;
        const waiting = options.beforeBody?.(status, headers);
        if (!waiting) return;
        started.pause();
        waiting.then(
          () => started.resume(),
          (error: unknown) => started.abort(error instanceof Error ? error : new Error(String(error))),
        );
      },
      onResponseData(started, chunk) {
        if (statusCode !== 200 && statusCode !== 206 && bytes >= ERROR_BODY_BYTES) return;
        if (whole && bytes + chunk.length <= whole.length) chunk.copy(whole, bytes);
        else if (expected !== undefined && bytes === 0 && chunk.length < expected) {
          whole = Buffer.allocUnsafe(expected);
          chunk.copy(whole, 0);
        } else {
          // The whole body in one piece, a body of unknown size, or more than was declared (its
          // length check fails later): kept as pieces.
          if (whole) chunks.push(whole.subarray(0, bytes));
          whole = undefined;
          chunks.push(chunk);
        }
        bytes += chunk.length;
        if (statusCode !== 200 || !options.whileReading) return;
        const waiting = options.whileReading(bytes);
        if (!waiting) return;
        // Pieces may still arrive while paused: resume only once every wait is over.
        pending++;
        started.pause();
        waiting.then(
          () => {
            if (--pending === 0) started.resume();
          },
          (error: unknown) => started.abort(error instanceof Error ? error : new Error(String(error))),
        );
      },
      onResponseEnd() {
        unwatch?.();
        const body = whole
          ? bytes === whole.length
            ? whole
            : whole.subarray(0, bytes)
          : chunks.length === 1
            ? chunks[0]!
            : Buffer.concat(chunks, bytes);
        resolve({ statusCode, headers, body });
      },
      onResponseError(_controller, error) {
        unwatch?.();
        reject(error);
      },
    };
    try {
      dispatcher.dispatch(request, handler);
    } catch (error) {
      unwatch?.();
      reject(error);
    }
  });
}

/** Bytes a response declares in Content-Length; undefined when absent or not a plain number. */
function contentLength(headers: BufferedResponse["headers"]): number | undefined {
  const value = headers["content-length"];
  return typeof value === "string" && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

/**
 * The requests in flight on each signal: one listener per signal aborts them all. A listener per
 * request would be added and removed on every GET of a run that is almost never aborted.
 */
const watched = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `onAbort` if `signal` aborts before the returned function is called. */
function watchAbort(signal: AbortSignal, onAbort: () => void): () => void {
  let callbacks = watched.get(signal);
  if (!callbacks) {
    const set = new Set<() => void>();
    callbacks = set;
    watched.set(signal, set);
    signal.addEventListener(
      "abort",
      () => {
        for (const callback of [...set]) callback();
        set.clear();
      },
      { once: true },
    );
  }
  const set = callbacks;
  set.add(onAbort);
  return () => set.delete(onAbort);
}
