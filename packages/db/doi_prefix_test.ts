import { expect, test } from "vitest";
import { doiPrefixRange, normalizeDoiPrefix } from "./doi_prefix.ts";

test("normalizeDoiPrefix() reads the forms publishers paste and refuses DOIs and words", () => {
  for (const text of [
    "10.5438",
    " 10.5438/ ",
    "doi:10.5438",
    "https://doi.org/10.5438/",
    "HTTP://DX.DOI.ORG/10.5438",
  ]) {
    expect(normalizeDoiPrefix(text), text).toBe("10.5438");
  }
  expect(normalizeDoiPrefix("10.1000.10")).toBe("10.1000.10");
  for (const text of ["10.5438/3dfw-z4kq", "5438", "10.", "10.x", ""])
    expect(normalizeDoiPrefix(text), text).toBeUndefined();
});

test("doiPrefixRange() holds every DOI under the prefix and none under a longer one", () => {
  const [low, high] = doiPrefixRange("10.5438");
  const inside = (doi: string) => doi >= low && doi < high;
  expect(["10.5438/3dfw-z4kq", "10.5438/", "10.5438/~"].every(inside)).toBe(true);
  expect(["10.54380/x", "10.5439/x", "10.5437/x", "10.5438", "10.5438.1/x"].some(inside)).toBe(false);
});
