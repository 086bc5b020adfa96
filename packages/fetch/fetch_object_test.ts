import { createHash } from "node:crypto";
import type { BufferedResponse, KeyRecord, S3Access } from "@orcid-sync/core";
import { describe, expect, test } from "vitest";
import { fetchObject } from "./fetch_object.ts";

const KEY: KeyRecord = {
  type: "key",
  bucket: "v3.0-summaries",
  key: "097/0000-0002-1825-0097.xml",
  orcid: "0000-0002-1825-0097",
  kind: "summary",
};
const BODY = Buffer.from("<record/>");

/**
 * An S3Access whose buffered GET answers `status` and, like the real one, reads the body only
 * after `beforeBody` has settled; `events` tells the order of what happened.
 */
function stubS3(status: number, events: string[]): S3Access {
  const headers = {
    "content-length": String(BODY.length),
    etag: `"${createHash("md5").update(BODY).digest("hex")}"`,
    "last-modified": "Fri, 20 Nov 2026 10:00:00 GMT",
  };
  return {
    async requestBuffered(
      _bucket: string,
      _key: string,
      options: {
        beforeBody?: (status: number, headers: BufferedResponse["headers"]) => Promise<void> | undefined;
      } = {},
    ) {
      events.push("headers");
      const waiting = options.beforeBody?.(status, headers);
      if (waiting) {
        events.push("paused");
        await waiting;
      }
      events.push("body read");
      return { statusCode: status, headers, body: status === 200 ? BODY : Buffer.alloc(0) };
    },
  } as unknown as S3Access;
}

describe("fetchObject()", () => {
  test("reserves the body's size before the body is read, and waits for the reservation", async () => {
    const events: string[] = [];
    let grant!: () => void;
    const outcome = fetchObject(stubS3(200, events), KEY, {
      reserve: (bytes) => {
        events.push(`reserve ${bytes}`);
        return new Promise<void>((resolve) => (grant = resolve));
      },
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(["headers", `reserve ${BODY.length}`, "paused"]);
    grant();
    expect(await outcome).toMatchObject({
      type: "object",
      body: "<record/>",
      size: BODY.length,
      lastModified: "2026-11-20T10:00:00.000Z",
    });
    expect(events.at(-1)).toBe("body read");
  });

  test("does not pause when the reservation is granted at once", async () => {
    const events: string[] = [];
    const outcome = await fetchObject(stubS3(200, events), KEY, { reserve: () => undefined });
    expect(outcome.type).toBe("object");
    expect(events).toEqual(["headers", "body read"]);
  });

  test("reserves nothing for a 404 or a 304", async () => {
    for (const [status, type] of [
      [404, "missing"],
      [304, "unchanged"],
    ] as const) {
      const reserved: number[] = [];
      const outcome = await fetchObject(stubS3(status, []), KEY, { reserve: (bytes) => void reserved.push(bytes) });
      expect(outcome.type).toBe(type);
      expect(reserved).toEqual([]);
    }
  });

  test("retries a body that does not match its ETag, then reports it", async () => {
    let gets = 0;
    const s3 = {
      async requestBuffered() {
        gets++;
        const body = Buffer.from("<record/>");
        return {
          statusCode: 200,
          headers: {
            "content-length": String(body.length),
            etag: `"${createHash("md5").update("<other/>").digest("hex")}"`,
          },
          body,
        };
      },
    } as unknown as S3Access;
    const outcome = await fetchObject(s3, KEY, { attempts: 2, minDelayMs: 1 });
    expect(outcome).toMatchObject({ type: "error", code: "Integrity", attempts: 2 });
    expect(gets).toBe(2);
  });

  test.each([
    [
      "SSE-KMS",
      {
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:eu-west-1:1:key/k",
      },
    ],
    ["SSE-KMS (dual-layer)", { "x-amz-server-side-encryption": "aws:kms:dsse" }],
    [
      "SSE-C",
      {
        "x-amz-server-side-encryption-customer-algorithm": "AES256",
        "x-amz-server-side-encryption-customer-key-md5": "q1w2e3==",
      },
    ],
  ])(
    "checks an object encrypted with %s by length only (its ETag is not an MD5), and counts it",
    async (_name, sse) => {
      const body = Buffer.from("<record/>");
      // An MD5-shaped ETag that is not the body's MD5, as S3 gives for these objects.
      const etag = createHash("md5").update("something else").digest("hex");
      const s3 = {
        async requestBuffered() {
          return {
            statusCode: 200,
            headers: { "content-length": String(body.length), etag: `"${etag}"`, ...sse },
            body,
          };
        },
      } as unknown as S3Access;
      let lengthOnly = 0;
      const outcome = await fetchObject(s3, KEY, { attempts: 2, minDelayMs: 1, onLengthOnly: () => lengthOnly++ });
      expect(outcome).toMatchObject({ type: "object", etag, size: body.length, body: "<record/>" });
      expect(lengthOnly).toBe(1);

      // The length is still checked.
      const short = {
        async requestBuffered(
          _bucket: string,
          _key: string,
          options: { beforeBody?: (s: number, h: BufferedResponse["headers"]) => Promise<void> | undefined } = {},
        ) {
          const headers = { "content-length": String(body.length + 5), etag: `"${etag}"`, ...sse };
          await options.beforeBody?.(200, headers);
          return { statusCode: 200, headers, body };
        },
      } as unknown as S3Access;
      expect(await fetchObject(short, KEY, { attempts: 2, minDelayMs: 1 })).toMatchObject({
        type: "error",
        code: "Integrity",
      });
    },
  );

  test("holds a body without Content-Length to the budget as it arrives", async () => {
    const pieces = [Buffer.from("<rec"), Buffer.from("ord"), Buffer.from("/>")];
    const events: string[] = [];
    const s3 = {
      async requestBuffered(
        _bucket: string,
        _key: string,
        options: {
          beforeBody?: (s: number, h: BufferedResponse["headers"]) => Promise<void> | undefined;
          whileReading?: (n: number) => Promise<void> | undefined;
        } = {},
      ) {
        const headers = { etag: `"${createHash("md5").update("<record/>").digest("hex")}"` };
        await options.beforeBody?.(200, headers);
        let received = 0;
        for (const piece of pieces) {
          received += piece.length;
          events.push(`piece ${received}`);
          await options.whileReading?.(received);
        }
        return { statusCode: 200, headers, body: Buffer.concat(pieces) };
      },
    } as unknown as S3Access;
    const outcome = await fetchObject(s3, KEY, {
      reserve: (bytes) => {
        events.push(`reserve ${bytes}`);
        return Promise.resolve();
      },
    });
    expect(outcome).toMatchObject({ type: "object", body: "<record/>" });
    expect(events).toEqual(["piece 4", "reserve 4", "piece 7", "reserve 7", "piece 9", "reserve 9"]);
  });
});
