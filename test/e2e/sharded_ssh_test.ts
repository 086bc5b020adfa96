/**
 * sharded-sync.sh on "other hosts": GNU parallel's -S runs each shard through ssh, here a fake ssh
 * first on PATH that records the command line it was given and runs the remote command on this
 * host in an empty environment, as a fresh login on another host would. The shards must get their
 * credentials all the same, and no command line ssh saw may hold a secret, neither as it is nor
 * as parallel encodes its remote command (hex).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readTree, ROOT, runCommand, scratch, type SeededS3, startSeededS3 } from "./helpers.ts";

const SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLEsessionTOKEN4242";
// s3rver checks signatures against this secret; the run can only succeed if the shards got it.
const SECRET = "S3RVER";

let s3: SeededS3;
const work = scratch("orcid-sync-ssh-");
const argvLog = join(work.dir, "ssh-argv.log");

beforeAll(async () => {
  s3 = await startSeededS3({ records: 80, seed: 23, now: new Date() }, { golden: false });
  const bin = join(work.dir, "bin");
  mkdirSync(bin);
  writeFileSync(
    join(bin, "ssh"),
    `#!/usr/bin/env bash
# A fake ssh: one line per call, its arguments NUL-separated; then the remote command, run here.
printf '%s\\0' "$@" >> ${JSON.stringify(argvLog)}
printf '\\n' >> ${JSON.stringify(argvLog)}
while [ $# -gt 0 ]; do
  case "$1" in
    -o | -l | -p | -i | -F | -S | -O) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
shift # the host
[ "\${1-}" = "--" ] && shift
# A login on another host: in its home folder, with none of this shell's environment.
cd "$HOME"
exec env -i PATH="$PATH" HOME="$HOME" SHELL=/bin/bash USER="\${USER-root}" bash -c "$*"
`,
  );
  chmodSync(join(bin, "ssh"), 0o755);
});
afterAll(async () => {
  await s3?.close();
  work.remove();
});

/** Each ssh call's arguments. */
function sshCalls(): string[][] {
  if (!existsSync(argvLog)) return [];
  return readFileSync(argvLog, "latin1")
    .split("\0\n")
    .filter((call) => call.length > 0)
    .map((call) => call.split("\0"));
}

/** What a command line says, plainly and once parallel's hex encoding of its remote command is undone. */
function readings(args: readonly string[]): string[] {
  const hex = args.filter((arg) => /^[0-9a-fA-F]+$/.test(arg)).join("");
  return [args.join(" "), Buffer.from(hex.length % 2 === 0 ? hex : hex.slice(0, -1), "hex").toString("latin1")];
}

describe("sharded-sync.sh -S (shards on other hosts, through ssh)", () => {
  test("passes the credentials on no command line and in no output, and the shards still sync with them", async () => {
    const cwd = join(work.dir, "run");
    const home = join(work.dir, "home");
    const path = join(work.dir, "data");
    for (const dir of [cwd, home, path]) mkdirSync(dir);
    const result = await runCommand(
      join(ROOT, "scripts", "sharded-sync.sh"),
      ["-N", "3", "-S", "2/hostA,2/hostB", "-p", path, "-s", "-a", "-d", "400"],
      {
        cwd,
        env: {
          ...s3.env,
          HOME: home,
          AWS_SECRET_ACCESS_KEY: SECRET,
          AWS_SESSION_TOKEN: SESSION_TOKEN,
          PATH: `${join(work.dir, "bin")}:${process.env.PATH}`,
        },
      },
    );
    expect(result.code, result.stderr).toBe(0);
    // Each shard's tools ended with their summary: they ran.
    expect(result.stderr.match(/^orcid-fetch: .* written, .* in [\d.]+ s$/gm)).toHaveLength(3);

    const calls = sshCalls();
    // Every shard went through ssh: parallel wrote each one's command into ssh's arguments.
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.some((args) => readings(args)[1]!.includes("sync-shard.sh"))).toBe(true);
    for (const args of calls) {
      for (const text of readings(args)) {
        expect(text).not.toContain(SESSION_TOKEN);
        expect(text).not.toContain(`AWS_SECRET_ACCESS_KEY`);
        expect(text).not.toContain(SECRET);
      }
    }
    for (const output of [result.stdout, result.stderr]) {
      expect(output).not.toContain(SESSION_TOKEN);
      expect(output).not.toContain(SECRET);
    }
    // The shards, with no credentials of their own, signed their requests with the ones sent.
    expect(readTree(join(path, "ORCID_public_data_files")).size).toBeGreaterThan(50);
    expect(readFileSync(join(cwd, "last_ran.config"), "utf8")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  }, 240_000);
});
