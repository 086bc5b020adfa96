import { describe, expect, test } from "vitest";
import { classOf, ClientTableError, CROSSREF_CLIENT, DATACITE_CLIENT, parseClientLabels, type Source } from "./provenance.ts";

const ME = "0000-0002-1825-0097";
const OTHER = "0000-0002-7869-831X";
const source = (fields: Partial<Source>): Source => ({ kind: "client", id: null, name: null, originId: null, originName: null, ...fields });

describe("classOf()", () => {
  test.each([
    ["the iD as source-orcid", source({ kind: "orcid", id: ME }), "self"],
    ["another iD as source-orcid", source({ kind: "orcid", id: OTHER }), "other-person"],
    ["another iD as source-orcid, the iD as origin", source({ kind: "orcid", id: OTHER, originId: ME }), "other-person"],
    ["a search-and-link client with the iD as origin", source({ id: "0000-0002-5982-8983", originId: ME }), "self-via-member"],
    ["Crossref with the iD as origin", source({ id: CROSSREF_CLIENT, originId: ME }), "self-via-member"],
    ["DataCite with the iD as origin", source({ id: DATACITE_CLIENT, originId: ME }), "self-via-member"],
    ["Crossref", source({ id: CROSSREF_CLIENT }), "crossref"],
    ["Crossref for another person", source({ id: CROSSREF_CLIENT, originId: OTHER }), "crossref"],
    ["DataCite", source({ id: DATACITE_CLIENT }), "datacite"],
    ["another client", source({ id: "APP-5GQMH6W9TX4NRCKK" }), "member"],
    ["an old search-and-link work without origin", source({ id: "0000-0002-3054-1567" }), "member"],
    ["no source id", source({}), "member"],
  ])("%s → %s", (_what, given, expected) => {
    expect(classOf(ME, given)).toBe(expected);
  });

  test("gives member for an item without a source", () => {
    expect(classOf(ME, null)).toBe("member");
  });

  test("labels the clients of a table given", () => {
    const clients = parseClientLabels("0000-0003-0902-4386,scopus\n");
    expect(classOf(ME, source({ id: "0000-0003-0902-4386" }), clients)).toBe("scopus");
    expect(classOf(ME, source({ id: CROSSREF_CLIENT }), clients)).toBe("crossref");
    expect(classOf(ME, source({ id: "0000-0003-0902-4386", originId: ME }), clients)).toBe("self-via-member");
  });
});

describe("parseClientLabels()", () => {
  test("reads id,label rows after an optional header, skipping blanks and comments; a row may replace a built-in label", () => {
    const table = parseClientLabels(`id,label\r\n# Scopus\n0000-0003-0902-4386, scopus \n\n"${CROSSREF_CLIENT}","crossref-auto"\n`);
    expect(table.get("0000-0003-0902-4386")).toBe("scopus");
    expect(table.get(CROSSREF_CLIENT)).toBe("crossref-auto");
    expect(table.get(DATACITE_CLIENT)).toBe("datacite");
  });

  test("refuses a line that is not id,label, naming it", () => {
    expect(() => parseClientLabels("0000-0003-0902-4386\n")).toThrow(ClientTableError);
    expect(() => parseClientLabels("a,b\nx,y,z\n")).toThrow("line 2");
  });
});
