import { describe, expect, test } from "vitest";
import { splitCsvFields } from "./csv_fields.ts";

const split = (line: string) => splitCsvFields(line, 0, line.length);

describe("splitCsvFields()", () => {
  test("splits plain and quoted fields, doubled quotes and commas inside quotes included", () => {
    expect(split("a,b,,d")).toEqual(["a", "b", "", "d"]);
    expect(split('"a","b,c","say ""hi""",')).toEqual(["a", "b,c", 'say "hi"', ""]);
    expect(split('""')).toEqual([""]);
    expect(split("")).toEqual([""]);
  });

  test("reads only the given bounds", () => {
    const text = 'x,"y",z\nnext,line';
    expect(splitCsvFields(text, 0, text.indexOf("\n"))).toEqual(["x", "y", "z"]);
  });

  test.each([
    ["an unclosed quote", '"a,b'],
    ["text after a closing quote", '"a"b,c'],
    ["a quote closed past the bounds", '"a'],
  ])("refuses %s", (_label, line) => {
    expect(split(line)).toBeUndefined();
  });
});
