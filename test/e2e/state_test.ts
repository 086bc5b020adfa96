import { readFileSync, writeFileSync } from "node:fs";
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

const state = (cwd: string, args: string[], tz = "America/Los_Angeles") => runBin("orcid-state", args, { cwd, env: { TZ: tz } });

describe("orcid-state", () => {
  test("set writes the reference's local-time form in the current directory; get prints UTC less the overlap", async () => {
    const cwd = workdir();
    expect((await state(cwd, ["set", "--time", "2026-11-20T09:00:00.5Z"])).code).toBe(0);
    expect(readFileSync(join(cwd, "last_ran.config"), "utf8")).toBe("2026-11-20 01:00:00.500000");
    const get = await state(cwd, ["get"]);
    expect(get.code).toBe(0);
    expect(get.stdout).toBe("2026-11-20T08:00:00.500000Z\n");
    expect((await state(cwd, ["get", "--overlap", "0"])).stdout).toBe("2026-11-20T09:00:00.500000Z\n");
    expect((await state(cwd, ["get", "--overlap", "30m"], "Asia/Kolkata")).stdout).toBe("2026-11-19T19:00:00.500000Z\n");
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
    expect(result.stderr).toBe("orcid-state: error: Cannot read last_ran.config: 'last tuesday' is not a time like 2026-11-20 09:00:00.123456\n");
  });

  test("a second lock is refused while the holder lives, and a dead holder's lock is taken over", async () => {
    const cwd = workdir();
    expect((await state(cwd, ["lock", "--pid", String(process.pid)])).code).toBe(0);
    const second = await state(cwd, ["lock", "--pid", "1"]);
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`Another sync is running (pid ${process.pid}`);
    expect((await state(cwd, ["unlock", "--pid", String(process.pid)])).code).toBe(0);
    writeFileSync(join(cwd, "last_ran.config.lock"), JSON.stringify({ pid: 999_999_999, host: (await import("node:os")).hostname(), since: "x" }));
    const takeover = await state(cwd, ["lock", "--pid", String(process.pid)]);
    expect(takeover.code).toBe(0);
    expect(takeover.stderr).toContain("took over a stale lock of pid 999999999");
  });

  test("checkpoints list gives every folder to a reader that is slow to start", async () => {
    // Four buckets of 1,100 folders: more than a pipe holds, so the tail waits in the process.
    const cwd = workdir();
    const journal = join(cwd, "journal.ndjson");
    const buckets = ["v3.0-summaries", "v3.0-activities-a", "v3.0-activities-b", "v3.0-activities-c"];
    const folders = Array.from({ length: 1100 }, (_, i) => String(i).padStart(3, "0"));
    const lines = buckets.flatMap((bucket) => folders.map((folder) => JSON.stringify({ type: "checkpoint", bucket, folder })));
    writeFileSync(journal, `${lines.join("\n")}\n`);
    const result = await runPipeline(`orcid-state checkpoints list --checkpoints-file "${journal}" | (sleep 1; wc -l)`, { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(Number(result.stdout.trim())).toBe(lines.length);
  });
});
