import { describe, expect, test } from "vitest";
import { doiOf, findDoi, isDoiType } from "./doi.ts";

describe("doiOf()", () => {
  test.each([
    ["DOI: 10.1/ABC.", null, "10.1/abc"],
    ["10.1000/ABC123", null, "10.1000/abc123"],
    ["https://doi.org/10.1000/XYZ.1", null, "10.1000/xyz.1"],
    ["http://dx.doi.org/10.5555/12345678", null, "10.5555/12345678"],
    ["doi:10.1038/NPHYS1170", null, "10.1038/nphys1170"],
    ["10.1002/(SICI)1097-4636&X", null, "10.1002/(sici)1097-4636"],
    ["see 10.1000/it's", null, "10.1000/it"],
    ['"10.1000/quoted"', null, "10.1000/quoted"],
    ["(see 10.1000/paren.7),", null, "10.1000/paren.7"],
    ["10.1000/a b", null, "10.1000/a"],
  ])("finds the DOI in %j as ORCID's DOINormalizer does", (value, normalized, doi) => {
    expect(doiOf(value, normalized)).toBe(doi);
  });

  test("prefers external-id-normalized, lowercased, and ignores an empty one", () => {
    expect(doiOf("anything", "10.1000/Normal")).toBe("10.1000/normal");
    expect(doiOf("10.1000/FROM-VALUE", "")).toBe("10.1000/from-value");
  });

  test("gives null when there is no DOI", () => {
    expect(doiOf("no DOI in here", null)).toBeNull();
    expect(doiOf("10./x", null)).toBeNull();
    expect(doiOf(null, null)).toBeNull();
  });
});

describe("findDoi()", () => {
  test("finds the DOI in text, lowercased, and null when there is none", () => {
    expect(findDoi("DOI: 10.5438/3DFW-Z4KQ.")).toBe("10.5438/3dfw-z4kq");
    expect(findDoi("10.abc")).toBeNull();
  });
});

describe("isDoiType()", () => {
  test("accepts doi in any case and nothing else", () => {
    expect(["doi", "DOI", "Doi"].map(isDoiType)).toEqual([true, true, true]);
    expect(["isbn", "doi2", "", null].map(isDoiType)).toEqual([false, false, false, false]);
  });
});
