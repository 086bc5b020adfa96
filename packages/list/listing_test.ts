import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { checkCharacter, DEFAULT_LAYOUT, last3, type PipelineRecord, type S3Access } from "@orcid-sync/core";
import { describe, expect, test } from "vitest";
import { listAll } from "./list_records.ts";
import { type ListedBatch, type ListingNotice, rangeGroups } from "./listing.ts";

/** A batch's records, its counts checked against them. */
function recordsOf(batch: ListedBatch): PipelineRecord[] {
  if (batch.error) {
    expect(batch.chunks).toEqual([]);
    return [batch.error];
  }
  const text = Buffer.concat(batch.chunks).toString();
  expect(text.endsWith("\n")).toBe(true);
  const records = text
    .slice(0, -1)
    .split("\n")
    .map((line) => JSON.parse(line) as PipelineRecord);
  expect(batch.lines).toBe(records.length);
  expect(batch.keys).toBe(records.filter((r) => r.type === "key").length);
  expect(batch.manifests).toBe(records.filter((r) => r.type === "manifest").length);
  expect(batch.checkpoints).toBe(records.filter((r) => r.type === "checkpoint").length);
  return records;
}

/**
 * An S3Access whose listings answer from in-memory buckets, in S3's byte order, `max-keys` a page;
 * each request's bucket and query go to `asked`.
 */
function s3Listing(buckets: Record<string, string[]>, asked: string[] = []): S3Access {
  const xmlOf = (keys: string[], next: string | undefined) =>
    `<ListBucketResult>${next ? `<NextContinuationToken>${next}</NextContinuationToken>` : ""}<KeyCount>${keys.length}</KeyCount><IsTruncated>${next !== undefined}</IsTruncated>` +
    keys
      .map(
        (key) =>
          `<Contents><Key>${key}</Key><LastModified>2026-11-20T10:00:00.000Z</LastModified><ETag>"e"</ETag><Size>1</Size></Contents>`,
      )
      .join("") +
    "</ListBucketResult>";
  return {
    request: async (bucket: string, _key: string, options: { query: Record<string, string> }) => {
      asked.push(`${bucket}?${new URLSearchParams(options.query)}`);
      const {
        prefix = "",
        "start-after": startAfter = "",
        "continuation-token": token,
        "max-keys": max = "1000",
      } = options.query;
      const after = token ?? startAfter;
      const sorted = [...buckets[bucket]!].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      const matching = sorted.filter(
        (key) => key.startsWith(prefix) && Buffer.compare(Buffer.from(key), Buffer.from(after)) > 0,
      );
      const page = matching.slice(0, Number(max));
      const next = matching.length > page.length ? page.at(-1) : undefined;
      return { statusCode: 200, body: [Buffer.from(xmlOf(page, next))] };
    },
  } as unknown as S3Access;
}

const A = "0000-0002-1825-0097";
const B = "0000-0002-7869-831X";
const work = (id: string, n: number) => `${id.slice(-3)}/${id}/works/${id}_works_${n}.xml`;

