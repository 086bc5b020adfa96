// A full disk and a permission error: a clear message, exit 3, nothing half-written.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { randomOrcid } from "../generator/orcid.ts";
import { Random } from "../generator/random.ts";
import { recordDiskMode } from "./disk_mode.ts";
import { readTree, runCommand, ROOT } from "./helpers.ts";

const BIN = join(ROOT, "node_modules", ".bin");

/** `length` characters of incompressible text. */
function incompressible(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4))
    .toString("base64")
    .slice(0, length);
}

/** Object records of `count` summaries of `size` bytes each, and their bodies by mirror path. */
function objects(count: number, size: number): { input: string; bodies: Map<string, string> } {
  const random = new Random(99);
  const bodies = new Map<string, string>();
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const orcid = randomOrcid(random);
    const key = `${orcid.slice(-3)}/${orcid}.xml`;
    const body = `<?xml version="1.0"?>\n<record:record path="/${orcid}">${"x".repeat(size)}</record:record>\n`;
    bodies.set(`summaries/${key}`, body);
    lines.push(
      JSON.stringify({
        type: "object",
        bucket: "v3.0-summaries",
        key,
        orcid,
        kind: "summary",
        body,
        etag: "e",
        size: body.length,
      }),
    );
  }
  return { input: `${lines.join("\n")}\n`, bodies };
}

function tempFilesUnder(dir: string): string[] {
  return [...readTree(dir).keys()].filter((path) => path.includes(".orcid-sync-tmp."));
}

/**
 * A full disk is a real one: a 1 MiB tmpfs, which needs root (CI runs as root). Where it cannot
 * be mounted the full-disk tests fail, unless ORCID_SYNC_SKIP_FULL_DISK=1 says to skip them;
 * docs/reliability.md records which mode ran.
 */
const SKIP_FULL_DISK = "ORCID_SYNC_SKIP_FULL_DISK";
const mountPoint = mkdtempSync(join(tmpdir(), "orcid-sync-tmpfs-"));
const mountError = (() => {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint], { stdio: "pipe" });
    return undefined;
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error).trim() || "mount failed";
  }
})();
const mounted = mountError === undefined;
const optedOut = !mounted && process.env[SKIP_FULL_DISK] === "1";
const isRoot = process.getuid?.() === 0;

/** Fails a full-disk test that cannot run, unless the run opted out. */
function needFullDisk(): void {
  if (!mounted) {
    throw new Error(
      `Cannot mount a 1 MiB tmpfs for a real full disk (${mountError}): run the tests as root, or set ${SKIP_FULL_DISK}=1 to skip the full-disk tests`,
    );
  }
}

