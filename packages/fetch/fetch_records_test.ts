import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BufferedResponse, KeyRecord, PipelineRecord, S3Access } from "@orcid-sync/core";
import { describe, expect, test } from "vitest";
import { fetchRecords } from "./fetch_records.ts";
import { scratchDir } from "../core/testdata/scratch_dir.ts";

const SIZE = 100;

function keyRecord(n: number): KeyRecord {
  return { type: "key", bucket: "summaries", key: `key-${n}`, orcid: "0000-0002-1825-0097", kind: "summary" };
}

type BeforeBody = (status: number, headers: BufferedResponse["headers"]) => Promise<void> | undefined;

/**
 * An S3Access whose responses wait until the test lets their headers arrive (`arrive(key)`), then,
 * like the real one, read the body only once `beforeBody` has settled.
 */
function orderedS3() {
  const body = Buffer.alloc(SIZE, "x");
  const headers = { "content-length": String(SIZE), etag: `"${createHash("md5").update(body).digest("hex")}"` };
  const gates = new Map<string, () => void>();
  const asked: string[] = [];
  const s3 = {
    async requestBuffered(_bucket: string, key: string, options: { beforeBody?: BeforeBody } = {}) {
      asked.push(key);
      await new Promise<void>((resolve) => gates.set(key, resolve));
      await options.beforeBody?.(200, headers);
      return { statusCode: 200, headers, body };
    },
  } as unknown as S3Access;
  const arrive = async (key: string) => {
    gates.get(key)!();
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  };
  return { s3, asked, arrive };
}

async function* from(records: readonly PipelineRecord[]) {
  yield* records;
}

describe("fetchRecords()", () => {
  test("lets the head of the line through when its headers come after later ones filled the budget", async () => {
    const { s3, asked, arrive } = orderedS3();
    const keys = [0, 1, 2, 3].map(keyRecord);
    // Room for two bodies; four GETs at once.
    const results = fetchRecords(from(keys), { s3, concurrency: 4, maxBytesInFlight: 2 * SIZE });
    const first = results.next();
    while (asked.length < 4) await new Promise((resolve) => setImmediate(resolve));
    await arrive("key-1");
    await arrive("key-2"); // the budget is full, held by bodies behind the head
    await arrive("key-3"); // waits for room
    await arrive("key-0"); // the head: must not wait behind key-3, or nothing ever moves again

    const timeout = new Promise<"stuck">((resolve) => setTimeout(() => resolve("stuck"), 2000).unref());
    const head = await Promise.race([first, timeout]);
    expect(head).not.toBe("stuck");
    const seen: string[] = [];
    if (head !== "stuck" && !head.done) {
      seen.push((head.value.record as { key: string }).key);
      head.value.release();
    }
    for await (const { record, release } of results) {
      seen.push((record as { key: string }).key);
      release();
    }
    expect(seen).toEqual(["key-0", "key-1", "key-2", "key-3"]);
  });

  test("with skipUnchanged, refuses a key that leads out of the mirror without a request: no MD5 of a file outside goes upstream", async () => {
    const base = scratchDir("fetch-records-");
    const mirror = join(base, "mirror");
    mkdirSync(join(mirror, "summaries"), { recursive: true });
    writeFileSync(join(base, "secret.xml"), "a file outside the mirror");
    const sent: { key: string; headers: Record<string, string> }[] = [];
    const s3 = {
      async requestBuffered(_bucket: string, key: string, options: { headers?: Record<string, string> } = {}) {
        sent.push({ key, headers: options.headers ?? {} });
        return { statusCode: 404, headers: {}, body: Buffer.alloc(0) };
      },
    } as unknown as S3Access;
    const hostile: KeyRecord = {
      type: "key",
      bucket: "v3.0-summaries",
      key: "../../secret.xml",
      orcid: "0000-0002-1825-0097",
      kind: "summary",
    };
    const out: PipelineRecord[] = [];
    for await (const { record } of fetchRecords(from([hostile]), {
      s3,
      concurrency: 2,
      maxBytesInFlight: 1000,
      skipUnchanged: mirror,
    }))
      out.push(record as PipelineRecord);
    expect(sent).toEqual([]);
    expect(out).toEqual([
      expect.objectContaining({ type: "error", tool: "orcid-fetch", code: "InvalidKey", key: "../../secret.xml" }),
    ]);
  });

  test("asBytes: an object downloaded because its file was absent or different says so (differs); without a mirror it does not", async () => {
    const mirror = scratchDir("fetch-records-");
    const body = Buffer.from("<record/>");
    const s3 = {
      async requestBuffered() {
        return {
          statusCode: 200,
          headers: { "content-length": String(body.length), etag: `"${createHash("md5").update(body).digest("hex")}"` },
          body,
        };
      },
    } as unknown as S3Access;
    const record: KeyRecord = { ...keyRecord(0), key: "097/0000-0002-1825-0097.xml", size: body.length };
    const fetched = async (options: { skipUnchanged?: string; asBytes?: boolean }) => {
      const out: unknown[] = [];
      for await (const { record: r } of fetchRecords(from([record]), {
        s3,
        concurrency: 1,
        maxBytesInFlight: 1000,
        ...options,
      }))
        out.push(r);
      return out[0] as { type: string; differs?: boolean };
    };
    expect(await fetched({ skipUnchanged: mirror, asBytes: true })).toMatchObject({ type: "object", differs: true });
    expect((await fetched({ asBytes: true })).differs).toBeUndefined();
    expect((await fetched({ skipUnchanged: mirror })).differs).toBeUndefined();
  });
});
