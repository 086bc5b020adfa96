import { describe, expect, it } from "vitest";
import { formatRecords } from "./format_records.ts";

const lines = async (records: object[], format: "ndjson" | "csv" | "table") => {
  const out: string[] = [];
  for await (const line of formatRecords(records, format)) out.push(line);
  return out;
};

describe("formatRecords()", () => {
  it("writes NDJSON records as they are", async () => {
    expect(await lines([{ type: "link", doi: "10.1/a" }], "ndjson")).toEqual(['{"type":"link","doi":"10.1/a"}']);
  });

  it("quotes CSV cells that need it and starts a new header for another shape", async () => {
    const out = await lines([{ a: 'x,"y"', b: null }, { a: "z", b: ["p"] }, { c: 1 }], "csv");
    expect(out).toEqual(["a,b", '"x,""y""",', 'z,"[""p""]"', "c", "1"]);
  });

  it("aligns a table over every field of every record", async () => {
    const out = await lines(
      [
        { type: "person", name: "Josiah" },
        { type: "link", doi: "10.1/a" },
      ],
      "table",
    );
    expect(out).toEqual(["type    name    doi", "person  Josiah", "link            10.1/a"]);
  });

  it("writes nothing for no records", async () => {
    expect(await lines([], "csv")).toEqual([]);
    expect(await lines([], "table")).toEqual([]);
  });
});
