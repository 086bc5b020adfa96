import { describe, expect, test } from "vitest";
import {
  ACTIVITY_TYPES,
  activityKey,
  InvalidKeyError,
  isKnownActivityType,
  isUnsafeKey,
  parseKey,
  summaryKey,
} from "./orcid_key.ts";

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

  test("accepts an activity type it does not know yet: any lowercase-and-hyphen word", () => {
    for (const type of ["patents", "research-outputs", "a-b-c"]) {
      expect(parseKey(activityKey(ID, type, "3"))).toEqual({ orcid: ID, kind: type, putCode: "3" });
      expect(isKnownActivityType(type)).toBe(false);
    }
    expect(isKnownActivityType("works")).toBe(true);
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
    ["a type with capitals", `097/${ID}/Works/${ID}_Works_1.xml`],
    ["a type with an underscore", `097/${ID}/peer_reviews/${ID}_peer_reviews_1.xml`],
    ["a type with a trailing hyphen", `097/${ID}/works-/${ID}_works-_1.xml`],
    ["'summary' as a type", `097/${ID}/summary/${ID}_summary_1.xml`],
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

describe("isUnsafeKey()", () => {
  test.each([
    "",
    "/097/x.xml",
    "097/../x.xml",
    "097/./x.xml",
    "..",
    "097\\x.xml",
    "097/x.xml\0",
    "097/x\n.xml",
    "x".repeat(257),
  ])("%j is unsafe", (key) => {
    expect(isUnsafeKey(key)).toBe(true);
  });
  test.each(["997-old/x.xml", "097/0000-0002-1825-0098.xml", `097/${ID}/works/not-a-work.xml`, "README", "097/"])(
    "%j is not an ORCID key but is safe",
    (key) => {
      expect(isUnsafeKey(key)).toBe(false);
    },
  );
});
