import { describe, expect, test } from "vitest";
import { parseBytes } from "./units.ts";

describe("parseBytes()", () => {
  test("reads binary units", () => {
    expect(parseBytes("256M")).toBe(256 * 2 ** 20);
    expect(parseBytes("1G")).toBe(2 ** 30);
    expect(parseBytes("512k")).toBe(512 * 1024);
    expect(parseBytes("64MiB")).toBe(64 * 2 ** 20);
    expect(parseBytes("1000")).toBe(1000);
  });
  test.each(["", "0", "-1M", "lots", "1T"])("refuses %j", (text) => {
    expect(() => parseBytes(text)).toThrow(/Invalid size/);
  });
});
