import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatIsoMicros } from "@orcid-sync/core";
import { afterEach, describe, expect, test } from "vitest";
import { readLastRan, StateFileError, writeLastRan } from "./last_ran.ts";

const fixture = (name: string) => new URL(`./testdata/${name}`, import.meta.url).pathname;
const originalTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = originalTz;
});

describe("readLastRan()", () => {
  test("reads the reference's file as local time", async () => {
    process.env.TZ = "UTC";
    expect(formatIsoMicros((await readLastRan(fixture("last_ran.config")))!)).toBe("2026-11-19T14:03:27.481902Z");
    process.env.TZ = "America/Los_Angeles";
    expect(formatIsoMicros((await readLastRan(fixture("last_ran.config")))!)).toBe("2026-11-19T22:03:27.481902Z");
  });

  test("accepts the form without a fraction that the reference writes at .000000", async () => {
    process.env.TZ = "Europe/Berlin";
    expect(formatIsoMicros((await readLastRan(fixture("last_ran_no_fraction.config")))!)).toBe("2026-11-19T13:03:27.000000Z");
  });

  test("gives undefined for a missing file and a clear error for a malformed one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "last-ran-"));
    expect(await readLastRan(join(dir, "none"))).toBeUndefined();
    for (const content of ["", "yesterday", "2026-11-19", "2026-11-19 25:03:27.1", "2026-11-19 14:03:27.1234567"]) {
      writeFileSync(join(dir, "bad"), content);
      await expect(readLastRan(join(dir, "bad"))).rejects.toThrow(StateFileError);
    }
  });
});

describe("writeLastRan()", () => {
  test("writes local time with six fraction digits and no newline, and reads it back", async () => {
    process.env.TZ = "Asia/Kolkata";
    const dir = mkdtempSync(join(tmpdir(), "last-ran-"));
    const path = join(dir, "last_ran.config");
    copyFileSync(fixture("last_ran.config"), path);
    const time = Date.UTC(2026, 10, 20, 0, 0, 0) * 1000;
    await writeLastRan(path, time);
    expect(readFileSync(path, "utf8")).toBe("2026-11-20 05:30:00.000000");
    expect(await readLastRan(path)).toBe(time);
  });
});
