import { createHash, createHmac } from "node:crypto";
import { describe, expect, test } from "vitest";
import { encodeKeyPath, signV4 } from "./sigv4.ts";

// The "GET Object" example of the S3 SigV4 documentation (Authenticating Requests: Using the
// Authorization Header), with its published signature.
const EXAMPLE_CREDENTIALS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

describe("signV4()", () => {
  test("reproduces AWS's published GET Object example", () => {
    const headers = signV4(
      { method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt", headers: { range: "bytes=0-9" } },
      {
        credentials: EXAMPLE_CREDENTIALS,
        region: "us-east-1",
        date: new Date("2013-05-24T00:00:00Z"),
        payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      },
    );
    expect(headers.authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
    expect(headers["x-amz-date"]).toBe("20130524T000000Z");
    expect(headers.host).toBeUndefined();
  });

  test("reproduces AWS's published ListObjects example (query string)", () => {
    const headers = signV4(
      { method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/", query: { "max-keys": "2", prefix: "J" } },
      {
        credentials: EXAMPLE_CREDENTIALS,
        region: "us-east-1",
        date: new Date("2013-05-24T00:00:00Z"),
        payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      },
    );
    expect(headers.authorization).toContain(
      "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
    );
  });

  test("signs a GET without extra headers as the SDK's signer does, with and without a session token", async () => {
    // The usual GET takes a path of its own (fixed signed names): held to the SDK's SignatureV4.
    const { SignatureV4 } = await import("@smithy/signature-v4");
    // SignatureV4 takes a hash constructor (an HMAC when given a secret).
    class Sha256 {
      #hash;
      constructor(secret?: string | Uint8Array) {
        this.#hash = secret === undefined ? createHash("sha256") : createHmac("sha256", secret);
      }
      update(data: string | Uint8Array) {
        this.#hash.update(data);
      }
      async digest() {
        return new Uint8Array(this.#hash.digest());
      }
      reset() {}
    }
    const date = new Date("2026-12-05T01:02:03Z");
    for (const credentials of [EXAMPLE_CREDENTIALS, { ...EXAMPLE_CREDENTIALS, sessionToken: "to  ken" }]) {
      const ours = signV4(
        { method: "GET", host: "127.0.0.1:4611", path: "/v3.0-summaries/097/0000-0002-1825-0097.xml" },
        { credentials, region: "eu-west-1", date },
      );
      const sdk = await new SignatureV4({ credentials, region: "eu-west-1", service: "s3", sha256: Sha256 }).sign(
        {
          method: "GET",
          protocol: "http:",
          hostname: "127.0.0.1",
          port: 4611,
          path: "/v3.0-summaries/097/0000-0002-1825-0097.xml",
          headers: { host: "127.0.0.1:4611", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
        },
        { signingDate: date },
      );
      expect(ours.authorization).toBe(sdk.headers.authorization);
    }
  });

  test("dates each request by its own second", () => {
    const sign = (iso: string) =>
      signV4(
        { method: "GET", host: "h", path: "/b/k" },
        { credentials: EXAMPLE_CREDENTIALS, region: "us-east-1", date: new Date(iso) },
      )["x-amz-date"];
    expect(sign("2026-12-01T10:00:00.100Z")).toBe("20261201T100000Z");
    expect(sign("2026-12-01T10:00:00.900Z")).toBe("20261201T100000Z");
    expect(sign("2026-12-01T10:00:01.000Z")).toBe("20261201T100001Z");
    expect(sign("2013-05-24T00:00:00.000Z")).toBe("20130524T000000Z");
  });

  test("adds the session token of temporary credentials to the signed headers", () => {
    const headers = signV4(
      { method: "GET", host: "h", path: "/b/k" },
      { credentials: { ...EXAMPLE_CREDENTIALS, sessionToken: "token" }, region: "eu-west-1" },
    );
    expect(headers["x-amz-security-token"]).toBe("token");
    expect(headers.authorization).toContain("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
    expect(headers["x-amz-content-sha256"]).toBe("UNSIGNED-PAYLOAD");
  });
});

describe("encodeKeyPath()", () => {
  test("leaves a key of unreserved characters as it is", () => {
    expect(encodeKeyPath("097/0000-0002-1825-0097/works/0000-0002-1825-0097_works_1.xml")).toBe(
      "097/0000-0002-1825-0097/works/0000-0002-1825-0097_works_1.xml",
    );
    expect(encodeKeyPath("a~b._-/c")).toBe("a~b._-/c");
    expect(encodeKeyPath("a/é")).toBe("a/%C3%A9");
    expect(encodeKeyPath("a/b*")).toBe("a/b%2A");
  });

  test("encodes each segment and keeps the slashes", () => {
    expect(encodeKeyPath("097/0000-0002-1825-0097/works/a b+c(1).xml")).toBe(
      "097/0000-0002-1825-0097/works/a%20b%2Bc%281%29.xml",
    );
  });
});
