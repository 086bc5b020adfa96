import { describe, expect, it } from "vitest";
import { normalizeDoi } from "./doi.ts";

describe("normalizeDoi()", () => {
  it("reads every form users paste as the same DOI", () => {
    for (const form of [
      "10.5438/3DFW-Z4KQ",
      "https://doi.org/10.5438/3DFW-Z4KQ",
      "http://dx.doi.org/10.5438/3dfw-z4kq",
      "doi:10.5438/3DFW-Z4KQ",
      "DOI: 10.5438/3DFW-Z4KQ.",
      "  https://doi.org/10.5438%2F3DFW-Z4KQ ",
    ]) {
      expect(normalizeDoi(form), form).toBe("10.5438/3dfw-z4kq");
    }
  });

  it("finds no DOI in text without one", () => {
    expect(normalizeDoi("not a doi")).toBeUndefined();
    expect(normalizeDoi("10.abc")).toBeUndefined();
  });
});
