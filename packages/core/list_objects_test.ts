import { describe, expect, test } from "vitest";
import { parseListPage } from "./list_objects.ts";

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
        { key: "097/0000-0002-1825-0097/works/0000-0002-1825-0097_works_1.xml", size: 1834, etag: "9e107d9d372bb6826bd81d3542a419d6", lastModified: "2026-11-20T10:00:00.000Z" },
        { key: "097/a&b<cA.xml", size: 0, etag: "abc-2", lastModified: "2026-11-20T10:00:01.000Z" },
      ],
      next: "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=",
    });
  });

  test("has no next page when not truncated, and refuses what is not a listing", () => {
    expect(parseListPage("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")).toEqual({ objects: [], next: undefined });
    expect(() => parseListPage("<Error><Code>AccessDenied</Code></Error>")).toThrow(SyntaxError);
  });
});
