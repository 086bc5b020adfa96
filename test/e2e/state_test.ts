import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { runBin, runPipeline, scratch } from "./helpers.ts";

const dirs: { remove: () => void }[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

function workdir(): string {
  const dir = scratch("orcid-state-");
  dirs.push(dir);
  return dir.dir;
}

const state = (cwd: string, args: string[], tz = "America/Los_Angeles") =>
  runBin("orcid-state", args, { cwd, env: { TZ: tz } });

describe("orcid-state", () => {
  test("set writes the reference's local-time form in the current directory; get prints UTC less the overlap", async () => {
    const cwd = workdir();
    expect((await state(cwd, ["set", "--time", "2026-11-20T09:00:00.5Z"])).code).toBe(0);
    expect(readFileSync(join(cwd, "last_ran.config"), "utf8")).toBe("2026-11-20 01:00:00.500000");
    const get = await state(cwd, ["get"]);
    expect(get.code).toBe(0);
    expect(get.stdout).toBe("2026-11-20T08:00:00.500000Z\n");
    expect((await state(cwd, ["get", "--overlap", "0"])).stdout).toBe("2026-11-20T09:00:00.500000Z\n");
    // Another zone reads the same instant through last_ran.config.utc.
    expect((await state(cwd, ["get", "--overlap", "30m"], "Asia/Kolkata")).stdout).toBe(
      "2026-11-20T08:30:00.500000Z\n",
    );
  });

  test("saved under TZ=UTC, read under TZ=America/Los_Angeles: the cutoff is the saved instant less the overlap, no gap of hours", async () => {
    const cwd = workdir();
    expect((await state(cwd, ["set", "--time", "2026-12-02T17:04:05.123456Z"], "UTC")).code).toBe(0);
    expect(readFileSync(join(cwd, "last_ran.config"), "utf8")).toBe("2026-12-02 17:04:05.123456");
    expect(readFileSync(join(cwd, "last_ran.config.utc"), "utf8")).toBe("2026-12-02T17:04:05.123456Z\n");
    const get = await state(cwd, ["get", "--overlap", "1h"], "America/Los_Angeles");
    expect(get.stdout).toBe("2026-12-02T16:04:05.123456Z\n");
  });

  test("last_ran.config edited back by hand re-syncs that window: read in local time, the UTC file set aside", async () => {
    const cwd = workdir();
    await state(cwd, ["set", "--time", "2026-12-02T17:00:00Z"], "UTC");
    writeFileSync(join(cwd, "last_ran.config"), "2026-11-25 08:00:00.000000");
    const get = await state(cwd, ["get", "--overlap", "0", "--log-level", "info"], "America/Los_Angeles");
    expect(get.stdout).toBe("2026-11-25T16:00:00.000000Z\n");
    expect(get.stderr).toContain("last_ran.config.utc does not agree with last_ran.config");
  });

  test("set --records saves the earlier of --time and the lambda file's newest row, and says when that file is older than the last run", async () => {
    const cwd = workdir();
    const lambda = (newest: string) =>
      `{"type":"placed","action":"written","path":"summaries/097/0000-0002-1825-0097.xml","orcid":"0000-0002-1825-0097"}\n{"type":"lambda","bucket":"orcid-lambda-file","key":"last_modified.csv.tar","newest":"${newest}"}\n`;
    writeFileSync(join(cwd, "reach.ndjson"), lambda("2026-11-20T10:00:00.000001Z"));
    expect((await state(cwd, ["set", "--time", "2026-11-20T12:00:00Z", "--records", "reach.ndjson"], "UTC")).code).toBe(
      0,
    );
    expect(readFileSync(join(cwd, "last_ran.config.utc"), "utf8")).toBe("2026-11-20T10:00:00.000001Z\n");
    // A later run whose lambda file was not regenerated: the state stays at the file's time.
    writeFileSync(join(cwd, "reach.ndjson"), lambda("2026-11-19T23:00:00.000000Z"));
    const older = await state(cwd, ["set", "--time", "2026-11-21T12:00:00Z", "--records", "reach.ndjson"], "UTC");
    expect(older.code).toBe(0);
    expect(older.stderr).toContain("is older than the last run");
    expect(readFileSync(join(cwd, "last_ran.config"), "utf8")).toBe("2026-11-19 23:00:00.000000");
    // From stdin; the run's start when it is the earlier.
    const stdin = await runBin("orcid-state", ["set", "--time", "2026-11-21T12:00:00Z", "--records", "-"], {
      cwd,
      env: { TZ: "UTC" },
      stdin: lambda("2026-11-22T00:00:00.000000Z"),
    });
    expect(stdin.code).toBe(0);
    expect(readFileSync(join(cwd, "last_ran.config"), "utf8")).toBe("2026-11-21 12:00:00.000000");
    // No lambda record: fatal, nothing written.
    writeFileSync(join(cwd, "reach.ndjson"), "");
    const none = await state(cwd, ["set", "--records", "reach.ndjson"], "UTC");
    expect(none.code).toBe(3);
    expect(none.stderr).toContain("No lambda record in reach.ndjson");
    expect(readFileSync(join(cwd, "last_ran.config"), "utf8")).toBe("2026-11-21 12:00:00.000000");
  });

  test("get reads the reference's fraction-less form", async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, "last_ran.config"), "2026-11-19 14:03:27");
    expect((await state(cwd, ["get", "--overlap", "0"], "UTC")).stdout).toBe("2026-11-19T14:03:27.000000Z\n");
  });

  test("get without a file prints the default, or fails clearly without one", async () => {
    const cwd = workdir();
    const withDefault = await state(cwd, ["get", "--default", "2026-10-01"]);
    expect(withDefault.stdout).toBe("2026-10-01T00:00:00.000000Z\n");
    const without = await state(cwd, ["get"]);
    expect(without.code).toBe(3);
    expect(without.stderr).toContain("orcid-state: error: No last_ran.config");
  });

  test("a malformed state file is exit 3 with one line and no stack", async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, "last_ran.config"), "last tuesday");
    const result = await state(cwd, ["get"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      "orcid-state: error: Cannot read last_ran.config: 'last tuesday' is not a time like 2026-11-20 09:00:00.123456\n",
    );
  });

  test("a second lock is refused while the holder lives, and a dead holder's lock is taken over", async () => {
    const cwd = workdir();
    expect((await state(cwd, ["lock", "--pid", String(process.pid)])).code).toBe(0);
    const second = await state(cwd, ["lock", "--pid", "1"]);
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`Another sync is running (pid ${process.pid}`);
    expect((await state(cwd, ["unlock", "--pid", String(process.pid)])).code).toBe(0);
    writeFileSync(
      join(cwd, "last_ran.config.lock"),
      JSON.stringify({ pid: 999_999_999, host: (await import("node:os")).hostname(), since: "x" }),
    );
    const takeover = await state(cwd, ["lock", "--pid", String(process.pid)]);
    expect(takeover.code).toBe(0);
    expect(takeover.stderr).toContain("took over a stale lock of pid 999999999");
  });

  /** A lock file holding `content`: `lock` refuses it (exit 3, `refused`), `--break-lock` breaks it and warns `warning`. */
  async function breaksOnlyWhenTold(content: string, refused: RegExp | string, warning: string): Promise<void> {
    const cwd = workdir();
    writeFileSync(join(cwd, "last_ran.config.lock"), content);
    const first = await state(cwd, ["lock", "--pid", String(process.pid)]);
    expect(first.code).toBe(3);
    if (typeof refused === "string") expect(first.stderr).toContain(refused);
    else expect(first.stderr).toMatch(refused);
    const broke = await state(cwd, ["lock", "--pid", String(process.pid), "--break-lock"]);
    expect(broke.code).toBe(0);
    expect(broke.stderr).toContain(warning);
    expect((await state(cwd, ["unlock", "--pid", String(process.pid)])).code).toBe(0);
  }

  test("a lock of another host: exit 3 naming it and --break-lock; --break-lock breaks it, and says so", () =>
    breaksOnlyWhenTold(
      JSON.stringify({ pid: 4242, host: "other-host.example", since: "2026-12-01T17:00:00.000Z", start: "boot/1" }),
      /pid 4242 on other-host\.example, since 2026-12-01T17:00:00\.000Z\).*another host.*--break-lock/,
      "orcid-state: warning: broke the lock of pid 4242 on other-host.example (since 2026-12-01T17:00:00.000Z) with --break-lock: that run was not proven gone",
    ));

  test("a lock file that names no holder (damaged): exit 3 asking for --break-lock; --break-lock breaks it, and says so", () =>
    breaksOnlyWhenTold(
      '{"pid":',
      "does not name its holder (if no run holds it, pass --break-lock)",
      "orcid-state: warning: broke the lock last_ran.config.lock, which named no holder (damaged), with --break-lock",
    ));

  test("lock --clear-checkpoints clears them once the lock is held, and not when another run holds it; set --clear-checkpoints --unlock does a script's last steps in one process", async () => {
    const cwd = workdir();
    const journal = join(cwd, "orcid_sync_checkpoints.ndjson");
    const checkpoint = `${JSON.stringify({ type: "checkpoint", bucket: "v3.0-summaries", folder: "097" })}\n`;
    const files = ["--checkpoints-file", journal];
    writeFileSync(journal, checkpoint);
    expect((await state(cwd, ["lock", "--pid", String(process.pid), "--clear-checkpoints", ...files])).code).toBe(0);
    expect(existsSync(journal)).toBe(false);
    // Another run's checkpoints stay while it holds the lock.
    writeFileSync(journal, checkpoint);
    expect((await state(cwd, ["lock", "--pid", "1", "--clear-checkpoints", ...files])).code).toBe(3);
    expect(readFileSync(journal, "utf8")).toBe(checkpoint);
    expect((await state(cwd, ["set", "--time", "2026-11-20T09:00:00Z", "--unlock"])).code).toBe(2);
    const last = await state(cwd, [
      "set",
      "--time",
      "2026-11-20T09:00:00Z",
      "--clear-checkpoints",
      "--unlock",
      "--pid",
      String(process.pid),
      ...files,
    ]);
    expect(last.code, last.stderr).toBe(0);
    expect(readFileSync(join(cwd, "last_ran.config"), "utf8")).toBe("2026-11-20 01:00:00.000000");
    expect(existsSync(journal)).toBe(false);
    expect(existsSync(join(cwd, "last_ran.config.lock"))).toBe(false);
  });

  test("checkpoints list gives every folder to a reader that is slow to start", async () => {
    // Four buckets of 1,100 folders: more than a pipe holds, so the tail waits in the process.
    const cwd = workdir();
    const journal = join(cwd, "journal.ndjson");
    const buckets = ["v3.0-summaries", "v3.0-activities-a", "v3.0-activities-b", "v3.0-activities-c"];
    const folders = Array.from({ length: 1100 }, (_, i) => String(i).padStart(3, "0"));
    const lines = buckets.flatMap((bucket) =>
      folders.map((folder) => JSON.stringify({ type: "checkpoint", bucket, folder })),
    );
    writeFileSync(journal, `${lines.join("\n")}\n`);
    const result = await runPipeline(
      `orcid-state checkpoints list --checkpoints-file "${journal}" | (sleep 1; wc -l)`,
      { cwd },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(Number(result.stdout.trim())).toBe(lines.length);
  });
});
