/** One GET: retries, integrity checks, and the record that says what happened. */
import { hash } from "node:crypto";
import { isUtf8 } from "node:buffer";
import {
  classifyError,
  describeError,
  attemptsMade,
  type ErrorRecord,
  errorRecord,
  FatalError,
  type FetchedObject,
  type KeyRecord,
  type MissingRecord,
  type ObjectRecord,
  retryS3,
  RetryError,
  type S3Access,
  s3ErrorFromBody,
  type UnchangedRecord,
} from "@orcid-sync/core";
import { isoOfHttpDate } from "./http_date.ts";

const TOOL = "orcid-fetch";

/** A body that does not match its length or its ETag: retried like a network error. */
export class IntegrityError extends Error {
  override name = "IntegrityError";
  readonly code = "IntegrityError";
}

/** Options for {@linkcode fetchObject}. */
export interface FetchObjectOptions {
  /** Attempts in all. Default: the S3 retry policy's (core `DEFAULT_ATTEMPTS`). */
  readonly attempts?: number;
  /** Smallest backoff ceiling in ms. Default 100. */
  readonly minDelayMs?: number;
  /** Send If-None-Match with this MD5: a 304 becomes an `unchanged` record. */
  readonly ifNoneMatch?: string;
  readonly signal?: AbortSignal;
  /** Called before each retry. */
  readonly onRetry?: (error: unknown) => void;
  /**
   * Called once the body's size is known, before it is read: undefined when it may be held at
   * once, or a promise that resolves when it may (the response waits, paused, meanwhile).
   */
  readonly reserve?: (bytes: number) => Promise<void> | undefined;
  /** Called for an object whose ETag is not its MD5 (SSE-KMS, SSE-C, multipart): only its length was checked. */
  readonly onLengthOnly?: () => void;
  /**
   * Keep the body as the bytes that came (a {@linkcode FetchedObject}), for a caller that only
   * writes them: no UTF-8 check, no decoding, no base64. Default false: a record for the pipe.
   */
  readonly asBytes?: boolean;
}

/** The outcome of one key. */
export type FetchOutcome = ObjectRecord | FetchedObject | MissingRecord | UnchangedRecord | ErrorRecord;

/** Bytes a response's body will hold, from Content-Length. */
function declaredLength(headers: Record<string, string | string[] | undefined>): number | undefined {
  const value = headers["content-length"];
  return typeof value === "string" && /^\d+$/.test(value) ? Number(value) : undefined;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Whether S3's ETag of this response is the MD5 of its bytes. It is not for an object encrypted
 * with a KMS key (`x-amz-server-side-encryption: aws:kms` or `aws:kms:dsse`) or with the
 * customer's key (SSE-C: the customer-algorithm header), nor for a multipart one (`<hex>-<parts>`).
 */
function etagIsMd5(etag: string, headers: Record<string, string | string[] | undefined>): boolean {
  if (!/^[0-9a-f]{32}$/.test(etag)) return false;
  const sse = header(headers, "x-amz-server-side-encryption");
  return (
    !sse?.startsWith("aws:kms") && header(headers, "x-amz-server-side-encryption-customer-algorithm") === undefined
  );
}

/**
 * Downloads one object. 404 is a `missing` record and 304 an `unchanged` one; 5xx, throttling,
 * resets, timeouts, short bodies and MD5 mismatches are retried with backoff and become an error
 * record when the attempts run out; bad credentials or a refused request (403) throw a
 * {@linkcode FatalError}: retrying or going on cannot help.
 */
export async function fetchObject(
  s3: S3Access,
  record: KeyRecord,
  options: FetchObjectOptions = {},
): Promise<FetchOutcome> {
  const { bucket, key, orcid, kind } = record;
  try {
    return await retryS3(
      async () => {
        const headers: Record<string, string> | undefined = options.ifNoneMatch
          ? { "if-none-match": `"${options.ifNoneMatch}"` }
          : undefined;
        let length: number | undefined;
        const response = await s3.requestBuffered(bucket, key, {
          headers,
          signal: options.signal,
          // The body is read only once the budget can hold it.
          beforeBody: (status, responseHeaders) => {
            if (status !== 200) return undefined;
            length = declaredLength(responseHeaders);
            return length !== undefined && options.reserve ? options.reserve(length) : undefined;
          },
          // Without a Content-Length, the budget grows with the body as it arrives.
          whileReading: (received) => (length === undefined && options.reserve ? options.reserve(received) : undefined),
        });
        if (response.statusCode === 404) return { type: "missing", bucket, key, orcid, kind } satisfies MissingRecord;
        if (response.statusCode === 304)
          return { type: "unchanged", bucket, key, orcid, kind } satisfies UnchangedRecord;
        if (response.statusCode !== 200)
          throw s3ErrorFromBody(
            response.statusCode,
            response.body,
            `Cannot get s3://${bucket}/${key}`,
            response.headers,
          );
        const body = response.body;
        if (length !== undefined && body.length !== length) {
          throw new IntegrityError(`Body of s3://${bucket}/${key} has ${body.length} of ${length} bytes`);
        }
        const etag = unquoted(header(response.headers, "etag") ?? "");
        if (etagIsMd5(etag, response.headers)) {
          const md5 = hash("md5", body, "hex");
          if (md5 !== etag)
            throw new IntegrityError(`Body of s3://${bucket}/${key} does not match its ETag (MD5 ${md5})`);
        } else {
          // SSE-KMS, SSE-C (an MD5-shaped ETag that is not one) or multipart: the length is all there is to check.
          options.onLengthOnly?.();
        }
        const modified = header(response.headers, "last-modified");
        const lastModified = modified ? isoOfHttpDate(modified) : undefined;
        if (options.asBytes) {
          const fetched: { -readonly [F in keyof FetchedObject]: FetchedObject[F] } = {
            type: "object",
            bucket,
            key,
            orcid,
            kind,
            body,
            etag,
            size: body.length,
          };
          if (lastModified !== undefined) fetched.lastModified = lastModified;
          return fetched;
        }
        const utf8 = isUtf8(body);
        return {
          type: "object",
          bucket,
          key,
          orcid,
          kind,
          body: body.toString(utf8 ? "utf8" : "base64"),
          ...(utf8 ? {} : { encoding: "base64" as const }),
          etag,
          size: body.length,
          ...(lastModified !== undefined ? { lastModified } : {}),
        } satisfies ObjectRecord;
      },
      {
        attempts: options.attempts,
        minDelayMs: options.minDelayMs ?? 100,
        signal: options.signal,
        onRetry: options.onRetry,
      },
    );
  } catch (error) {
    const cause = error instanceof RetryError ? error.cause : error;
    const { code, retryable, fatal } = classifyError(cause);
    if (fatal) throw new FatalError(describeError(cause));
    if (options.signal?.aborted) throw error;
    const attempts = attemptsMade(error);
    const message = `${describeError(cause)}${attempts > 1 ? ` (after ${attempts} attempts)` : ""}`;
    // The error names the object as fetch's other records do (its kind included).
    return {
      ...errorRecord({
        tool: TOOL,
        op: "get",
        message,
        code: code === "IntegrityError" ? "Integrity" : code,
        retryable,
        attempts,
      }),
      ...{ bucket, key, orcid, kind },
    };
  }
}

/** An ETag without its quotes (S3 sends `"<hex>"`). */
function unquoted(etag: string): string {
  return etag.length >= 2 && etag.charCodeAt(0) === 0x22 && etag.indexOf('"', 1) === etag.length - 1
    ? etag.slice(1, -1)
    : etag.replaceAll('"', "");
}
