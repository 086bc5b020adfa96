import { describe, expect, test } from "vitest";
import { compareLambdaDate, isLambdaDate, LambdaRowReader } from "./lambda_rows.ts";

const ID = "0000-0002-1825-0097";
const row = (date: string, id = ID) => `${id},http://orcid.org/${id},2014-08-02 15:00:00.000,${date}`;
const read = (line: string, cutoff = "2021-08-02 15:00:00.000000") => {
  const reader = new LambdaRowReader(cutoff);
  const verdict = reader.read(line, 0, line.length);
  return verdict === "changed" ? { verdict, orcid: reader.orcid } : { verdict };
};

describe("LambdaRowReader", () => {
  test("a row at the cutoff is changed, one a microsecond older is not, in every date form", () => {
    expect(read(row("2021-08-02 15:00:00"))).toEqual({ verdict: "changed", orcid: ID });
    expect(read(row("2021-08-02 15:00:00.5"), "2021-08-02 15:00:00.500000")).toEqual({ verdict: "changed", orcid: ID });
    expect(read(row("2021-08-02 15:00:00.123"), "2021-08-02 15:00:00.123000")).toEqual({
      verdict: "changed",
      orcid: ID,
    });
    expect(read(row("2021-08-02 15:00:00.123456"), "2021-08-02 15:00:00.123456")).toEqual({
      verdict: "changed",
      orcid: ID,
    });
    expect(read(row("2021-08-02 15:00:00.123455"), "2021-08-02 15:00:00.123456")).toEqual({ verdict: "older" });
    expect(read(row("2021-08-02 15:00:00.4"), "2021-08-02 15:00:00.400001")).toEqual({ verdict: "older" });
    expect(read(row("2021-08-02 14:59:59"), "2021-08-02 15:00:00.000000")).toEqual({ verdict: "older" });
    expect(read(row("2021-08-02 15:00:00"), "2021-08-02 14:59:59.999999")).toEqual({ verdict: "changed", orcid: ID });
  });

  test("reads a row in the middle of a larger text, by its bounds", () => {
    const text = `${row("2020-01-01 00:00:00")}\n${row("2021-09-01 00:00:00.25", "0000-0001-5109-3700")}\n${row("2021-08-01 00:00:00")}`;
    const reader = new LambdaRowReader("2021-08-02 00:00:00.000000");
    const start = text.indexOf("\n") + 1;
    const end = text.indexOf("\n", start);
    expect(reader.read(text, start, end)).toBe("changed");
    expect(reader.orcid).toBe("0000-0001-5109-3700");
    // The next row's commas and date lie past `end` and must not be read as this row's.
    expect(reader.read(text, start, start + 40)).toBe("malformed");
  });

  test.each([
    ["a column missing", `${ID},http://orcid.org/${ID},2021-08-02 15:00:00`],
    ["a column too many", `${row("2021-08-02 15:00:00")},x`],
    ["a column too many, itself a date", `${row("2021-08-02 15:00:00")},2021-08-02 15:00:00`],
    ["an iD alone", ID],
    ["a wrong iD and a column missing", `0000-0002-1825-0098,http://orcid.org/${ID},2021-08-02 15:00:00`],
    ["a word for a date", row("yesterday")],
    ["ten fraction digits", row("2021-08-02 15:00:00.1234567891")],
    ["an unclosed quote", `"${ID},http://orcid.org/${ID},2014-08-02 15:00:00.000,2021-08-02 15:00:00`],
    [
      "a quoted field with text after it",
      `"${ID}"x,http://orcid.org/${ID},2014-08-02 15:00:00.000,2021-08-02 15:00:00`,
    ],
    ["a zone without hours", row("2021-08-02T15:00:00+1")],
    ["a point without fraction digits", row("2021-08-02 15:00:00.")],
    ["a date without time", row("2021-08-02")],
    ["a letter for a digit", row("2021-08-0x 15:00:00")],
    ["an empty line", ""],
  ])("calls %s malformed", (_label, line) => {
    expect(read(line)).toEqual({ verdict: "malformed" });
  });

  test.each([
    ["a T between date and time", row("2021-08-02T15:00:00"), "2021-08-02 15:00:00.000000"],
    ["a trailing Z", row("2021-08-02 15:00:00.25Z"), "2021-08-02 15:00:00.250000"],
    ["a T and +00:00", row("2021-08-02T15:00:00.000001+00:00"), "2021-08-02 15:00:00.000001"],
    ["another zone, converted to UTC", row("2021-08-02T17:00:00+02:00"), "2021-08-02 15:00:00.000000"],
    ["seven fraction digits (kept to six)", row("2021-08-02 15:00:00.1234567"), "2021-08-02 15:00:00.123456"],
    [
      "quoted fields",
      `"${ID}","http://orcid.org/${ID}","2014-08-02 15:00:00.000","2021-08-02 15:00:00"`,
      "2021-08-02 15:00:00.000000",
    ],
    [
      "some fields quoted, a T and a Z",
      `${ID},"http://orcid.org/${ID}",2014-08-02,"2021-08-02T15:00:00Z"`,
      "2021-08-02 15:00:00.000000",
    ],
  ])("reads %s: the iD, and the time in UTC as the newest", (_label, line, newest) => {
    const reader = new LambdaRowReader("2021-08-02 15:00:00.000000");
    expect(reader.read(line, 0, line.length)).toBe("changed");
    expect(reader.orcid).toBe(ID);
    expect(reader.newest).toBe(newest);
  });

  test("an hour later in +01:00 is the same instant: not older than a cutoff at it", () => {
    expect(read(row("2021-08-02T16:00:00+01:00"), "2021-08-02 15:00:00.000000")).toEqual({
      verdict: "changed",
      orcid: ID,
    });
    expect(read(row("2021-08-02T15:59:59+01:00"), "2021-08-02 15:00:00.000000")).toEqual({ verdict: "older" });
  });

  test("newest is the newest valid row read, older ones and bad ones included or not", () => {
    const reader = new LambdaRowReader("2021-08-02 00:00:00.000000");
    const rows = [
      row("2021-08-03 00:00:00.5"),
      row("2021-08-04 00:00:00", "0000-0002-1825-0098"),
      row("2021-08-03 12:00:00"),
      row("2021-08-01 00:00:00"),
    ];
    expect(rows.map((line) => reader.read(line, 0, line.length))).toEqual([
      "changed",
      "invalid-id",
      "changed",
      "older",
    ]);
    expect(reader.newest).toBe("2021-08-03 12:00:00.000000");
  });

  test("calls a wrong check character or a short iD invalid", () => {
    expect(read(row("2021-08-02 15:00:00", "0000-0002-1825-0098"))).toEqual({ verdict: "invalid-id" });
    expect(read(row("2021-08-02 15:00:00", "0000-0002-1825-009"))).toEqual({ verdict: "invalid-id" });
    // A valid iD with more before the comma is not the row's iD.
    expect(read(row("2021-08-02 15:00:00", `${ID}7`))).toEqual({ verdict: "invalid-id" });
    expect(read(row("2021-08-02 15:00:00", ` ${ID}`))).toEqual({ verdict: "invalid-id" });
  });

  test("refuses a cutoff without six fraction digits", () => {
    expect(() => new LambdaRowReader("2021-08-02 15:00:00")).toThrow(/six fraction digits/);
  });
});

describe("isLambdaDate() and compareLambdaDate()", () => {
  test("take both forms the lambda file uses", () => {
    expect(isLambdaDate("2021-08-02 15:00:00", 0, 19)).toBe(true);
    expect(isLambdaDate("x2021-08-02 15:00:00.1y", 1, 22)).toBe(true);
    expect(isLambdaDate("2021-08-02 15:00:00.1", 0, 20)).toBe(false);
  });

  test("compare at microsecond precision, padding missing digits with zeros", () => {
    const cutoff = "2021-08-02 15:00:00.100000";
    expect(compareLambdaDate("2021-08-02 15:00:00.1", 0, 21, cutoff)).toBe(0);
    expect(compareLambdaDate("2021-08-02 15:00:00", 0, 19, cutoff)).toBeLessThan(0);
    expect(compareLambdaDate("2021-08-02 15:00:00.100001", 0, 26, cutoff)).toBeGreaterThan(0);
    expect(compareLambdaDate("2022-01-01 00:00:00", 0, 19, cutoff)).toBeGreaterThan(0);
  });
});
