import { describe, expect, test } from "vitest";
import { UsageError } from "./cli_runner.ts";
import { secondsFlag, wholeNumberFlag } from "./flag_checks.ts";

describe("wholeNumberFlag()", () => {
  test("passes a whole number in range and refuses others with the flag's name", () => {
    expect(wholeNumberFlag("--concurrency", 16, 1)).toBe(16);
    expect(() => wholeNumberFlag("--concurrency", 0, 1)).toThrow(
      new UsageError("--concurrency takes a whole number ≥ 1"),
    );
    expect(() => wholeNumberFlag("--concurrency", 1.5, 1)).toThrow(UsageError);
    expect(() => wholeNumberFlag("--level", 10, 1, 9)).toThrow(
      new UsageError("--level takes a whole number from 1 to 9"),
    );
  });
});

describe("secondsFlag()", () => {
  test("passes seconds ≥ 0 and refuses a negative or NaN", () => {
    expect(secondsFlag("--wait-lock", 0.5)).toBe(0.5);
    expect(() => secondsFlag("--wait-lock", -1)).toThrow(new UsageError("--wait-lock takes a number of seconds ≥ 0"));
    expect(() => secondsFlag("--wait-lock", Number.NaN)).toThrow(UsageError);
  });
});