describe("rangeGroups()", () => {
  test("a stray key that S3 lists before a folder's keys is skipped and named; it never ends or completes the folder", async () => {
    const buckets = {
      s: ["097-old/x.xml", `097/${A}.xml`, "31X-old/y.xml", "31X.bak", `31X/${B}.xml`, "31Y/z.xml"],
      a: [
        work(A, 1),
        "31X-old/z.xml",
        work(B, 1),
        `31X/${B}/patents/${B}_patents_2.xml`,
        work(B, 3),
        `31X/${B}/works/notes.txt`,
        "320/x.xml",
      ],
    };
    const notices: ListingNotice[] = [];
    const records: PipelineRecord[] = [];
    const context = { s3: s3Listing(buckets), pageSize: 2, notice: (n: ListingNotice) => notices.push(n) };
    for await (const group of rangeGroups(context, {
      folders: ["097", "31X"],
      summaries: "s",
      activities: () => "a",
      done: new Set(),
    }))
      records.push(...recordsOf(group));

    expect(records.filter((r) => r.type === "error")).toEqual([]);
    expect(
      records
        .filter((r) => r.type === "key")
        .map((r) => (r as { key: string }).key)
        .sort(),
    ).toEqual(
      [
        `097/${A}.xml`,
        `31X/${B}.xml`,
        work(A, 1),
        work(B, 1),
        `31X/${B}/patents/${B}_patents_2.xml`,
        work(B, 3),
      ].sort(),
    );
    expect(records.filter((r) => r.type === "manifest")).toEqual([
      { type: "manifest", bucket: "a", orcid: A, keys: [work(A, 1)] },
      {
        type: "manifest",
        bucket: "a",
        orcid: B,
        keys: [`31X/${B}/patents/${B}_patents_2.xml`, work(B, 1), work(B, 3)],
      },
    ]);
    // Every checkpoint after the last record of its folder.
    expect(records.slice(-2)).toEqual([
      { type: "checkpoint", bucket: "s", folder: "31X" },
      { type: "checkpoint", bucket: "a", folder: "31X" },
    ]);
    expect(
      notices
        .filter((n) => n.kind === "stray")
        .map((n) => n.key)
        .sort(),
    ).toEqual(["097-old/x.xml", "31X-old/y.xml", "31X-old/z.xml", "31X.bak", `31X/${B}/works/notes.txt`].sort());
    expect(notices.filter((n) => n.kind === "new-type")).toEqual([
      { kind: "new-type", bucket: "a", key: `31X/${B}/patents/${B}_patents_2.xml`, type: "patents" },
    ]);
  });

  test("yields whole groups several to an array, and asks for no page past the run's last folder", async () => {
    const ids = ["0000-0003-0100-3097", "0000-0003-0101-1097", "0000-0003-0103-8097", "0000-0003-0104-6097", B];
    const buckets = {
      s: [...ids.map((id) => `${id.slice(-3)}/${id}.xml`), "320/x.xml", "321/y.xml", "322/z.xml"],
      a: [...ids.flatMap((id) => [work(id, 1), work(id, 2)]), "320/w.xml", "321/w.xml", "322/w.xml"],
    };
    const listing = s3Listing(buckets);
    const asked: string[] = [];
    const s3 = {
      request: (bucket: string, key: string, options: { query: Record<string, string> }) => {
        asked.push(`${bucket} ${options.query["continuation-token"] ?? options.query["start-after"] ?? ""}`);
        return listing.request(bucket, key, options as never);
      },
    } as unknown as S3Access;
    const arrays: PipelineRecord[][] = [];
    for await (const array of rangeGroups(
      { s3, pageSize: 6 },
      { folders: ["097", "31X"], summaries: "s", activities: () => "a", done: new Set() },
    ))
      arrays.push(recordsOf(array));

    const records = arrays.flat();
    expect(records.filter((r) => r.type === "manifest").map((r) => (r as { orcid: string }).orcid)).toEqual(ids);
    // Each iD's keys and its manifest come in one array: the writer keeps an array's lines together.
    for (const id of ids) {
      const holding = arrays.filter((array) => array.some((r) => "orcid" in r && r.orcid === id));
      expect(holding).toHaveLength(1);
    }
    expect(arrays.length).toBeLessThan(ids.length);
    expect(records.slice(-2)).toEqual([
      { type: "checkpoint", bucket: "s", folder: "31X" },
      { type: "checkpoint", bucket: "a", folder: "31X" },
    ]);
    // "s" holds the 5 keys of the run and "320/x.xml" in its first page of 6: no page after it.
    expect(asked.filter((a) => a.startsWith("s "))).toEqual(["s 097"]);
  });

  test("a listing that fails gives an error record and no manifest or checkpoint for the folders it did not finish", async () => {
    const s3 = s3Listing({ s: [`097/${A}.xml`, `31X/${B}.xml`], a: [work(A, 1), work(B, 1)] });
    let calls = 0;
    const failing = {
      request: async (bucket: string, key: string, options: { query: Record<string, string> }) => {
        const response = await s3.request(bucket, key, options as never);
        if (bucket !== "a" || calls++ === 0) return response;
        // The second page of "a", always cut after its first </Contents>.
        const xml = Buffer.concat(response.body as unknown as Buffer[]).toString();
        return { statusCode: 200, body: [Buffer.from(xml.slice(0, xml.indexOf("</Contents>") + 11))] };
      },
    } as unknown as S3Access;
    const records: PipelineRecord[] = [];
    for await (const group of rangeGroups(
      { s3: failing, pageSize: 1 },
      { folders: ["097", "31X"], summaries: "s", activities: () => "a", done: new Set() },
    ))
      records.push(...recordsOf(group));
    expect(records.filter((r) => r.type === "error")).toMatchObject([
      { type: "error", op: "list", code: "IncompleteListing", bucket: "a" },
    ]);
    expect(records.filter((r) => r.type === "manifest" && r.orcid === B)).toEqual([]);
    expect(records.filter((r) => r.type === "checkpoint" && r.folder === "31X")).toEqual([]);
  }, 30_000);

  test("groups waiting for the merge keep no listing page's text alive", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    // Ten runs of one folder each, whose summaries page (padded to 768 KiB: a string of that size
    // is on the heap, from about 1 MB Node makes it external) waits while its activities page is
    // asked for. Groups that kept their page through a slice of it would hold 7.5 MiB.
    const ids: string[] = [];
    for (let n = 0; ids.length < 10; n++) {
      const base = `0000${String(2_000_000 + n * 7919).padStart(11, "0")}`;
      const id = `${base.slice(0, 4)}-${base.slice(4, 8)}-${base.slice(8, 12)}-${base.slice(12)}${checkCharacter(base)}`;
      if (!ids.some((other) => other.slice(-3) === id.slice(-3))) ids.push(id);
    }
    const listing = s3Listing({ s: ids.map((id) => `${id.slice(-3)}/${id}.xml`), a: ids.map((id) => work(id, 1)) });
    const padding = `<Padding>${"x".repeat(768 * 1024)}</Padding>`;
    const asked: (() => void)[] = [];
    const s3 = {
      request: async (bucket: string, key: string, options: { query: Record<string, string> }) => {
        if (bucket === "a") await new Promise<void>((resolve) => asked.push(resolve));
        const response = (await listing.request(bucket, key, options as never)) as unknown as { body: Buffer[] };
        const xml = Buffer.concat(response.body).toString().replace("<KeyCount>", `${padding}<KeyCount>`);
        return { statusCode: 200, body: [Buffer.from(xml)] };
      },
    } as unknown as S3Access;
    gc();
    const before = process.memoryUsage().heapUsed;
    const runs = ids.map((id) =>
      rangeGroups(
        { s3, pageSize: 1000 },
        { folders: [id.slice(-3)], summaries: "s", activities: () => "a", done: new Set() },
      ),
    );
    const firsts = runs.map((run) => run.next());
    while (asked.length < ids.length) await new Promise((resolve) => setTimeout(resolve, 5));
    gc();
    const held = process.memoryUsage().heapUsed - before;
    for (const release of asked) release();
    const records: PipelineRecord[] = [];
    for (const [i, run] of runs.entries()) {
      const first = await firsts[i]!;
      if (!first.done) records.push(...recordsOf(first.value));
      for await (const batch of run) records.push(...recordsOf(batch));
    }
    expect(records.filter((r) => r.type === "manifest")).toHaveLength(ids.length);
    expect(held).toBeLessThan(ids.length * 256 * 1024);
  });
});

describe("listAll()", () => {
  /** Summary keys of `count` iDs, in S3's byte order. */
  const summaries = (count: number) =>
    Array.from({ length: count }, (_, i) => {
      const base = `0000000218${String((i * 7919) % 100_000).padStart(5, "0")}`;
      const id = `${base}${checkCharacter(base)}`.replace(/(\d{4})(?=.)/g, "$1-");
      return `${last3(id)}/${id}.xml`;
    }).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

  test("a bucket of a few pages is listed in one pass: each page asked for once, the probe's page not again", async () => {
    const keys = summaries(30);
    const asked: string[] = [];
    const options = {
      s3: s3Listing({ "v3.0-summaries": keys }, asked),
      layout: DEFAULT_LAYOUT,
      summaries: true,
      activities: false,
      concurrency: 32,
      pageSize: 4,
    };
    const listed: string[] = [];
    for await (const batch of listAll(options, new Set()))
      for (const record of recordsOf(batch)) if (record.type === "key") listed.push(record.key);
    expect(listed.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))).toEqual(keys);
    expect(asked).toHaveLength(Math.ceil(keys.length / 4));
    expect(new Set(asked).size).toBe(asked.length);
  });
});
