import { describe, expect, test } from "vitest";
import { classOf, CROSSREF_CLIENT, DATACITE_CLIENT, DEFAULT_CLIENT_LABELS } from "./link_class.ts";
import type { ItemSource } from "../pipe/mod.ts";

const ME = "0000-0002-1825-0097";
const OTHER = "0000-0002-7869-831X";
const source = (fields: Partial<ItemSource>): ItemSource => ({
  kind: "client",
  id: null,
  name: null,
  originId: null,
  originName: null,
  ...fields,
});

describe("classOf()", () => {
  test.each([
    ["the iD as source-orcid", source({ kind: "orcid", id: ME }), "self"],
    ["another iD as source-orcid", source({ kind: "orcid", id: OTHER }), "other-person"],
    [
      "another iD as source-orcid, the iD as origin",
      source({ kind: "orcid", id: OTHER, originId: ME }),
      "other-person",
    ],
    [
      "a search-and-link client with the iD as origin",
      source({ id: "0000-0002-5982-8983", originId: ME }),
      "self-via-member",
    ],
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

  test("labels the clients of a table given, the built-in ones only when the table holds them", () => {
    const clients = new Map([["0000-0003-0902-4386", "scopus"]]);
    expect(classOf(ME, source({ id: "0000-0003-0902-4386" }), clients)).toBe("scopus");
    expect(classOf(ME, source({ id: CROSSREF_CLIENT }), clients)).toBe("member");
    expect(classOf(ME, source({ id: "0000-0003-0902-4386", originId: ME }), clients)).toBe("self-via-member");
  });

  test("the built-in table labels Crossref and DataCite and nothing else", () => {
    expect([...DEFAULT_CLIENT_LABELS]).toEqual([
      [CROSSREF_CLIENT, "crossref"],
      [DATACITE_CLIENT, "datacite"],
    ]);
  });
});
