import { describe, expect, test } from "vitest";
import {
  formatIsoMicros,
  formatLambdaMicros,
  formatLocalMicros,
  parseDateTime,
  parseDuration,
  parseSpan,
  parseWhen,
} from "./time.ts";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0) * 1000 + 123456; // 2026-11-20T12:00:00.123456Z

describe("parseWhen()", () => {
  test("reads spans back from an injected now", () => {
    expect(formatIsoMicros(parseWhen("30d", NOW))).toBe("2026-10-21T12:00:00.123456Z");
    expect(formatIsoMicros(parseWhen("12h", NOW))).toBe("2026-11-20T00:00:00.123456Z");
    expect(formatIsoMicros(parseWhen("90m", NOW))).toBe("2026-11-20T10:30:00.123456Z");
    expect(formatIsoMicros(parseWhen("2w", NOW))).toBe("2026-11-06T12:00:00.123456Z");
    expect(parseWhen("now", NOW)).toBe(NOW);
  });

  test("reads dates and date-times at microsecond precision", () => {
    expect(formatIsoMicros(parseWhen("2026-11-01", NOW))).toBe("2026-11-01T00:00:00.000000Z");
    expect(formatIsoMicros(parseWhen("2026-11-20T09:00:00.000001Z", NOW))).toBe("2026-11-20T09:00:00.000001Z");
    expect(formatIsoMicros(parseWhen("2026-11-20 09:00:00.5", NOW))).toBe("2026-11-20T09:00:00.500000Z");
    expect(formatIsoMicros(parseWhen("2026-11-20T10:00:00+01:00", NOW))).toBe("2026-11-20T09:00:00.000000Z");
    expect(formatIsoMicros(parseWhen("2026-11-20T09:00:00.123456789Z", NOW))).toBe("2026-11-20T09:00:00.123456Z");
  });

  test("round-trips what orcid-state get prints", () => {
    expect(parseWhen(formatIsoMicros(NOW), 0)).toBe(NOW);
  });

  test.each(["", "yesterday", "30", "30y", "2026-13-01", "2026-02-30", "2026-11-20T25:00:00Z", "-1d"])(
    "refuses %j with a message saying what it takes",
    (text) => {
      expect(() => parseWhen(text, NOW)).toThrow(/Invalid time .*use a span like 30d/);
    },
  );
});

describe("formatLambdaMicros()", () => {
  test("compares as text the way the times compare, against padded lambda dates", () => {
    const cutoff = formatLambdaMicros(parseWhen("2021-08-02 15:00:00.123456", 0));
    expect(cutoff).toBe("2021-08-02 15:00:00.123456");
    expect("2021-08-02 15:00:00.123457" >= cutoff).toBe(true);
    expect("2021-08-02 15:00:00.123455" >= cutoff).toBe(false);
    expect("2021-08-02 15:00:01.000000" >= cutoff).toBe(true);
  });
});

describe("local time (last_ran.config)", () => {
  test("round-trips through the host's zone", () => {
    const text = formatLocalMicros(NOW);
    expect(text).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.123456$/);
    expect(parseDateTime(text, "local")).toBe(NOW);
  });
});

describe("parseDuration()", () => {
  test("reads ms, s, m, h, d and w into milliseconds; a bare number takes the bare unit", () => {
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("2m")).toBe(120_000);
    expect(parseDuration("1.5h")).toBe(5_400_000);
    expect(parseDuration("2w")).toBe(14 * 86_400_000);
    expect(parseDuration("5", { bareUnit: "s" })).toBe(5000);
  });

  test("refuses nonsense, a bare number without a bare unit, and 0 unless allowed", () => {
    expect(() => parseDuration("soon")).toThrow(/Invalid duration/);
    expect(() => parseDuration("5")).toThrow(/Invalid duration/);
    expect(() => parseDuration("0s")).toThrow(/Invalid duration/);
    expect(parseDuration("0", { allowZero: true })).toBe(0);
  });
});

describe("parseSpan()", () => {
  test("is parseDuration in microseconds, with 0 for no span", () => {
    expect(parseSpan("90m")).toBe(90 * 60e6);
    expect(parseSpan("0")).toBe(0);
    expect(() => parseSpan("90")).toThrow(RangeError);
  });
});
