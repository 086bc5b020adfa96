import { describe, expect, test } from "vitest";
import {
  activitiesBucketFor,
  activitiesBucketSuffix,
  ALL_FOLDERS,
  checkCharacter,
  isValidOrcidId,
  isValidOrcidIdAt,
  last3,
} from "./orcid_id.ts";

describe("isValidOrcidId()", () => {
  test("accepts iDs with a correct check character, X included", () => {
    for (const id of ["0000-0002-1825-0097", "0000-0002-7869-831X", "0000-0001-5109-3700", "0009-0000-0000-0009"]) {
      expect(isValidOrcidId(id), id).toBe(true);
    }
  });
  test("refuses a wrong check character, a wrong shape or lower-case x", () => {
    for (const id of [
      "0000-0002-1825-0098",
      "0000-0002-7869-831x",
      "000000021825009X",
      "0000-0002-1825-009",
      " 0000-0002-1825-0097",
      "0000-0002-1825-0097/",
    ]) {
      expect(isValidOrcidId(id), id).toBe(false);
    }
  });
  test("agrees with every check character it computes", () => {
    const base = "000000034567890";
    const id = `0000-0003-4567-890${checkCharacter(base)}`;
    expect(isValidOrcidId(id)).toBe(true);
  });
});

describe("checkCharacter()", () => {
  test("refuses input that is not 15 digits", () => {
    expect(() => checkCharacter("12345")).toThrow(TypeError);
  });
});

describe("last3() and ALL_FOLDERS", () => {
  test("takes the last three characters of the hyphenated iD", () => {
    expect(last3("0000-0002-1825-0097")).toBe("097");
    expect(last3("0000-0002-7869-831X")).toBe("31X");
  });
  test("lists 1100 distinct folders in byte order", () => {
    expect(ALL_FOLDERS).toHaveLength(1100);
    expect(new Set(ALL_FOLDERS).size).toBe(1100);
    expect([...ALL_FOLDERS].sort()).toEqual(ALL_FOLDERS);
    expect(ALL_FOLDERS).toContain("31X");
  });
});

describe("activitiesBucketFor()", () => {
  test("splits by the last character: 0-3 a, 4-7 b, 8/9/X c", () => {
    const expected: Record<string, string> = { 0: "a", 3: "a", 4: "b", 7: "b", 8: "c", 9: "c", X: "c" };
    for (const [last, suffix] of Object.entries(expected)) {
      expect(activitiesBucketSuffix(`0000-0000-0000-000${last}`), last).toBe(suffix);
    }
    expect(activitiesBucketFor("0000-0002-1825-0097", "v3.0-activities")).toBe("v3.0-activities-b");
  });
});

describe("isValidOrcidIdAt()", () => {
  test("checks the 19 characters at an offset, in place", () => {
    const row = "0000-0002-1825-0097,http://orcid.org/0000-0002-7869-831X,x";
    expect(isValidOrcidIdAt(row, 0)).toBe(true);
    expect(isValidOrcidIdAt(row, row.indexOf("0000-0002-7869"))).toBe(true);
    expect(isValidOrcidIdAt(row, 1)).toBe(false);
    expect(isValidOrcidIdAt("0000-0002-1825-0098,", 0)).toBe(false);
    expect(isValidOrcidIdAt("0000-0002-1825-009", 0)).toBe(false);
    expect(isValidOrcidIdAt("0000-0002-1825-0097", -1)).toBe(false);
    expect(isValidOrcidIdAt("0000 0002 1825 0097", 0)).toBe(false);
  });
});
