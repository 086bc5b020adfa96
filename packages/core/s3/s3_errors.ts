/** Telling transient S3 and network failures from permanent ones. */

/** How a failure should be handled. */
export interface ErrorClass {
  /** A stable code for error records: the S3 code, the errno, or the HTTP status. */
  readonly code: string;
  /** Worth another attempt after a pause. */
  readonly retryable: boolean;
  /**
   * Ends the whole run (bad credentials, no such bucket, a server that never answered): going on
   * cannot help. With `retryable` too, only once the retries have run out.
   */
  readonly fatal: boolean;
}

const RETRYABLE_CODES = new Set([
  "SlowDown",
  "InternalError",
  "ServiceUnavailable",
  "RequestTimeout",
  "RequestTimeoutException",
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "BandwidthLimitExceeded",
  "IntegrityError",
  "IncompleteListing",
  "TimeoutError",
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
  "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH",
]);

const FATAL_CODES = new Set([
  "AccessDenied",
  "AllAccessDisabled",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidToken",
  "TokenRefreshRequired",
  "CredentialsProviderError",
  "NoSuchBucket",
  "PermanentRedirect",
  "AuthorizationHeaderMalformed",
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  statusCode?: unknown;
  cause?: unknown;
  unreachable?: unknown;
}

/**
 * Classifies an error from the SDK, undici or our own checks. Throttling, 5xx, resets, timeouts and
 * integrity failures retry; bad or expired credentials, 403 and a missing bucket are fatal; other
 * 4xx are permanent failures of one item. A connection failure to a server that never answered
 * (`UnreachableError`) is retried, then fatal.
 *
 * @example
 * ```ts
 * classifyError(Object.assign(new Error("x"), { code: "ECONNRESET" })); // { code: "ECONNRESET", retryable: true, fatal: false }
 * ```
 */
export function classifyError(error: unknown): ErrorClass {
  const e = (error ?? {}) as ErrorLike;
  const cause = (e.cause ?? {}) as ErrorLike;
  const status = Number(e.$metadata?.httpStatusCode ?? e.statusCode ?? NaN);
  const named = [e.code, e.Code, cause.code, e.name].find(
    (v) => typeof v === "string" && v !== "Error" && v.length > 0,
  );
  const code = typeof named === "string" ? named : Number.isNaN(status) ? "Unknown" : String(status);
  if (FATAL_CODES.has(code) || status === 403 || status === 401) return { code, retryable: false, fatal: true };
  // A server that has never answered (UnreachableError): the endpoint, region or network is wrong.
  const unreachable = e.unreachable === true || cause.unreachable === true;
  if (RETRYABLE_CODES.has(code) || status >= 500 || status === 429)
    return { code, retryable: true, fatal: unreachable };
  return { code, retryable: false, fatal: unreachable };
}

/** Whether an error is worth another attempt; for `retry({ isRetriable })`. */
export function isRetriableError(error: unknown): boolean {
  return classifyError(error).retryable;
}
