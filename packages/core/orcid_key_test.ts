import { describe, expect, test } from "vitest";
import { ACTIVITY_TYPES, activityKey, InvalidKeyError, parseKey, summaryKey } from "./orcid_key.ts";

const ID = "0000-0002-1825-0097";

describe("summaryKey() and activityKey()", () => {
  test("build the bucket layout", () => {
    expect(summaryKey(ID)).toBe("097/0000-0002-1825-0097.xml");
    expect(activityKey("0000-0002-7869-831X", "membership", "42")).toBe(
      "31X/0000-0002-7869-831X/membership/0000-0002-7869-831X_membership_42.xml",
    );
  });
});

describe("parseKey()", () => {
  test("round-trips summary keys and every activity type", () => {
    expect(parseKey(summaryKey(ID))).toEqual({ orcid: ID, kind: "summary" });
    for (const type of ACTIVITY_TYPES) {
      expect(parseKey(activityKey(ID, type, "7"))).toEqual({ orcid: ID, kind: type, putCode: "7" });
    }
  });

  const hostile: [string, string][] = [
    ["absolute path", "/097/0000-0002-1825-0097.xml"],
    ["parent folder", "../097/0000-0002-1825-0097.xml"],
    ["dot-dot inside", "097/../0000-0002-1825-0097.xml"],
    ["dot-dot as type", `097/${ID}/../${ID}_works_1.xml`],
    ["backslash", "097\\0000-0002-1825-0097.xml"],
    ["NUL", "097/0000-0002-1825-0097.xml\0"],
    ["wrong folder", "098/0000-0002-1825-0097.xml"],
    ["bad check character", "098/0000-0002-1825-0098.xml"],
    ["unknown type", `097/${ID}/patents/${ID}_patents_1.xml`],
    ["type mismatch in file name", `097/${ID}/works/${ID}_fundings_1.xml`],
    ["other iD in file name", `097/${ID}/works/0000-0001-5109-3700_works_1.xml`],
    ["non-numeric put-code", `097/${ID}/works/${ID}_works_1a.xml`],
    ["empty put-code", `097/${ID}/works/${ID}_works_.xml`],
    ["extra folder", `097/${ID}/works/x/${ID}_works_1.xml`],
    ["folder only", "097/"],
    ["not xml", "097/0000-0002-1825-0097.json"],
    ["empty", ""],
  ];
  test.each(hostile)("refuses %s", (_label, key) => {
    expect(() => parseKey(key)).toThrow(InvalidKeyError);
  });
});
