import { describe, expect, test } from "vitest";
import { isoOfHttpDate } from "./http_date.ts";

const httpDate = (ms: number) => new Date(ms).toUTCString();

describe("isoOfHttpDate()", () => {
  test("gives what Date gives for S3's form, across months, leap days and the ends of days", () => {
    const samples = [
      Date.UTC(2026, 9, 8, 4, 10, 22),
      Date.UTC(2024, 1, 29, 23, 59, 59),
      Date.UTC(2000, 1, 29, 0, 0, 0),
      Date.UTC(1999, 11, 31, 12, 0, 1),
      Date.UTC(2026, 3, 30, 0, 0, 0),
    ];
    for (let ms = Date.UTC(2023, 0, 1); ms < Date.UTC(2025, 0, 1); ms += 86_400_000 * 7 + 3_661_000) samples.push(ms);
    for (const ms of samples) expect(isoOfHttpDate(httpDate(ms))).toBe(new Date(ms).toISOString());
  });

  test("leaves out-of-range fields and other forms to Date, as before", () => {
    for (const value of [
      "Thu, 31 Apr 2026 10:00:00 GMT",
      "Thu, 29 Feb 2100 10:00:00 GMT",
      "Thu, 08 Oct 2026 24:00:00 GMT",
      "Thursday, 08-Oct-26 04:10:22 GMT",
      "Thu Oct  8 04:10:22 2026",
    ]) {
      let expected: string | RangeError;
      try {
        expected = new Date(value).toISOString();
      } catch (error) {
        expected = error as RangeError;
      }
      if (typeof expected === "string") expect(isoOfHttpDate(value)).toBe(expected);
      else expect(() => isoOfHttpDate(value)).toThrow(RangeError);
    }
  });
});
