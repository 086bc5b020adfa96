import { describe, expect, test } from "vitest";
import { parseRecord } from "@orcid-sync/core";
import { DEFAULT_LAYOUT } from "@orcid-sync/core";
import { badRowsError, lambdaRecord, newListStats, recordLine } from "./list_records.ts";

describe("lambdaRecord()", () => {
  test("names the lambda file and its newest row in ISO UTC, a valid record of the protocol", () => {
    const stats = newListStats();
    expect(lambdaRecord(DEFAULT_LAYOUT, stats)).toBeUndefined();
    stats.lambda.newest = "2026-11-20 10:00:00.000001";
    const record = lambdaRecord(DEFAULT_LAYOUT, stats)!;
    expect(record).toEqual({
      type: "lambda",
      bucket: "orcid-lambda-file",
      key: "last_modified.csv.tar",
      newest: "2026-11-20T10:00:00.000001Z",
    });
    expect(parseRecord(JSON.parse(JSON.stringify(record)))).toEqual(record);
  });
});

describe("badRowsError()", () => {
  test("is an error record only past the allowance", () => {
    const stats = newListStats();
    stats.lambda.malformed = 2;
    stats.lambda.invalidIds = 1;
    stats.lambda.examples.push("row 4 (line 5): x");
    expect(badRowsError(DEFAULT_LAYOUT, stats, 3)).toBeUndefined();
    expect(badRowsError(DEFAULT_LAYOUT, stats, 2)).toMatchObject({
      type: "error",
      op: "lambda",
      code: "BadLambdaRows",
      retryable: false,
      message: expect.stringContaining("row 4 (line 5): x"),
    });
  });
});

describe("recordLine()", () => {
  test("serialises a summary key exactly as JSON.stringify does", () => {
    const record = {
      type: "key",
      bucket: 'odd"bucket',
      key: "31X/0000-0002-7869-831X.xml",
      orcid: "0000-0002-7869-831X",
      kind: "summary",
    } as const;
    expect(recordLine(record)).toBe(JSON.stringify(record));
    expect(JSON.parse(recordLine(record))).toEqual(record);
  });

  test("serialises summary keys of different buckets, one after the other, each with its own", () => {
    for (const bucket of ["v3.0-summaries", "other", "v3.0-summaries"]) {
      const record = {
        type: "key",
        bucket,
        key: "097/0000-0002-1825-0097.xml",
        orcid: "0000-0002-1825-0097",
        kind: "summary",
      } as const;
      expect(recordLine(record)).toBe(JSON.stringify(record));
    }
  });

  test("serialises other records with JSON.stringify", () => {
    const record = { type: "manifest", bucket: "b", orcid: "0000-0002-7869-831X", keys: [] } as const;
    expect(recordLine(record)).toBe(JSON.stringify(record));
  });
});
