// The fault suite: server faults through a proxy, kills, hostile input. Whatever happens, the mirror
// never holds a partial or corrupt file, nothing is written outside it, the state never claims work
// that did not finish, and a rerun converges to the exact mirror. Writes docs/reliability.md.
import { execFileSync, spawn } from "node:child_process";
import { type Dirent, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { IncomingMessage } from "node:http";
import { MIRROR_LOCK_FOLDER } from "@orcid-sync/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectedMirror } from "../generator/dataset_files.ts";
import type { Fault, FaultProxy } from "./http_proxy.ts";
import {
  expectedTree,
  readTree,
  BIN_DIR,
  ROOT,
  runBin,
  runCommand,
  runPipeline,
  scratch,
  type ProxiedS3,
  type SeededS3,
  startProxiedS3,
  treeDifferences,
} from "./helpers.ts";
import { keptSections } from "./reliability_doc.ts";

let s3: SeededS3;
let proxy: FaultProxy;
let env: Record<string, string>;
const work = scratch("orcid-sync-faults-");
const figures = { faultsInjected: 0, runsKilled: 0, filesCompared: 0, filesLost: 0 };
const rows: { fault: string; behaviour: string; test: string }[] = [];
/** One row per test of this file: 7 transient faults, 2 persistent, 5 kill points, 4 malformed inputs, 4 closed pipes, 1 verify. */
const EXPECTED_ROWS = 23;

let bed: ProxiedS3 | undefined;

beforeAll(async () => {
  ({ s3, proxy, env } = bed = await startProxiedS3({ records: 150, seed: 51, now: new Date() }, { golden: false }));
});

afterAll(async () => {
  await bed?.close();
  work.remove();
  // Only a complete run describes the suite (a run filtered with -t would write a partial table).
  if (rows.length < EXPECTED_ROWS) return;
  const table = rows.map((r) => `| ${r.fault} | ${r.behaviour} | \`${r.test}\` |`).join("\n");
  const sections = keptSections();
  writeFileSync(
    join(ROOT, "docs", "reliability.md"),
    `# Reliability\n\nWritten by the fault suite (\`test/e2e/faults_test.ts\`) on its last run; do not edit by hand.\n\n` +
      `| fault | what the tools do | test |\n| --- | --- | --- |\n${table}\n\n` +
      `Other guarantees and their tests: a full disk for orcid-place and orcid-pack (\`disk_test.ts\`: exit 3, one message, every file present whole, no partial archive, no temp file left), ` +
      `a permission error as a non-root user (\`disk_test.ts\`), hostile keys and symlinks inside the mirror (\`sync_test.ts\`), ` +
      `malformed lambda rows and invalid iDs (\`lambda_faults_test.ts\`), malformed or empty state files (\`state_test.ts\`), unknown flags (\`bins_test.ts\`); ` +
      `a full tmpfs and a read-only mirror for orcid-fetch --into (\`fetch_into_test.ts\`).\n\n` +
      `Not covered by this table: faults of the local disk other than a full or read-only one (I/O errors, a disk that lies about fsync), ` +
      `a power loss (state files are fsynced; mirror files only with orcid-place --fsync, which no test cuts power under), ` +
      `DNS and TLS faults (the proxy speaks plain HTTP on 127.0.0.1), clock jumps during a run, ` +
      `and kills inside orcid-extract or orcid-db (those are in \`db_test.ts\`).\n\n` +
      `## Last run\n\n| faults injected | runs killed | files compared | files lost |\n| ---: | ---: | ---: | ---: |\n` +
      `| ${figures.faultsInjected} | ${figures.runsKilled} | ${figures.filesCompared} | ${figures.filesLost} |\n` +
      (sections ? `\n${sections}` : ""),
  );
  // Removing a dozen mirrors takes a while on a loaded machine.
}, 180_000);

/** Faults for the first `times` requests of each of the first `limit` object GETs (and listings, with `listings`). */
function everyObject(
  fault: Fault,
  times: number,
  listings = false,
  limit = Number.POSITIVE_INFINITY,
): (req: IncomingMessage) => Fault | undefined {
  const seen = new Map<string, number>();
  return (req) => {
    const url = req.url ?? "";
    const isListing = url.includes("list-type=");
    if ((isListing && !listings) || url.includes("orcid-lambda-file")) return undefined;
    if (!isListing && !/\.xml$/.test(url.split("?")[0]!)) return undefined;
    const n = seen.get(url) ?? 0;
    if (n >= times || (n === 0 && seen.size >= limit)) return undefined;
    seen.set(url, n + 1);
    figures.faultsInjected++;
    return fault;
  };
}

function mirrorIsExact(mirror: string): void {
  const expected = expectedTree(expectedMirror(s3.dataset, { golden: false }));
  const differences = treeDifferences(readTree(mirror), expected);
  figures.filesCompared += expected.size;
  figures.filesLost += differences.filter((d) => d.startsWith("missing") || d.startsWith("changed")).length;
  expect(differences).toEqual([]);
}

const SYNC = (mirror: string, extra = "") =>
  `orcid-list --all -s -a -j 8 | orcid-fetch -j 8 --retries 4 ${extra} | orcid-place "${mirror}"`;

describe("transient server faults: the run completes and the mirror is exact", () => {
  // [label, fault, times per request, listings too, fetch flags, how many distinct requests to hit]
  const cases: [string, Fault, number, boolean, string, number][] = [
    [
      "bursts of 503 SlowDown (objects and listings)",
      { kind: "status", status: 503, code: "SlowDown" },
      2,
      true,
      "",
      300,
    ],
    ["bursts of 500 InternalError", { kind: "status", status: 500, code: "InternalError" }, 1, false, "", 1000],
    ["connection reset mid-body", { kind: "reset" }, 1, false, "", 1000],
    ["body cut short under a full Content-Length", { kind: "truncate" }, 1, false, "", 1000],
    ["flipped bytes (MD5 mismatch)", { kind: "corrupt" }, 2, false, "", 300],
    ["a stall past the request timeout", { kind: "stall", ms: 1500 }, 1, false, "--timeout 500ms", 24],
    ["slow trickling responses", { kind: "trickle", bytesPerTick: 2048, tickMs: 5 }, 1, false, "--timeout 2s", 1000],
  ];
  test.each(cases)(
    "%s",
    async (label, fault, times, listings, extra, keys) => {
      const mirror = join(work.dir, `transient-${label.replace(/\W+/g, "-")}`);
      proxy.setFaults(everyObject(fault, times, listings, keys));
      try {
        const result = await runPipeline(SYNC(mirror, extra), { env });
        expect(result.code, result.stderr).toBe(0);
        mirrorIsExact(mirror);
        expect(readTree(mirror).size).toBeGreaterThan(100);
        rows.push({
          fault: label,
          behaviour: "retried with backoff; run completes, mirror exact",
          test: `faults_test.ts: ${label}`,
        });
      } finally {
        proxy.setFaults(undefined);
      }
    },
    180_000,
  );
});

describe("persistent faults", () => {
  test("one object always corrupt: an error record, exit 1, every other object placed, last_ran.config untouched", async () => {
    const cwd = join(work.dir, "persistent");
    const mirror = join(cwd, "ORCID_public_data_files");
    await runCommand("mkdir", ["-p", cwd]);
    writeFileSync(join(cwd, "last_ran.config"), "2026-01-01 00:00:00.000000");
    const victim = [...expectedMirror(s3.dataset, { golden: false })]
      .find((f) => f.path.startsWith("activities/"))!
      .path.slice("activities/".length);
    proxy.setFaults((req) => {
      if (!req.url?.endsWith(victim)) return undefined;
      figures.faultsInjected++;
      return { kind: "corrupt" };
    });
    try {
      const result = await runCommand(join(ROOT, "scripts", "sync.sh"), ["-s", "-a", "-d", "400", "-max", "8"], {
        cwd,
        env,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/orcid-fetch: .*1 failed/);
      expect(readFileSync(join(cwd, "last_ran.config"), "utf8")).toBe("2026-01-01 00:00:00.000000");
      const expected = expectedTree(expectedMirror(s3.dataset, { golden: false }));
      expect(treeDifferences(readTree(mirror), expected)).toEqual([`missing activities/${victim}`]);
      rows.push({
        fault: "one object persistently corrupt",
        behaviour: "error record after retries, exit 1, all others placed, state not advanced",
        test: "faults_test.ts: one object always corrupt",
      });
    } finally {
      proxy.setFaults(undefined);
    }
  });

  test("403 on everything: exit 3 at once with one clear message, nothing changed", async () => {
    const cwd = join(work.dir, "denied");
    await runCommand("mkdir", ["-p", cwd]);
    proxy.setFaults(() => {
      figures.faultsInjected++;
      return { kind: "status", status: 403, code: "AccessDenied" };
    });
    try {
      const started = performance.now();
      const result = await runCommand(join(ROOT, "scripts", "sync.sh"), ["-s", "-a", "-d", "30"], { cwd, env });
      expect(result.code).toBe(3);
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(result.stderr.split("\n").filter((l) => l.includes("error:"))).toHaveLength(1);
      expect(result.stderr).toContain("AccessDenied");
      expect(existsSync(join(cwd, "last_ran.config"))).toBe(false);
      expect(existsSync(join(cwd, "ORCID_public_data_files"))).toBe(false);
      rows.push({
        fault: "403 on every request",
        behaviour: "exit 3 at once, one message, nothing written, state untouched",
        test: "faults_test.ts: 403 on everything",
      });
    } finally {
      proxy.setFaults(undefined);
    }
  });
});

/** Files under a folder that a running writer is changing: what vanishes meanwhile is not counted. */
function countFiles(dir: string): number {
  let count = 0;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) count += entry.isDirectory() ? countFiles(join(dir, entry.name)) : 1;
  return count;
}

describe("kill -9 and rerun", () => {
  /** Starts a command, kills its whole process group once `ready()` says so, returns when it is dead. */
  async function killWhen(
    cwd: string,
    command: readonly string[],
    ready: () => boolean,
    check: (group: number) => void,
    extraEnv: Record<string, string> = {},
  ): Promise<void> {
    const child = spawn(command[0]!, command.slice(1), {
      cwd,
      env: { ...process.env, ...env, ...extraEnv, PATH: `${BIN_DIR}:${process.env.PATH}` },
      detached: true,
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    for (let waited = 0; !ready() && waited < 120_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    try {
      check(child.pid!);
    } finally {
      process.kill(-child.pid!, "SIGKILL");
      await exited;
    }
    figures.runsKilled++;
  }

  /** The command lines of the live processes of a process group. */
  function groupCommands(group: number): string[] {
    const lines = execFileSync("ps", ["-eo", "pgid=,args="], { encoding: "utf8" }).split("\n");
    return lines.filter((line) => Number(line.trim().split(/\s+/)[0]) === group).map((line) => line.trim());
  }

  const isObjectGet = (req: IncomingMessage) =>
    req.method === "GET" && !(req.url ?? "").includes("list-type=") && /\.xml$/.test((req.url ?? "").split("?")[0]!);
  const total = () => expectedTree(expectedMirror(s3.dataset, { golden: false })).size;
  /** A record number in [1, n), drawn anew each run and named in the test's messages. */
  const somewhere = (n: number) => 1 + Math.floor(Math.random() * (n - 1));

  interface KillPoint {
    /** What runs and is killed: download.sh unless the point says otherwise. */
    command?(cwd: string): string[];
    /** Sets the proxy up and says when to kill. */
    arm(cwd: string): () => boolean;
    /** What must hold at the moment of the kill. */
    check(group: number): void;
    /** Environment of the killed run only, not of the rerun. */
    readonly env?: Record<string, string>;
    readonly note: () => string;
  }

  /**
   * A kill at a random file being filed by the process `isFiler` matches (download.sh's, or
   * `command`'s for the mirror): GETs past n + 8 are held, so at most that many objects are filed
   * and the run cannot finish.
   */
  function killWhileFiling(
    isFiler: (commandLine: string) => boolean,
    filer: string,
    command?: (mirror: string) => string[],
  ): KillPoint {
    const n = somewhere(total() - 8);
    let gets = 0;
    const mirrorOf = (cwd: string) => join(cwd, "ORCID_public_data_files");
    return {
      ...(command ? { command: (cwd: string) => command(mirrorOf(cwd)) } : {}),
      arm: (cwd) => {
        proxy.setFaults((req) => (isObjectGet(req) && ++gets > n + 8 ? { kind: "stall", ms: 30_000 } : undefined));
        return () => countFiles(mirrorOf(cwd)) >= n;
      },
      check: (group) => expect(groupCommands(group).some(isFiler), `${filer} running at file ${n}`).toBe(true),
      note: () => `at file ${n} of ${total()}`,
    };
  }

  const points: [string, () => KillPoint][] = [
    [
      "during the listing",
      () => {
        // The first object GET means the first key record went down the pipe to orcid-fetch; from
        // then on listings are held, so the listing is still under way when the kill lands.
        let keyOnPipe = false;
        return {
          arm: () => {
            proxy.setFaults((req) => {
              if ((req.url ?? "").includes("list-type=")) return keyOnPipe ? { kind: "stall", ms: 30_000 } : undefined;
              if (isObjectGet(req)) keyOnPipe = true;
              return undefined;
            });
            return () => keyOnPipe;
          },
          check: (group) => {
            expect(keyOnPipe, "a key record reached orcid-fetch").toBe(true);
            expect(
              groupCommands(group).some((c) => c.includes("orcid-list")),
              "orcid-list still running",
            ).toBe(true);
          },
          note: () => "at the first key record on the pipe",
        };
      },
    ],
    [
      "at a random record in fetch",
      () => {
        // GETs past the n-th are held: orcid-fetch cannot finish before the kill.
        const n = somewhere(total());
        let gets = 0;
        return {
          arm: () => {
            proxy.setFaults((req) => (isObjectGet(req) && ++gets > n ? { kind: "stall", ms: 30_000 } : undefined));
            return () => gets >= n;
          },
          check: (group) =>
            expect(
              groupCommands(group).some((c) => c.includes("orcid-fetch")),
              `orcid-fetch running at GET ${n}`,
            ).toBe(true),
          note: () => `at object GET ${n} of ${total()}`,
        };
      },
    ],
    [
      "at a random file being filed (orcid-fetch --into)",
      () => killWhileFiling((c) => c.includes("orcid-fetch") && c.includes("--into"), "orcid-fetch --into"),
    ],
    [
      "at a random file being filed (orcid-place, in the README's list-fetch-place pipe)",
      // The README's pipe, whose filing stage is orcid-place.
      () =>
        killWhileFiling(
          (c) => c.includes("orcid-place"),
          "orcid-place",
          (mirror) => [
            "bash",
            "-c",
            `set -o pipefail; orcid-list --all -s -a -j 4 | orcid-fetch -j 4 | orcid-place "${mirror}"`,
          ],
        ),
    ],
    [
      "mid-pack",
      () => {
        // A pack of this small mirror can end between two polls: orcid-pack is held before it
        // renames the finished archive into place, so the kill always finds its temp file.
        let cwd = "";
        return {
          env: { NODE_OPTIONS: `--require "${join(import.meta.dirname, "hold_archive_rename.cjs")}"` },
          arm: (dir) => {
            cwd = dir;
            return () => readdirSync(cwd).some((name) => name.includes(".tar.gz.orcid-sync-tmp."));
          },
          check: (group) =>
            expect(
              groupCommands(group).some((c) => c.includes("orcid-pack")),
              "orcid-pack running, its archive not yet in place",
            ).toBe(true),
          note: () => "with an archive's temp file present",
        };
      },
    ],
  ];

  test.each(points)(
    "killed %s, a rerun (-r) gives the exact mirror and state, fetching only what was missing",
    async (label, make) => {
      const cwd = join(work.dir, `kill-${label.replace(/\W+/g, "-")}`);
      await runCommand("mkdir", ["-p", cwd]);
      const point = make();
      const command = point.command?.(cwd) ?? [join(ROOT, "scripts", "download.sh"), "-s", "-a", "-t", "-max", "4"];
      try {
        await killWhen(cwd, command, point.arm(cwd), point.check, point.env);
      } finally {
        proxy.setFaults(undefined);
      }
      const killedAt = Date.now();
      const where = point.note();
      expect(existsSync(join(cwd, "last_ran.config")), where).toBe(false);
      const mirror = join(cwd, "ORCID_public_data_files");
      const before = existsSync(mirror) ? readTree(mirror) : new Map<string, Buffer>();
      const expected = expectedTree(expectedMirror(s3.dataset, { golden: false }));
      // Temp files and the killed run's mirror lock are what a kill leaves besides whole files.
      const leftover = (p: string) => p.includes(".orcid-sync-tmp.") || p.startsWith(`${MIRROR_LOCK_FOLDER}/`);
      for (const [path, body] of before) {
        if (!leftover(path)) expect(body.equals(expected.get(path)!), `${path} is whole (${where})`).toBe(true);
      }
      const complete = [...before.keys()].filter((p) => !leftover(p)).length;
      const rerun = await runCommand(join(ROOT, "scripts", "download.sh"), ["-s", "-a", "-t", "-r", "-max", "8"], {
        cwd,
        env,
      });
      expect(rerun.code, `${where}\n${rerun.stderr}`).toBe(0);
      mirrorIsExact(mirror);
      expect([...readTree(cwd).keys()].filter((p) => p.includes(".orcid-sync-tmp."))).toEqual([]);
      expect(readFileSync(join(cwd, "last_ran.config"), "utf8")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
      // Folders the killed download listed are not listed again on -r: the state saved is the
      // killed run's start, not the rerun's.
      const saved = Date.parse(readFileSync(join(cwd, "last_ran.config.utc"), "utf8").trim());
      if (!point.command) expect(saved, `the state saved after -r (${where})`).toBeLessThan(killedAt);
      const fetched = Number(/orcid-fetch: (\d+) objects/.exec(rerun.stderr)?.[1]);
      expect(fetched, where).toBe(expected.size - complete);
      rows.push({
        fault: `kill -9 ${label}`,
        behaviour: `no partial file; rerun with -r fetches only what is missing, removes temp files, mirror exact, state written${point.command ? "" : " no later than the killed download's start"}`,
        test: `faults_test.ts: killed ${label}`,
      });
    },
    240_000,
  );
});

describe("bad input to every tool", () => {
  const tools = ["orcid-fetch", "orcid-place", "orcid-pack", "orcid-state"];
  const argsFor = (tool: string) =>
    tool === "orcid-place"
      ? [join(work.dir, "bad-input-mirror")]
      : tool === "orcid-state"
        ? ["checkpoints", "record", "--checkpoints-file", join(work.dir, "j.ndjson")]
        : [];
  test.each(tools)(
    "%s stops with exit 3 and one line naming stdin:LINE on malformed NDJSON, a truncated line or a wrong record shape",
    async (tool) => {
      const checkpoint = '{"type":"checkpoint","bucket":"b","folder":"097"}';
      // [input, the line it must name]: blank lines and \r\n endings count as lines.
      const inputs: [string, number][] = [
        [`${checkpoint}\n{"type":"key", "bucket"`, 2],
        ['{"type":"object","bucket":"b"}\n', 1],
        ["[1,2]\n", 1],
        [`${checkpoint}\r\n\r\n${checkpoint}\r\n{"type":"manifest","bucket":"b"}\r\n${checkpoint}\r\n`, 4],
      ];
      for (const [input, line] of inputs) {
        const result = await runBin(tool, argsFor(tool), { stdin: input, env });
        expect(result.code, `${tool} ${input}`).toBe(3);
        expect(result.stderr).toMatch(new RegExp(`^${tool}: error: Cannot (parse|use) record on stdin:${line}: `, "m"));
        expect(result.stderr).not.toContain("    at ");
      }
      rows.push({
        fault: `malformed NDJSON into ${tool}`,
        behaviour: "exit 3, one line naming stdin:LINE, no stack trace",
        test: `faults_test.ts: ${tool} …malformed NDJSON`,
      });
    },
  );

  test.each(["orcid-list", "orcid-fetch", "orcid-place", "orcid-pack"])(
    "%s exits quietly when its reader goes away (| head -1)",
    async (tool) => {
      const upstream = "orcid-list --all -s";
      const script =
        tool === "orcid-list"
          ? `${upstream} | head -1`
          : tool === "orcid-fetch"
            ? `${upstream} | orcid-fetch | head -1`
            : tool === "orcid-place"
              ? `${upstream} | orcid-fetch | orcid-place "${join(work.dir, "head-mirror")}" | head -1`
              : `${upstream} | orcid-fetch | orcid-pack | head -c 100 >/dev/null`;
      const result = await runPipeline(script, { env });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toMatch(/error:|EPIPE| {4}at /);
      rows.push({
        fault: `closed pipe after ${tool}`,
        behaviour: "quiet exit 0",
        test: `faults_test.ts: ${tool} exits quietly`,
      });
    },
  );
});

describe("orcid-place --verify", () => {
  test("reports missing, changed and extra files of a damaged mirror and changes nothing", async () => {
    const mirror = join(work.dir, "verify");
    expect((await runPipeline(SYNC(mirror), { env: s3.env })).code).toBe(0);
    const files = [...readTree(mirror).keys()].sort();
    const summary = files.find((p) => p.startsWith("summaries/"))!;
    const activity = files.find((p) => p.startsWith("activities/"))!;
    const another = files.filter((p) => p.startsWith("summaries/"))[1]!;
    await runCommand("rm", [join(mirror, summary)]);
    writeFileSync(join(mirror, activity), "tampered");
    writeFileSync(join(mirror, another.replace(/\/[^/]+$/, "/0000-0002-1825-0097.xml")), "stray");
    const stray = `${another.replace(/\/[^/]+$/, "")}/0000-0002-1825-0097.xml`;
    const snapshot = readTree(mirror);
    const result = await runPipeline(`orcid-list --all -s -a | orcid-place "${mirror}" --verify`, { env: s3.env });
    expect(result.code).toBe(1);
    const mismatches = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { problem: string; path: string });
    expect(mismatches.map((m) => `${m.problem} ${m.path}`).sort()).toEqual(
      [`changed ${activity}`, `extra ${stray}`, `missing ${summary}`].sort(),
    );
    expect(treeDifferences(readTree(mirror), snapshot)).toEqual([]);
    rows.push({
      fault: "a damaged mirror (after an incident)",
      behaviour: "orcid-place --verify reports missing, changed and extra files; changes nothing",
      test: "faults_test.ts: orcid-place --verify",
    });
  });
});
