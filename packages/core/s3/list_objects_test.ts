import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, test } from "vitest";
import { IncompleteListingError, listObjects, parseListPage } from "./list_objects.ts";
import type { S3Access } from "./s3_client.ts";

const PAGE = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>v3.0-activities-b</Name><Prefix>097/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>097/0000-0002-1825-0097/works/0000-0002-1825-0097_works_1.xml</Key><LastModified>2026-11-20T10:00:00.000Z</LastModified><ETag>&quot;9e107d9d372bb6826bd81d3542a419d6&quot;</ETag><Size>1834</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>097/a&amp;b&lt;c&#x41;.xml</Key><LastModified>2026-11-20T10:00:01Z</LastModified><ETag>"abc-2"</ETag><Size>0</Size></Contents>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>`;

describe("parseListPage()", () => {
  test("reads keys, sizes, unquoted ETags, times and the next token", () => {
    expect(parseListPage(PAGE)).toEqual({
      objects: [
        {
          key: "097/0000-0002-1825-0097/works/0000-0002-1825-0097_works_1.xml",
          size: 1834,
          etag: "9e107d9d372bb6826bd81d3542a419d6",
          lastModified: "2026-11-20T10:00:00.000Z",
        },
        { key: "097/a&b<cA.xml", size: 0, etag: "abc-2", lastModified: "2026-11-20T10:00:01.000Z" },
      ],
      next: "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=",
    });
  });

  test("has no next page when not truncated, and refuses what is not a listing", () => {
    expect(parseListPage("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")).toEqual({
      objects: [],
      next: undefined,
    });
    expect(() => parseListPage("<Error><Code>AccessDenied</Code></Error>")).toThrow(SyntaxError);
  });
});

const contents = (key: string) =>
  `<Contents><Key>${key}</Key><LastModified>2026-11-20T10:00:00.000Z</LastModified><ETag>"e"</ETag><Size>1</Size></Contents>`;
const page = (
  keys: string[],
  { truncated = false, token, keyCount = keys.length }: { truncated?: boolean; token?: string; keyCount?: number } = {},
) =>
  `<ListBucketResult>${token ? `<NextContinuationToken>${token}</NextContinuationToken>` : ""}<KeyCount>${keyCount}</KeyCount><IsTruncated>${truncated}</IsTruncated>${keys.map(contents).join("")}</ListBucketResult>`;

describe("parseListPage() with until", () => {
  const whole = page(["097/a.xml", "097/b.xml", "0970", "098/c.xml"], { truncated: true, token: "t1" });

  test("ends the objects, and the listing, before the first key at or after it", () => {
    expect(parseListPage(whole, "0970")).toMatchObject({ objects: [{ key: "097/a.xml" }, { key: "097/b.xml" }] });
    expect(parseListPage(whole, "0970").next).toBeUndefined();
    expect(parseListPage(whole, "1").next).toBe("t1");
    expect(parseListPage(whole, "1").objects).toHaveLength(4);
  });

  test("still counts the keys it does not read against KeyCount", () => {
    const short = page(["097/a.xml", "097/b.xml", "0970", "098/c.xml"], { keyCount: 3 });
    expect(() => parseListPage(short, "0970")).toThrow(IncompleteListingError);
    expect(() =>
      parseListPage(`${whole.slice(0, whole.lastIndexOf("</Contents>"))}</ListBucketResult>`, "0970"),
    ).toThrow(IncompleteListingError);
  });

  test("with until, reads the keys before it and ends the listing", () => {
    const read = parseListPage(whole, "098");
    expect({ objects: read.objects.map((o) => o.key), next: read.next }).toEqual({
      objects: ["097/a.xml", "097/b.xml", "0970"],
      next: undefined,
    });
  });

  test("keeps S3's times and quoted ETags as they come, and reads other forms as before", () => {
    const odd = PAGE.replace("2026-11-20T10:00:00.000Z", "2026-11-20T10:00:00.5+01:00").replace(
      "&quot;9e107d9d372bb6826bd81d3542a419d6&quot;",
      "&quot;9e1&quot;07&quot;",
    );
    expect(parseListPage(odd).objects[0]).toMatchObject({ etag: "9e107", lastModified: "2026-11-20T09:00:00.500Z" });
  });
});

describe("parseListPage() refuses a page that is not whole", () => {
  const whole = page(["097/a.xml", "097/b.xml"], { truncated: true, token: "t1" });
  test.each([
    ["cut after a </Contents>", whole.slice(0, whole.indexOf("</Contents>") + "</Contents>".length)],
    ["no closing </ListBucketResult>", whole.replace("</ListBucketResult>", "")],
    ["IsTruncated without a token", page(["097/a.xml"], { truncated: true })],
    ["a KeyCount above the keys", page(["097/a.xml"], { keyCount: 2 })],
    ["a KeyCount below the keys", page(["097/a.xml", "097/b.xml"], { keyCount: 1 })],
    ["no IsTruncated", "<ListBucketResult><KeyCount>0</KeyCount></ListBucketResult>"],
  ])("%s", (_label, xml) => {
    expect(() => parseListPage(xml)).toThrow(IncompleteListingError);
  });

  test("accepts the whole page", () => {
    expect(parseListPage(whole).next).toBe("t1");
    expect(parseListPage(whole).objects.map((o) => o.key)).toEqual(["097/a.xml", "097/b.xml"]);
  });
});