afterAll(() => {
  if (mounted) execFileSync("umount", [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
  recordDiskMode(
    mounted
      ? "the full-disk tests ran on a real full disk (a 1 MiB tmpfs, as root)"
      : optedOut
        ? `the full-disk tests were skipped (${SKIP_FULL_DISK}=1: no tmpfs could be mounted)`
        : "the full-disk tests failed: no tmpfs could be mounted",
    isRoot ? "the permission test ran as nobody (setpriv)" : "the permission test ran as this non-root user",
  );
});

describe("orcid-place on a full disk", () => {
  test.skipIf(optedOut)(
    "stops with exit 3 and one clear message; every file present is whole; no temp file is left",
    async () => {
      needFullDisk();
      const { input, bodies } = objects(40, 60_000);
      const target = join(mountPoint, "mirror");
      const result = await runCommand(join(BIN, "orcid-place"), [target, "-j", "4"], { stdin: input });
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(
        /^orcid-place: error: Cannot place in the mirror: ENOSPC: no space left on device/m,
      );
      expect(result.stderr).not.toContain("    at ");
      const tree = readTree(target);
      expect(tree.size).toBeGreaterThan(0);
      expect(tree.size).toBeLessThan(bodies.size);
      for (const [path, body] of tree) expect(body.toString(), path).toBe(bodies.get(path));
      expect(tempFilesUnder(target)).toEqual([]);
    },
  );
});

describe("orcid-pack on a full disk", () => {
  test.skipIf(optedOut)("stops with exit 3 and one clear message, leaving no archive and no temp file", async () => {
    needFullDisk();
    const { input } = objects(60, 40_000);
    {
      const out = join(mountPoint, "full.tar.gz");
      // Incompressible bodies (random base64) so the archive outgrows the 1 MiB file system.
      const noisy = input.replace(/x{40000}/g, () => incompressible(40_000));
      const result = await runCommand(join(BIN, "orcid-pack"), ["-o", out, "--level", "1"], { stdin: noisy });
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(/^orcid-pack: error: .*ENOSPC/m);
      expect(result.stderr).not.toContain("    at ");
      expect(readdirSync(mountPoint).filter((name) => name.includes("full.tar.gz"))).toEqual([]);
    }
  });
});

describe("orcid-place without permission", () => {
  test("stops with exit 3 on a folder it may not write, leaving nothing behind (run as nobody)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "orcid-sync-perm-"));
    try {
      chmodSync(dir, 0o755);
      const { input, bodies } = objects(3, 100);
      const target = join(dir, "mirror");
      const [first] = [...bodies.keys()];
      const locked = join(target, first!.split("/").slice(0, 2).join("/"));
      mkdirSync(locked, { recursive: true });
      chmodSync(join(target), 0o755);
      chmodSync(join(target, "summaries"), 0o755);
      chmodSync(locked, 0o555);
      // nobody runs its own copy of the tool (bin, bundle, package.json): a checkout under a
      // private folder (mktemp -d is 0700) would be unreadable to it.
      const tool = join(dir, "orcid-place");
      for (const part of ["bin", "dist", "package.json"])
        cpSync(join(ROOT, "packages", "place", part), join(tool, part), { recursive: true });
      // Root may write anywhere: it runs the tool as nobody. Anyone else is refused as themselves.
      const bin = join(tool, "bin", "orcid-place.js");
      const [command, args] = isRoot
        ? ["setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", bin, target]]
        : [bin, [target]];
      const result = await runCommand(command, args, { stdin: input, env: { HOME: dir } });
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(/orcid-place: error: Cannot place in the mirror: EACCES: permission denied/);
      expect(readdirSync(locked)).toEqual([]);
      expect(tempFilesUnder(target)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a later run", () => {
  test("removes the temp files a killed writer left, in the folders it touches, and only those", async () => {
    const dir = mkdtempSync(join(tmpdir(), "orcid-sync-orphans-"));
    try {
      const { input, bodies } = objects(1, 10);
      const [path] = [...bodies.keys()];
      const folder = join(dir, "mirror", path!.split("/").slice(0, 2).join("/"));
      const untouched = join(dir, "mirror", "summaries", "zzz");
      mkdirSync(folder, { recursive: true });
      mkdirSync(untouched, { recursive: true });
      const host = execFileSync("hostname")
        .toString()
        .trim()
        .replace(/[^A-Za-z0-9-]/g, "_");
      const dead = `.x.xml.orcid-sync-tmp.${host}.999999999.1`;
      const alive = `.y.xml.orcid-sync-tmp.${host}.${process.pid}.1`;
      for (const name of [dead, alive]) {
        execFileSync("touch", [join(folder, name)]);
        execFileSync("touch", [join(untouched, name)]);
      }
      const result = await runCommand(join(BIN, "orcid-place"), [join(dir, "mirror")], { stdin: input });
      expect(result.code, result.stderr).toBe(0);
      expect(readdirSync(folder).sort()).toEqual([alive, path!.split("/").at(-1)!].sort());
      expect(readdirSync(untouched).sort()).toEqual([alive, dead].sort());
      expect(readFileSync(join(dir, "mirror", path!), "utf8")).toBe(bodies.get(path!));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
