/**
 * An object's bytes as a stream that survives a dropped connection: on a retriable failure it asks
 * again for the rest (`Range`, pinned to the first ETag with `If-Match`) and carries on where it
 * stopped, so a long download never starts over.
 */
import { classifyError, DEFAULT_ATTEMPTS, retryS3, type S3Access, s3ErrorFrom } from "@orcid-sync/core";

/** Options for {@linkcode objectChunks}. */
export interface ObjectChunksOptions {
  readonly signal?: AbortSignal;
  /** Attempts per request. Default {@linkcode DEFAULT_ATTEMPTS}. */
  readonly attempts?: number;
  /** Called with the running byte count (for progress and measurements). */
  readonly onBytes?: (total: number) => void;
  readonly onRetry?: (error: unknown) => void;
}

/** Yields the bytes of `s3://bucket/key`. Errors that retrying cannot fix are thrown at once. */
export async function* objectChunks(
  s3: S3Access,
  bucket: string,
  key: string,
  options: ObjectChunksOptions = {},
): AsyncGenerator<Uint8Array> {
  const what = `s3://${bucket}/${key}`;
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  let received = 0;
  let etag: string | undefined;
  for (let resumed = 0; ; resumed++) {
    const response = await retryS3(
      async () => {
        const headers: Record<string, string> =
          received > 0 ? { range: `bytes=${received}-`, ...(etag ? { "if-match": etag } : {}) } : {};
        const r = await s3.request(bucket, key, { headers, ...(options.signal ? { signal: options.signal } : {}) });
        if (r.statusCode === 200 || r.statusCode === 206) return r;
        throw await s3ErrorFrom(r, `Cannot read ${what}`);
      },
      {
        attempts,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      },
    );
    if (received > 0 && response.statusCode !== 206) {
      response.body.destroy();
      throw new Error(`Cannot resume ${what}: the server ignored the range request`);
    }
    etag ??= typeof response.headers.etag === "string" ? response.headers.etag : undefined;
    try {
      for await (const chunk of response.body) {
        received += (chunk as Uint8Array).length;
        options.onBytes?.(received);
        yield chunk as Uint8Array;
      }
      return;
    } catch (error) {
      if (options.signal?.aborted || !classifyError(error).retryable || resumed + 1 >= attempts) {
        throw error;
      }
      options.onRetry?.(error);
    } finally {
      response.body.destroy();
    }
  }
}
