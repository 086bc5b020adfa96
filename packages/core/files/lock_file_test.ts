import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { LockHeldError, readLockHolder, releaseLockFile, takeLockFile } from "./lock_file.ts";
import { scratchDir } from "../testdata/scratch_dir.ts";

const folder = () => scratchDir("lock-file-");

describe("takeLockFile()", () => {
  test("writes the whole holder in one step and leaves no temp file", () => {
    const dir = folder();
    const path = join(dir, "x.lock");
    const { holder } = takeLockFile(path, { pid: 100, host: "h", scope: "the whole mirror" });
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(holder);
    expect(holder).toMatchObject({ pid: 100, host: "h", scope: "the whole mirror" });
    expect(readdirSync(dir)).toEqual(["x.lock"]);
  });

  test("a taker that died holding the takeover marker is taken over in turn; markers are swept", () => {
    const dir = folder();
    const path = join(dir, "x.lock");
    const dead = takeLockFile(path, { pid: 100, host: "h" }).holder;
    // Pid 200 died while taking over pid 100's lock: its marker is still there.
    takeLockFile(`${path}.takeover-${dead.nonce}`, { pid: 200, host: "h" });
    const liveness = (pid: number) => (pid === 100 || pid === 200 ? "dead" : "alive") as const;
    const { tookOver } = takeLockFile(path, { pid: 300, host: "h", liveness });
    expect(tookOver?.pid).toBe(100);
    expect(readLockHolder(path)?.pid).toBe(300);
    expect(readdirSync(dir)).toEqual(["x.lock"]);
  });

  test("a live taker's marker keeps others out until it is done", () => {
    const dir = folder();
    const path = join(dir, "x.lock");
    const dead = takeLockFile(path, { pid: 100, host: "h" }).holder;
    takeLockFile(`${path}.takeover-${dead.nonce}`, { pid: 200, host: "h" });
    const liveness = (pid: number) => (pid === 100 ? "dead" : "alive") as const;
    expect(() => takeLockFile(path, { pid: 300, host: "h", liveness })).toThrow(LockHeldError);
    expect(readLockHolder(path)?.pid).toBe(100);
  });

  test("releaseLockFile() with a nonce releases only that taking", () => {
    const path = join(folder(), "x.lock");
    const { holder } = takeLockFile(path, { pid: 100, host: "h" });
    expect(releaseLockFile(path, 100, "h", "another")).toBe(false);
    expect(releaseLockFile(path, 100, "h", holder.nonce)).toBe(true);
    expect(readLockHolder(path)).toBeUndefined();
  });

  test("an unreadable lock names nobody and is kept", () => {
    const path = join(folder(), "x.lock");
    writeFileSync(path, "");
    expect(() => takeLockFile(path, { pid: 100, host: "h", liveness: () => "dead" })).toThrow(
      /does not name its holder/,
    );
  });
});
