import { readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { processStart } from "@orcid-sync/core";
import { describe, expect, test } from "vitest";
import { raceLocks } from "../core/testdata/race_locks.ts";
import { acquireLock, LockHeldError, releaseLock } from "./lock.ts";
import { scratchDir } from "../core/testdata/scratch_dir.ts";

const lockPath = () => join(scratchDir("lock-"), "last_ran.config.lock");

describe("acquireLock()", () => {
  test("refuses a second holder while the first is alive, naming it", async () => {
    const path = lockPath();
    await acquireLock(path, { pid: 100, host: "h", liveness: () => "alive" });
    const error = await acquireLock(path, { pid: 200, host: "h", liveness: () => "alive" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as Error).message).toMatch(
      /^Another sync is running \(pid 100 on h, since .*\): lock .*last_ran.config.lock$/,
    );
  });

  test("takes over the lock of a dead process", async () => {
    const path = lockPath();
    await acquireLock(path, { pid: 100, host: "h", liveness: () => "alive" });
    const result = await acquireLock(path, {
      pid: 200,
      host: "h",
      liveness: (pid) => (pid === 100 ? "dead" : "alive"),
    });
    expect(result.tookOver?.pid).toBe(100);
    expect(result.broken).toBeUndefined(); // proven dead, not broken
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(200);
  });

  test("refuses a lock file that does not name its holder (empty or garbled) unless told to break it", async () => {
    for (const content of ["", '{"pid":']) {
      const path = lockPath();
      writeFileSync(path, content);
      const error = await acquireLock(path, { pid: 200, host: "h", liveness: () => "dead" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockHeldError);
      expect((error as Error).message).toContain("--break-lock");
      expect(readFileSync(path, "utf8")).toBe(content);
      await acquireLock(path, { pid: 200, host: "h", breakLock: true });
      expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(200);
    }
  });

  test("takes over a lock whose pid now belongs to another process (started at another time)", async () => {
    const path = lockPath();
    const start = processStart(process.pid);
    if (start === undefined) return; // no /proc: nothing to tell them apart by
    // This very pid, recorded with a start it never had: the process that held it is gone.
    writeFileSync(
      path,
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        since: "2026-01-01T00:00:00.000Z",
        start: `${start}0`,
        nonce: "x",
      }),
    );
    const result = await acquireLock(path, { pid: 1 << 22 });
    expect(result.tookOver?.pid).toBe(process.pid);
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(1 << 22);
    // A live holder recorded with its true start keeps it.
    const other = lockPath();
    await acquireLock(other, { pid: process.pid });
    await expect(acquireLock(other, { pid: 1 << 22, breakLock: true })).rejects.toThrow(LockHeldError);
  });

  test("takes a lock of another host only with breakLock, and says why", async () => {
    const path = lockPath();
    await acquireLock(path, { pid: 100, host: "other", liveness: () => "alive" });
    const error = await acquireLock(path, { pid: 200, host: "h", liveness: () => "dead" }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/pid 100 on other, since .*another host.*--break-lock/);
    const taken = await acquireLock(path, { pid: 200, host: "h", breakLock: true });
    expect(taken).toMatchObject({ tookOver: { pid: 100, host: "other" }, broken: true });
  });

  test("waits for the holder with waitSeconds", async () => {
    const path = lockPath();
    await acquireLock(path, { pid: 100, host: "h", liveness: () => "alive" });
    let released = false;
    const waiting = acquireLock(path, { pid: 200, host: "h", liveness: () => "alive", waitSeconds: 60 }).then(
      () => released,
    );
    setTimeout(() => void releaseLock(path, 100, "h").then(() => (released = true)), 200);
    expect(await waiting).toBe(true);
  });

  test("is released only by its holder", async () => {
    const path = lockPath();
    await acquireLock(path, { pid: 100, host: "h" });
    expect(await releaseLock(path, 200, "h")).toBe(false);
    expect(await releaseLock(path, 100, "h")).toBe(true);
    await acquireLock(path, { pid: 300, host: "h", liveness: () => "alive" });
  });
});

describe("acquireLock() across processes", () => {
  test("two processes × 200 rounds, holders dying among them, never hold it at once", async () => {
    const path = lockPath();
    const results = await raceLocks(
      "state",
      new URL("./dist/mod.js", import.meta.url).href,
      path,
      [undefined, undefined],
      200,
    );
    for (const result of results) {
      expect(result.stderr).toBe("");
      expect(JSON.parse(result.stdout)).toMatchObject({ overlap: null, deaths: 50 });
      expect(result.code).toBe(0);
    }
  }, 300_000);
});
