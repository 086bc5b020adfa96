/** Listing a bucket prefix page by page through the SDK (loaded on first use). */
import type { S3Access } from "./s3_client.ts";

/** One listed object. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  /** Without quotes. */
  readonly etag: string;
  /** ISO 8601 UTC. */
  readonly lastModified: string;
}

/** Options for {@linkcode listObjects}. */
export interface ListObjectsOptions {
  /** Keys per page, at most 1000. Default 1000. */
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
}

/**
 * Yields the objects under `prefix` a page at a time, in key order. The SDK retries each page on
 * throttling, 5xx and network errors; what is left is thrown.
 *
 * @example
 * ```ts
 * for await (const page of listObjects(s3, "v3.0-activities-b", "097/0000-0002-1825-0097/")) …
 * ```
 */
export async function* listObjects(
  s3: S3Access,
  bucket: string,
  prefix: string,
  options: ListObjectsOptions = {},
): AsyncGenerator<ListedObject[]> {
  const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
  const client = await s3.client(bucket);
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: options.pageSize ?? 1000, ContinuationToken: token }),
      options.signal ? { abortSignal: options.signal } : {},
    );
    yield (page.Contents ?? []).map((object) => ({
      key: object.Key ?? "",
      size: object.Size ?? 0,
      etag: (object.ETag ?? "").replaceAll('"', ""),
      lastModified: (object.LastModified ?? new Date(0)).toISOString(),
    }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
