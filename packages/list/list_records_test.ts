import { describe, expect, test } from "vitest";
import { recordLine } from "./list_records.ts";

describe("recordLine()", () => {
  test("serialises a summary key exactly as JSON.stringify does", () => {
    const record = { type: "key", bucket: 'odd"bucket', key: "31X/0000-0002-7869-831X.xml", orcid: "0000-0002-7869-831X", kind: "summary" } as const;
    expect(recordLine(record)).toBe(JSON.stringify(record));
    expect(JSON.parse(recordLine(record))).toEqual(record);
  });

  test("serialises other records with JSON.stringify", () => {
    const record = { type: "manifest", bucket: "b", orcid: "0000-0002-7869-831X", keys: [] } as const;
    expect(recordLine(record)).toBe(JSON.stringify(record));
  });
});