/** A response body of `bytes` cut where `cuts` say (byte offsets). */
async function* pieces(bytes: Buffer, cuts: number[] = []): AsyncGenerator<Buffer> {
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    yield bytes.subarray(from, cut);
    from = cut;
  }
}

/** An S3Access whose listings answer from `pages` by continuation token ("" for the first). */
function stubS3(
  answer: (token: string) => string,
  cuts?: (bytes: Buffer) => number[],
): { s3: S3Access; requests: string[] } {
  const requests: string[] = [];
  const s3 = {
    request: async (_bucket: string, _key: string, options: { query?: Record<string, string> }) => {
      const token = options.query?.["continuation-token"] ?? "";
      requests.push(token);
      const bytes = Buffer.from(answer(token));
      return { statusCode: 200, body: pieces(bytes, cuts?.(bytes)) };
    },
  } as unknown as S3Access;
  return { s3, requests };
}

describe("listObjects()", () => {
  test("follows tokens to the last page", async () => {
    const { s3 } = stubS3((token) =>
      token === "" ? page(["097/a.xml"], { truncated: true, token: "t1" }) : page(["097/b.xml"]),
    );
    const keys: string[] = [];
    for await (const objects of listObjects(s3, "b", "097/")) keys.push(...objects.map((o) => o.key));
    expect(keys).toEqual(["097/a.xml", "097/b.xml"]);
  });

  test("with until, asks for no page after the one that reaches it", async () => {
    const { s3, requests } = stubS3((token) =>
      token === "" ? page(["097/a.xml", "098/b.xml"], { truncated: true, token: "t1" }) : page(["098/c.xml"]),
    );
    const keys: string[] = [];
    for await (const objects of listObjects(s3, "b", "", { until: "0970" })) keys.push(...objects.map((o) => o.key));
    expect(keys).toEqual(["097/a.xml"]);
    expect(requests).toEqual([""]);
    const all: string[] = [];
    for await (const page of listObjects(s3, "b", "")) all.push(...page.map((o) => o.key));
    expect(all).toEqual(["097/a.xml", "098/b.xml", "098/c.xml"]);
  });

  test("reads a page the same wherever its body is cut: inside a tag, a <Contents>, a character", async () => {
    const xml = PAGE.replace("097/a&amp;b", "097/é&amp;b");
    const bytes = Buffer.from(xml);
    const expected = parseListPage(xml);
    expect(expected.objects[1]!.key).toBe("097/é&b<cA.xml");
    const read = async (cuts: number[]) => {
      const { s3 } = stubS3(
        () => xml,
        () => cuts,
      );
      const listing = listObjects(s3, "b", "097/");
      const first = await listing.next();
      await listing.return(undefined);
      return first.value;
    };
    for (let cut = 1; cut < bytes.length; cut++) expect(await read([cut])).toEqual(expected.objects);
    expect(await read(Array.from({ length: bytes.length - 1 }, (_, i) => i + 1))).toEqual(expected.objects);
  });

  test("keeps no page's text once it has moved past it (a token is a string of its own)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    // 40 pages of 1 MB: a listing that kept each page's text through its token would hold 40 MB.
    const padding = `<Padding>${"x".repeat(1 << 20)}</Padding>`;
    const { s3 } = stubS3((token) => {
      const n = token === "" ? 0 : Number(token.slice(1, token.indexOf(".")));
      const next = n < 39 ? `t${n + 1}.${"t".repeat(40)}` : undefined;
      return page([`097/${n}.xml`], next ? { truncated: true, token: next } : {}).replace(
        "<KeyCount>",
        `${padding}<KeyCount>`,
      );
    });
    const heap: number[] = [];
    for await (const _ of listObjects(s3, "b", "097/")) {
      gc();
      heap.push(process.memoryUsage().heapUsed);
    }
    expect(heap).toHaveLength(40);
    expect(heap.at(-1)! - heap[0]!).toBeLessThan(10 * (1 << 20));
  });

  test("a token given again ends the listing with an error after retries, not an endless loop", async () => {
    // t1 → t2 → t1 …: every page is whole, but the listing would never end.
    const { s3, requests } = stubS3((token) =>
      page([`097/${token || "first"}.xml`], { truncated: true, token: token === "t1" ? "t2" : "t1" }),
    );
    const listing = (async () => {
      for await (const _ of listObjects(s3, "b", "097/", { attempts: 3 })) {
        if (requests.length > 50) throw new Error("the listing loops");
      }
    })();
    await expect(listing).rejects.toMatchObject({ name: "RetryError", cause: { code: "IncompleteListing" } });
    expect(requests).toEqual(["", "t1", "t2", "t2", "t2"]);
  });

  test("a page cut short is retried and the listing completes from the whole one", async () => {
    let cut = true;
    const { s3, requests } = stubS3(() => {
      const xml = page(["097/a.xml", "097/b.xml"]);
      if (!cut) return xml;
      cut = false;
      return xml.slice(0, xml.indexOf("</Contents>") + 11);
    });
    const keys: string[] = [];
    for await (const objects of listObjects(s3, "b", "097/", { attempts: 3 })) keys.push(...objects.map((o) => o.key));
    expect(keys).toEqual(["097/a.xml", "097/b.xml"]);
    expect(requests).toHaveLength(2);
  });
});
