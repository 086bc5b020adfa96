import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { raceLocks } from "../testdata/race_locks.ts";
import { LockHeldError } from "./lock_file.ts";
import { acquireMirrorLock, MIRROR_LOCK_FOLDER } from "./mirror_lock.ts";
import { parseShard } from "../orcid/mod.ts";
import { scratchDir } from "../testdata/scratch_dir.ts";

const mirror = () => join(scratchDir("mirror-lock-"), "ORCID_public_data_files");

describe("acquireMirrorLock()", () => {
  test("the whole mirror and any shard exclude each other; disjoint shards share it", async () => {
    const root = mirror();
    const first = await acquireMirrorLock(root, { shard: parseShard("1/2") });
    const second = await acquireMirrorLock(root, { shard: parseShard("2/2") });
    const whole = await acquireMirrorLock(root).catch((e: unknown) => e);
    expect(whole).toBeInstanceOf(LockHeldError);
    expect((whole as Error).message).toMatch(
      new RegExp(`^Another sync is running \\(pid ${process.pid} on .+, since .+, shard [12]/2\\): lock ${root}$`),
    );
    const overlapping = await acquireMirrorLock(root, { shard: parseShard("2/3") }).catch((e: unknown) => e);
    expect(overlapping).toBeInstanceOf(LockHeldError);
    first.release();
    second.release();
    const all = await acquireMirrorLock(root);
    await expect(acquireMirrorLock(root, { shard: parseShard("5/8") })).rejects.toThrow(/the whole mirror/);
    all.release();
  });

  test("a run that writes nothing leaves nothing: the folders the lock made go with it", async () => {
    const root = mirror();
    const lock = await acquireMirrorLock(root);
    expect(readdirSync(root)).toEqual([MIRROR_LOCK_FOLDER]);
    lock.release();
    expect(existsSync(root)).toBe(false);
  });

  test("waits with waitSeconds until the holder releases", async () => {
    const root = mirror();
    const lock = await acquireMirrorLock(root);
    let waitedFor: LockHeldError | undefined;
    setTimeout(() => lock.release(), 300);
    const next = await acquireMirrorLock(root, { waitSeconds: 60, onWait: (error) => (waitedFor = error) });
    expect(waitedFor?.holder?.pid).toBe(process.pid);
    next.release();
  });

  test("takes over the entry of a holder proven dead", async () => {
    const root = mirror();
    await acquireMirrorLock(root, { pid: 1 << 22 }); // never released: its process is gone
    const lock = await acquireMirrorLock(root, { shard: parseShard("1/4") });
    expect(lock.tookOver.map((h) => h.pid)).toEqual([1 << 22]);
    lock.release();
  });
});

describe("acquireMirrorLock() and another host's holder", () => {
  /** An entry as a run on another host writes it (lock_file.ts's holder record). */
  function forgeEntry(root: string): void {
    mkdirSync(join(root, MIRROR_LOCK_FOLDER), { recursive: true });
    const holder = {
      pid: 4242,
      host: "other-host.example",
      since: "2026-12-01T17:00:00.000Z",
      start: "7d0c7c52-0000-4000-8000-000000000000/123456",
      scope: "the whole mirror",
      nonce: "5b0e0a5e-1111-4111-8111-111111111111",
    };
    writeFileSync(join(root, MIRROR_LOCK_FOLDER, `all.${holder.nonce}.lock`), JSON.stringify(holder));
  }

  test("cannot be proven dead: LockHeldError names it and --break-lock; breakLock takes it over as broken", async () => {
    const root = mirror();
    forgeEntry(root);
    for (const shard of [undefined, parseShard("3/8")]) {
      const held = await acquireMirrorLock(root, shard ? { shard } : {}).catch((e: unknown) => e);
      expect(held).toBeInstanceOf(LockHeldError);
      expect((held as LockHeldError).holder).toMatchObject({ pid: 4242, host: "other-host.example" });
      expect((held as Error).message).toBe(
        `Another sync is running (pid 4242 on other-host.example, since 2026-12-01T17:00:00.000Z, the whole mirror): lock ${root}; it is on another host, so whether it still runs cannot be checked from here: if it does not, pass --break-lock`,
      );
    }
    const lock = await acquireMirrorLock(root, { breakLock: true });
    expect(lock.broke).toMatchObject([{ pid: 4242, host: "other-host.example" }]);
    expect(lock.tookOver).toEqual([]);
    const entries = readdirSync(join(root, MIRROR_LOCK_FOLDER));
    expect(entries).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(root, MIRROR_LOCK_FOLDER, entries[0] as string), "utf8"))).toMatchObject({
      pid: process.pid,
      host: hostname(),
    });
    lock.release();
    expect(readdirSync(root)).toEqual([]); // the broken entry went with the takeover, ours with the release
  });

  test("an entry that names no holder (damaged) is broken only with breakLock, and counted as broken", async () => {
    const root = mirror();
    mkdirSync(join(root, MIRROR_LOCK_FOLDER), { recursive: true });
    writeFileSync(join(root, MIRROR_LOCK_FOLDER, "all.damaged.lock"), "{");
    const held = await acquireMirrorLock(root).catch((e: unknown) => e);
    expect(held).toBeInstanceOf(LockHeldError);
    const lock = await acquireMirrorLock(root, { breakLock: true });
    expect(lock.broke).toEqual([undefined]);
    expect(lock.tookOver).toEqual([]);
    lock.release();
  });

  test("breakLock never breaks a live holder of this host", async () => {
    const root = mirror();
    const live = await acquireMirrorLock(root);
    await expect(acquireMirrorLock(root, { breakLock: true, pid: 1 << 22 })).rejects.toThrow(LockHeldError);
    live.release();
  });
});

describe("acquireMirrorLock() across processes", () => {
  const built = new URL("../dist/mod.js", import.meta.url).href;
  // The whole mirror against a shard, and two shards that share folders (whole against whole is the same path).
  for (const shards of [
    [undefined, "2/3"],
    ["1/2", "1/3"],
  ]) {
    test(`two processes (${shards.map((s) => s ?? "whole").join(" and ")}) × 200 rounds, holders dying among them, never hold it at once`, async () => {
      const results = await raceLocks("mirror", built, mirror(), shards, 200);
      for (const result of results) {
        expect(result.stderr).toBe("");
        expect(JSON.parse(result.stdout)).toMatchObject({ overlap: null, deaths: 50 });
        expect(result.code).toBe(0);
      }
    }, 300_000);
  }
});

describe("acquireMirrorLock() and symlinks", () => {
  test("refuses a lock folder that is a symlink: nothing is written outside the mirror", async () => {
    const root = mirror();
    const outside = scratchDir("outside-");
    mkdirSync(root);
    symlinkSync(outside, join(root, MIRROR_LOCK_FOLDER));
    await expect(acquireMirrorLock(root)).rejects.toThrow(/not a folder/);
    expect(readdirSync(outside)).toEqual([]);
  });
});
