import { describe, expect, test } from "vitest";
import { parseLambdaRow } from "./lambda_rows.ts";

const ID = "0000-0002-1825-0097";
const row = (date: string, id = ID) => `${id},http://orcid.org/${id},2014-08-02 15:00:00.000,${date}`;

describe("parseLambdaRow()", () => {
  test("pads every date form to six fraction digits", () => {
    expect(parseLambdaRow(row("2021-08-02 15:00:00"))).toEqual({ ok: true, orcid: ID, lastModified: "2021-08-02 15:00:00.000000" });
    expect(parseLambdaRow(row("2021-08-02 15:00:00.5"))).toMatchObject({ lastModified: "2021-08-02 15:00:00.500000" });
    expect(parseLambdaRow(row("2021-08-02 15:00:00.123"))).toMatchObject({ lastModified: "2021-08-02 15:00:00.123000" });
    expect(parseLambdaRow(row("2021-08-02 15:00:00.123456"))).toMatchObject({ lastModified: "2021-08-02 15:00:00.123456" });
  });

  test.each([
    ["a column missing", `${ID},http://orcid.org/${ID},2021-08-02 15:00:00`],
    ["a column too many", `${row("2021-08-02 15:00:00")},x`],
    ["a word for a date", row("yesterday")],
    ["seven fraction digits", row("2021-08-02 15:00:00.1234567")],
    ["a date without time", row("2021-08-02")],
    ["an empty line", ""],
  ])("calls %s malformed", (_label, line) => {
    expect(parseLambdaRow(line)).toEqual({ ok: false, reason: "malformed" });
  });

  test("calls a wrong check character or a short iD invalid", () => {
    expect(parseLambdaRow(row("2021-08-02 15:00:00", "0000-0002-1825-0098"))).toEqual({ ok: false, reason: "invalid-id" });
    expect(parseLambdaRow(row("2021-08-02 15:00:00", "0000-0002-1825-009"))).toEqual({ ok: false, reason: "invalid-id" });
  });
});
