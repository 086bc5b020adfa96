import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { acquireLock, LockHeldError, releaseLock } from "./lock.ts";

const lockPath = () => join(mkdtempSync(join(tmpdir(), "lock-")), "last_ran.config.lock");

describe("acquireLock()", () => {
  test("refuses a second holder while the first is alive, naming it", async () => {
    const path = lockPath();
    await acquireLock(path, { pid: 100, host: "h", isAlive: () => true });
    const error = await acquireLock(path, { pid: 200, host: "h", isAlive: () => true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as Error).message).toMatch(/^Another sync is running \(pid 100 on h, since .*\): lock /);
  });

  test("takes over the lock of a dead process", async () => {
    const path = lockPath();
    await acquireLock(path, { pid: 100, host: "h", isAlive: () => true });
    const result = await acquireLock(path, { pid: 200, host: "h", isAlive: (pid) => pid !== 100 });
    expect(result.tookOver?.pid).toBe(100);
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(200);
  });

  test("takes over a half-written lock file", async () => {
    const path = lockPath();
    writeFileSync(path, '{"pid":');
    await acquireLock(path, { pid: 200, host: "h", isAlive: () => true });
    expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(200);
  });

  test("never takes over a lock of another host", async () => {
    const path = lockPath();
    await acquireLock(path, { pid: 100, host: "other", isAlive: () => true });
    await expect(acquireLock(path, { pid: 200, host: "h", isAlive: () => false })).rejects.toThrow(LockHeldError);
  });

  test("is released only by its holder", async () => {
    const path = lockPath();
    await acquireLock(path, { pid: 100, host: "h" });
    expect(await releaseLock(path, 200, "h")).toBe(false);
    expect(await releaseLock(path, 100, "h")).toBe(true);
    await acquireLock(path, { pid: 300, host: "h", isAlive: () => true });
  });
});
