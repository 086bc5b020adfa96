import { classOf, CROSSREF_CLIENT, DATACITE_CLIENT, type ItemSource } from "@orcid-sync/core";
import { describe, expect, test } from "vitest";
import { ClientTableError, parseClientLabels } from "./client_table.ts";

const ME = "0000-0002-1825-0097";
const source = (fields: Partial<ItemSource>): ItemSource => ({
  kind: "client",
  id: null,
  name: null,
  originId: null,
  originName: null,
  ...fields,
});

describe("classOf() with a parsed client table", () => {
  test("labels the clients of a table given", () => {
    const clients = parseClientLabels("0000-0003-0902-4386,scopus\n");
    expect(classOf(ME, source({ id: "0000-0003-0902-4386" }), clients)).toBe("scopus");
    expect(classOf(ME, source({ id: CROSSREF_CLIENT }), clients)).toBe("crossref");
    expect(classOf(ME, source({ id: "0000-0003-0902-4386", originId: ME }), clients)).toBe("self-via-member");
  });
});

describe("parseClientLabels()", () => {
  test("reads id,label rows after an optional header, skipping blanks and comments; a row may replace a built-in label", () => {
    const table = parseClientLabels(
      `id,label\r\n# Scopus\n0000-0003-0902-4386, scopus \n\n"${CROSSREF_CLIENT}","crossref-auto"\n`,
    );
    expect(table.get("0000-0003-0902-4386")).toBe("scopus");
    expect(table.get(CROSSREF_CLIENT)).toBe("crossref-auto");
    expect(table.get(DATACITE_CLIENT)).toBe("datacite");
  });

  test("refuses a line that is not id,label, naming it", () => {
    expect(() => parseClientLabels("0000-0003-0902-4386\n")).toThrow(ClientTableError);
    expect(() => parseClientLabels("a,b\nx,y,z\n")).toThrow("line 2");
  });
});
