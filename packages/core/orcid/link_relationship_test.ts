import { describe, expect, test } from "vitest";
import { addDoiRelationships, outranks } from "./link_relationship.ts";
import type { ItemExternalId } from "../pipe/mod.ts";

describe("outranks()", () => {
  test("self over version-of over part-of over anything else; a tie keeps the first", () => {
    expect(outranks("self", "version-of")).toBe(true);
    expect(outranks("version-of", "part-of")).toBe(true);
    expect(outranks("part-of", "funded-by")).toBe(true);
    expect(outranks("part-of", "self")).toBe(false);
    expect(outranks("funded-by", "constructor")).toBe(false);
    expect(outranks("self", "self")).toBe(false);
  });
});

describe("addDoiRelationships()", () => {
  const id = (
    type: string | null,
    value: string | null,
    normalized: string | null,
    relationship: string | null,
  ): ItemExternalId => ({ type, value, normalized, url: null, relationship });

  test("keeps each DOI once, in order, with its best relationship, lowercased, self when absent", () => {
    const dois = new Map<string, string>();
    const doiless = addDoiRelationships(
      [
        id("DOI", "10.1/A", "10.1/a", "VERSION-OF"),
        id("isbn", "10.1/isbn-looking", null, "self"),
        id("doi", "https://doi.org/10.1/a", null, "part-of"),
        id("doi", "10.1/b", "10.1/b", null),
        id("doi", "10.1/A", null, "funded-by"),
      ],
      dois,
    );
    expect([...dois]).toEqual([
      ["10.1/a", "version-of"],
      ["10.1/b", "self"],
    ]);
    expect(doiless).toBe(0);
  });

  test("counts the doi ids that hold no DOI", () => {
    const dois = new Map<string, string>();
    expect(
      addDoiRelationships(
        [id("doi", "no DOI", null, "self"), id("doi", null, "", null), id("doi", "10.1/c", null, null)],
        dois,
      ),
    ).toBe(2);
    expect([...dois]).toEqual([["10.1/c", "self"]]);
  });
});
