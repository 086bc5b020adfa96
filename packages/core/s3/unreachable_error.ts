/** A server that never answered: a wrong endpoint, region or network rather than a passing fault. */
import { unreachableAdvice } from "./aws_advice.ts";

/** Errors raised before any response: no connection, no name, no trusted certificate. */
const CONNECT_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * A connection failure to a server that has not answered once in this run. It keeps the original
 * `code` (so a refused connection is still retried: the server may be starting), and
 * `classifyError` marks it fatal: once the retries run out, the run stops with this message
 * instead of failing every item the same way.
 */
export class UnreachableError extends Error {
  override name = "UnreachableError";
  readonly code: string;
  readonly unreachable = true;
  constructor(message: string, code: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * `error` as an {@linkcode UnreachableError} when it is a connection failure, else `error` itself.
 *
 * @example
 * ```ts
 * throw asUnreachable(error, "http://127.0.0.1:4568", true);
 * ```
 */
export function asUnreachable(error: unknown, origin: string, endpointGiven: boolean): unknown {
  const e = error as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  const code = typeof e?.code === "string" ? e.code : typeof e?.cause?.code === "string" ? e.cause.code : undefined;
  if (code === undefined || !CONNECT_CODES.has(code)) return error;
  const detail = typeof e?.message === "string" && e.message.length > 0 ? e.message : code;
  return new UnreachableError(
    `Cannot connect to ${origin} (${detail}): ${unreachableAdvice(origin, endpointGiven)}`,
    code,
    { cause: error },
  );
}
