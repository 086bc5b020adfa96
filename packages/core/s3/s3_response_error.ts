/** Turning an S3 error response of a hand-built request into an error the classifier understands. */
import type { Dispatcher } from "undici";
import { regionAdvice } from "./aws_advice.ts";

/** An S3 error: `name` is the S3 code (`AccessDenied`, `NoSuchKey`, `SlowDown`), with the HTTP status. */
export class S3ResponseError extends Error {
  override name: string;
  readonly $metadata: { readonly httpStatusCode: number };
  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode: status };
  }
}

const STATUS_CODES: Record<number, string> = {
  301: "PermanentRedirect",
  304: "NotModified",
  400: "BadRequest",
  403: "AccessDenied",
  404: "NotFound",
  412: "PreconditionFailed",
  416: "InvalidRange",
  429: "SlowDown",
  500: "InternalError",
  503: "ServiceUnavailable",
};

/**
 * Reads an error response's body (S3's `<Error><Code>…</Code><Message>…</Message></Error>`, at most
 * 64 KiB) and returns the error, for `s3://bucket/key` in messages.
 */
export async function s3ErrorFrom(response: Dispatcher.ResponseData, what: string): Promise<S3ResponseError> {
  let text = "";
  try {
    for await (const chunk of response.body) {
      text += String(chunk);
      if (text.length > 65_536) break;
    }
  } catch {
    // the body is only for the message
  } finally {
    response.body.destroy();
  }
  return s3ErrorFromBody(response.statusCode, text, what, response.headers);
}

/**
 * The error of a response whose body has been read (`requestBuffered`). An error that names the
 * wrong region says which region to pass (`regionAdvice`).
 *
 * @example
 * ```ts
 * throw s3ErrorFromBody(403, "<Error><Code>AccessDenied</Code></Error>", "Cannot get s3://b/k");
 * ```
 */
export function s3ErrorFromBody(
  statusCode: number,
  body: string | Buffer,
  what: string,
  headers: Readonly<Record<string, string | string[] | undefined>> = {},
): S3ResponseError {
  const text = typeof body === "string" ? body : body.toString("utf8", 0, Math.min(body.length, 65_536));
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? STATUS_CODES[statusCode] ?? `Http${statusCode}`;
  const detail = /<Message>([^<]+)<\/Message>/.exec(text)?.[1];
  const advice = regionAdvice(code, text, headers);
  return new S3ResponseError(
    code,
    statusCode,
    `${what}: ${code}${detail ? ` (${detail})` : ""}${advice ? `: ${advice}` : ""}`,
  );
}
