import { describe, expect, test } from "vitest";
import { activitiesFolder, keyPathOf, mirrorPath } from "./mirror_layout.ts";
import { InvalidKeyError } from "./orcid_key.ts";

describe("mirrorPath()", () => {
  test("places summaries and activities as the reference does", () => {
    expect(mirrorPath("summary", "097/0000-0002-1825-0097.xml")).toBe("summaries/097/0000-0002-1825-0097.xml");
    expect(mirrorPath("works", "31X/0000-0002-7869-831X/works/0000-0002-7869-831X_works_9.xml")).toBe(
      "activities/31X/0000-0002-7869-831X/works/0000-0002-7869-831X_works_9.xml",
    );
  });

  test.each([
    ["../../secret.xml"],
    ["097/../../0000-0002-1825-0097.xml"],
    ["/etc/0000-0002-1825-0097.xml"],
    ["098/0000-0002-1825-0097.xml"],
    ["097/0000-0002-1825-0097/works/../../../x.xml"],
  ])("refuses %s: no path outside its place", (key) => {
    expect(() => mirrorPath("summary", key)).toThrow(InvalidKeyError);
    expect(() => mirrorPath("works", key)).toThrow(InvalidKeyError);
  });

  test("refuses a kind the key does not hold", () => {
    expect(() => mirrorPath("works", "097/0000-0002-1825-0097.xml")).toThrow(InvalidKeyError);
    expect(() => mirrorPath("summary", "31X/0000-0002-7869-831X/works/0000-0002-7869-831X_works_9.xml")).toThrow(
      InvalidKeyError,
    );
  });
});

describe("keyPathOf()", () => {
  test("places a key of the iD, whatever its kind, and refuses another iD's or a malformed one", () => {
    const id = "0000-0002-1825-0097";
    expect(keyPathOf(`097/${id}.xml`, id)).toBe(`summaries/097/${id}.xml`);
    expect(keyPathOf(`097/${id}/works/${id}_works_9.xml`, id)).toBe(`activities/097/${id}/works/${id}_works_9.xml`);
    expect(() => keyPathOf("31X/0000-0002-7869-831X/works/0000-0002-7869-831X_works_9.xml", id)).toThrow(
      /does not belong to 0000-0002-1825-0097/,
    );
    expect(() => keyPathOf(`097/${id}/works/../../x.xml`, id)).toThrow(InvalidKeyError);
  });
});

describe("activitiesFolder()", () => {
  test("is the iD's folder, and refuses what is not an iD", () => {
    expect(activitiesFolder("0000-0002-1825-0097")).toBe("activities/097/0000-0002-1825-0097");
    expect(() => activitiesFolder("../../../etc")).toThrow(InvalidKeyError);
    expect(() => activitiesFolder("0000-0002-1825-0098")).toThrow(InvalidKeyError);
  });
});
