import { describe, expect, test } from "vitest";
import { recordLine } from "./list_records.ts";

describe("recordLine()", () => {
  test("serialises a summary key exactly as JSON.stringify does", () => {
    const record = { type: "key", bucket: 'odd"bucket', key: "31X/0000-0002-7869-831X.xml", orcid: "0000-0002-7869-831X", kind: "summary" } as const;
    expect(recordLine(record)).toBe(JSON.stringify(record));
    expect(JSON.parse(recordLine(record))).toEqual(record);
  });

  test("serialises summary keys of different buckets, one after the other, each with its own", () => {
    for (const bucket of ["v3.0-summaries", "other", "v3.0-summaries"]) {
      const record = { type: "key", bucket, key: "097/0000-0002-1825-0097.xml", orcid: "0000-0002-1825-0097", kind: "summary" } as const;
      expect(recordLine(record)).toBe(JSON.stringify(record));
    }
  });

  test("serialises other records with JSON.stringify", () => {
    const record = { type: "manifest", bucket: "b", orcid: "0000-0002-7869-831X", keys: [] } as const;
    expect(recordLine(record)).toBe(JSON.stringify(record));
  });
});
