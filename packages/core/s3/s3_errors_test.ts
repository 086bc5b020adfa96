import { describe, expect, test } from "vitest";
import { classifyError } from "./s3_errors.ts";

const s3Error = (name: string, status: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
const netError = (code: string) => Object.assign(new Error(code), { code });

describe("classifyError()", () => {
  test.each([
    [s3Error("SlowDown", 503), "SlowDown"],
    [s3Error("InternalError", 500), "InternalError"],
    [s3Error("ServiceUnavailable", 503), "ServiceUnavailable"],
    [s3Error("Unknown", 502), "Unknown"],
    [s3Error("ThrottlingException", 400), "ThrottlingException"],
    [netError("ECONNRESET"), "ECONNRESET"],
    [netError("UND_ERR_HEADERS_TIMEOUT"), "UND_ERR_HEADERS_TIMEOUT"],
    [Object.assign(new Error("socket"), { cause: netError("ETIMEDOUT") }), "ETIMEDOUT"],
  ])("retries %s", (error, code) => {
    expect(classifyError(error)).toEqual({ code, retryable: true, fatal: false });
  });

  test.each([
    [s3Error("AccessDenied", 403)],
    [s3Error("InvalidAccessKeyId", 403)],
    [s3Error("SignatureDoesNotMatch", 403)],
    [s3Error("ExpiredToken", 400)],
    [s3Error("NoSuchBucket", 404)],
    [s3Error("Forbidden", 403)],
  ])("stops the run on %s", (error) => {
    expect(classifyError(error)).toMatchObject({ retryable: false, fatal: true });
  });

  test("treats other 4xx as a permanent failure of one item", () => {
    expect(classifyError(s3Error("NoSuchKey", 404))).toEqual({ code: "NoSuchKey", retryable: false, fatal: false });
    expect(classifyError(s3Error("InvalidArgument", 400))).toEqual({
      code: "InvalidArgument",
      retryable: false,
      fatal: false,
    });
  });
});
