// One writer per part of a mirror: orcid-place holds the mirror's lock (whole, or its --shard)
// while it runs, whichever folder it was started from; a second run that could touch the same iDs
// exits 3 at once naming the holder, or waits with --wait-lock; disjoint shards share the mirror.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { folderInShard, MIRROR_LOCK_FOLDER } from "@orcid-sync/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BIN_DIR, ROOT, runBin, runCommand, scratch, type SeededS3, startSeededS3 } from "./helpers.ts";

const work = scratch("orcid-sync-mirror-lock-");
let s3: SeededS3;

beforeAll(async () => {
  s3 = await startSeededS3({ records: 50, seed: 5 });
});
afterAll(async () => {
  await s3?.close();
  work.remove();
});

/** A summary object record of `orcid`. */
function summaryLine(orcid: string): string {
  const body = `<summary of="${orcid}"/>`;
  return `${JSON.stringify({ type: "object", bucket: "v3.0-summaries", key: `${orcid.slice(-3)}/${orcid}.xml`, orcid, kind: "summary", body, etag: "e", size: body.length })}\n`;
}
// Two iDs on either side of the 2-shard split.
const IN_FIRST = "0000-0002-1825-0097";
const IN_SECOND = "0000-0003-1415-9920";

/** An orcid-place that holds the lock until its stdin ends; resolves once its entry is there. */
async function holder(mirror: string, args: string[] = []): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(join(BIN_DIR, "orcid-place"), [mirror, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  child.stdout.resume();
  child.stderr.resume();
  const folder = join(mirror, MIRROR_LOCK_FOLDER);
  while (
    !(existsSync(folder) && readdirSync(folder).some((name) => /^(all|shard-\d+-of-\d+)\.[0-9a-f-]+\.lock$/.test(name)))
  ) {
    if (child.exitCode !== null) throw new Error(`holder exited ${child.exitCode}`);
    await delay(20);
  }
  return child;
}

async function finish(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  child.stdin.end();
  const [code] = await once(child, "close");
  return code as number | null;
}

describe("the mirror lock", () => {
  test("a second orcid-place on the same mirror, from another folder, exits 3 at once naming the holder; nothing written", async () => {
    const mirror = join(work.dir, "one", "ORCID_public_data_files");
    const held = await holder(mirror);
    try {
      const other = join(work.dir, "elsewhere");
      mkdirSync(other, { recursive: true });
      for (const args of [[], ["--shard", "2/2"]]) {
        const second = await runBin("orcid-place", [mirror, ...args], { stdin: summaryLine(IN_SECOND), cwd: other });
        expect(second.code).toBe(3);
        expect(second.stderr).toMatch(
          new RegExp(
            `^orcid-place: error: Another sync is running \\(pid ${held.pid} on ${hostname()}, since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z, the whole mirror\\): lock ${mirror}\\n$`,
          ),
        );
        expect(existsSync(join(mirror, "summaries"))).toBe(false);
      }
    } finally {
      expect(await finish(held)).toBe(0);
    }
    // Released: the lock folder and the mirror it made went with it.
    expect(existsSync(mirror)).toBe(false);
  });

  test("sync.sh on a mirror another run holds stops with exit 3 naming it, and leaves the state alone", async () => {
    const root = join(work.dir, "shared");
    const mirror = join(root, "ORCID_public_data_files");
    const held = await holder(mirror);
    try {
      const cwd = join(work.dir, "sync-run");
      mkdirSync(cwd, { recursive: true });
      const result = await runCommand(join(ROOT, "scripts", "sync.sh"), ["-s", "-d", "30", "-p", root], {
        cwd,
        env: s3.env,
      });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`orcid-fetch: error: Another sync is running (pid ${held.pid} on ${hostname()}`);
      expect(existsSync(join(cwd, "last_ran.config"))).toBe(false);
      expect(existsSync(join(cwd, "last_ran.config.lock"))).toBe(false);
    } finally {
      await finish(held);
    }
  });

  test("--wait-lock waits for the holder to finish, then places", async () => {
    const mirror = join(work.dir, "wait", "ORCID_public_data_files");
    const held = await holder(mirror);
    const waiting = spawn(join(BIN_DIR, "orcid-place"), [mirror, "--wait-lock", "600"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    let stdout = "";
    waiting.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    waiting.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    waiting.stdin.end(summaryLine(IN_FIRST));
    while (!stderr.includes("waiting up to 600 s for the mirror")) await delay(20);
    expect(stderr).toContain(`pid ${held.pid}`);
    expect(existsSync(join(mirror, "summaries"))).toBe(false);
    await finish(held);
    const [code] = await once(waiting, "close");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ type: "placed", action: "written" });
    expect(readFileSync(join(mirror, "summaries", "097", `${IN_FIRST}.xml`), "utf8")).toContain(IN_FIRST);
  });

  test("disjoint shards write one mirror at once; a shard refuses iDs of another", async () => {
    expect([folderInShard("097", { index: 1, count: 2 }), folderInShard("920", { index: 2, count: 2 })]).toEqual([
      true,
      true,
    ]);
    const mirror = join(work.dir, "shards", "ORCID_public_data_files");
    const first = await holder(mirror, ["--shard", "1/2"]);
    try {
      const second = await runBin("orcid-place", [mirror, "--shard", "2/2"], {
        stdin: summaryLine(IN_SECOND) + summaryLine(IN_FIRST),
      });
      expect(second.stderr).not.toContain("Another sync");
      expect(second.code).toBe(1);
      const records = second.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { type: string; code?: string; orcid: string });
      expect(records).toMatchObject([
        { type: "placed", orcid: IN_SECOND },
        { type: "error", code: "NotInShard", orcid: IN_FIRST },
      ]);
      expect(existsSync(join(mirror, "summaries", "097"))).toBe(false);
    } finally {
      await finish(first);
    }
  });

  test("a holder on another host: exit 3 naming it and --break-lock; with --break-lock it is broken, and said so", async () => {
    const mirror = join(work.dir, "other-host", "ORCID_public_data_files");
    // An entry as a run on another host leaves it (its pid and start mean nothing here).
    const since = "2026-12-01T17:00:00.000Z";
    const nonce = "5b0e0a5e-1111-4111-8111-111111111111";
    mkdirSync(join(mirror, MIRROR_LOCK_FOLDER), { recursive: true });
    writeFileSync(
      join(mirror, MIRROR_LOCK_FOLDER, `all.${nonce}.lock`),
      JSON.stringify({
        pid: 4242,
        host: "other-host.example",
        since,
        start: "boot/123456",
        scope: "the whole mirror",
        nonce,
      }),
    );
    const refused = await runBin("orcid-place", [mirror], { stdin: summaryLine(IN_FIRST) });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toBe(
      `orcid-place: error: Another sync is running (pid 4242 on other-host.example, since ${since}, the whole mirror): lock ${mirror}; it is on another host, so whether it still runs cannot be checked from here: if it does not, pass --break-lock\n`,
    );
    expect(existsSync(join(mirror, "summaries"))).toBe(false);

    const broke = await runBin("orcid-place", [mirror, "--break-lock"], { stdin: summaryLine(IN_FIRST) });
    expect(broke.code).toBe(0);
    expect(broke.stderr).toContain(
      `orcid-place: warning: broke the mirror lock of pid 4242 on other-host.example (since ${since}) with --break-lock: that run was not proven gone`,
    );
    expect(broke.stderr).not.toContain("that process is gone");
    expect(readFileSync(join(mirror, "summaries", "097", `${IN_FIRST}.xml`), "utf8")).toContain(IN_FIRST);
    expect(existsSync(join(mirror, MIRROR_LOCK_FOLDER))).toBe(false);
  });

  test("an entry that names no holder (damaged): exit 3 asking for --break-lock; with --break-lock it is broken, and said so", async () => {
    const mirror = join(work.dir, "damaged", "ORCID_public_data_files");
    mkdirSync(join(mirror, MIRROR_LOCK_FOLDER), { recursive: true });
    writeFileSync(join(mirror, MIRROR_LOCK_FOLDER, "all.5b0e0a5e-2222-4222-8222-222222222222.lock"), "");
    const refused = await runBin("orcid-place", [mirror], { stdin: summaryLine(IN_FIRST) });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("does not name its holder (if no run holds it, pass --break-lock)");
    const broke = await runBin("orcid-place", [mirror, "--break-lock"], { stdin: summaryLine(IN_FIRST) });
    expect(broke.code, broke.stderr).toBe(0);
    expect(broke.stderr).toContain(
      "orcid-place: warning: broke a mirror lock entry that named no holder (damaged) with --break-lock",
    );
    expect(existsSync(join(mirror, MIRROR_LOCK_FOLDER))).toBe(false);
  });

  test("the lock of a killed run is taken over; a run stopped by SIGTERM releases it", async () => {
    const mirror = join(work.dir, "killed", "ORCID_public_data_files");
    const killed = await holder(mirror);
    killed.kill("SIGKILL");
    await once(killed, "close");
    const next = await runBin("orcid-place", [mirror], { stdin: summaryLine(IN_FIRST) });
    expect(next.code).toBe(0);
    expect(next.stderr).toContain(`took over a stale mirror lock of pid ${killed.pid} on ${hostname()}`);
    const stopped = await holder(mirror);
    stopped.kill("SIGTERM");
    const [code] = await once(stopped, "close");
    expect(code).toBe(143);
    expect(existsSync(join(mirror, MIRROR_LOCK_FOLDER))).toBe(false);
  });
});
