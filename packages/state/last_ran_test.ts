import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatIsoMicros } from "@orcid-sync/core";
import { afterEach, describe, expect, test } from "vitest";
import { readLastRan, readLastRanState, StateFileError, utcFileOf, writeLastRan } from "./last_ran.ts";
import { scratchDir } from "../core/testdata/scratch_dir.ts";

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
    expect(formatIsoMicros((await readLastRan(fixture("last_ran_no_fraction.config")))!)).toBe(
      "2026-11-19T13:03:27.000000Z",
    );
  });

  test("gives undefined for a missing file and a clear error for a malformed one", async () => {
    const dir = scratchDir("last-ran-");
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
    const dir = scratchDir("last-ran-");
    const path = join(dir, "last_ran.config");
    copyFileSync(fixture("last_ran.config"), path);
    const time = Date.UTC(2026, 10, 20, 0, 0, 0) * 1000;
    await writeLastRan(path, time);
    expect(readFileSync(path, "utf8")).toBe("2026-11-20 05:30:00.000000");
    expect(readFileSync(utcFileOf(path), "utf8")).toBe("2026-11-20T00:00:00.000000Z\n");
    expect(await readLastRan(path)).toBe(time);
  });

  test("saved under TZ=UTC and read under TZ=America/Los_Angeles: the same instant, no gap of hours", async () => {
    const dir = scratchDir("last-ran-");
    const path = join(dir, "last_ran.config");
    const time = Date.UTC(2026, 11, 2, 17, 4, 5) * 1000 + 123456;
    process.env.TZ = "UTC";
    await writeLastRan(path, time);
    expect(readFileSync(path, "utf8")).toBe("2026-12-02 17:04:05.123456");
    process.env.TZ = "America/Los_Angeles";
    expect(await readLastRanState(path)).toEqual({ micros: time, from: "utc" });
    process.env.TZ = "Asia/Kathmandu";
    expect(await readLastRan(path)).toBe(time);
  });

  test("a last_ran.config edited (or written by the reference) since is obeyed, in local time", async () => {
    const dir = scratchDir("last-ran-");
    const path = join(dir, "last_ran.config");
    process.env.TZ = "UTC";
    await writeLastRan(path, Date.UTC(2026, 11, 2, 17, 0, 0) * 1000);
    process.env.TZ = "America/Los_Angeles";
    writeFileSync(path, "2026-11-25 08:00:00.000000");
    expect(await readLastRanState(path)).toEqual({ micros: Date.UTC(2026, 10, 25, 16, 0, 0) * 1000, from: "local" });
    // Same wall time, other microseconds: not the instant ours holds.
    writeFileSync(path, "2026-12-02 17:00:00.000001");
    expect((await readLastRanState(path))?.from).toBe("local");
  });

  test("a crash between the two writes leaves the older last_ran.config in charge", async () => {
    const dir = scratchDir("last-ran-");
    const path = join(dir, "last_ran.config");
    process.env.TZ = "Europe/Berlin";
    await writeLastRan(path, Date.UTC(2026, 10, 1) * 1000);
    // The UTC file of the next run, written just before the crash.
    writeFileSync(utcFileOf(path), "2026-11-02T00:00:00.000000Z\n");
    expect(await readLastRanState(path)).toEqual({ micros: Date.UTC(2026, 10, 1) * 1000, from: "local" });
    writeFileSync(utcFileOf(path), "garbage");
    expect(await readLastRanState(path)).toEqual({ micros: Date.UTC(2026, 10, 1) * 1000, from: "local" });
  });

  test("without last_ran.config the UTC file alone says nothing", async () => {
    const dir = scratchDir("last-ran-");
    writeFileSync(join(dir, "last_ran.config.utc"), "2026-11-02T00:00:00.000000Z\n");
    expect(await readLastRan(join(dir, "last_ran.config"))).toBeUndefined();
  });
});
