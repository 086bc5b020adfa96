// orcid-extract end to end: the real binaries through real pipes against the local S3 server
// seeded with a varied generated dataset, from stdin, from a mirror folder, and after orcid-place.
import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { parseRecord } from "@orcid-sync/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectedMirror } from "../generator/dataset_files.ts";
import { writeTree } from "../generator/store.ts";
import { ROOT, runBin, runPipeline, scratch, type SeededS3, startSeededS3 } from "./helpers.ts";

let s3: SeededS3;
const work = scratch("orcid-sync-extract-");
const expected = join(work.dir, "expected");
const placedMirror = join(work.dir, "placed");
const testdata = join(ROOT, "packages/extract/testdata");

beforeAll(async () => {
  s3 = await startSeededS3({ records: 200, seed: 18, variety: true });
  writeTree(expected, expectedMirror(s3.dataset));
});
afterAll(async () => {
  await s3?.close();
  work.remove();
});

type Line = Record<string, unknown> & { type: string };
const records = (stdout: string): Line[] =>
  stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
/** The lines of each iD, keyed by iD: what a consumer replaces per iD. */
function byOrcid(lines: readonly Line[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const line of lines) {
    if (line.type === "checkpoint") continue;
    const orcid = line.orcid as string;
    groups.set(orcid, [...(groups.get(orcid) ?? []), JSON.stringify(line)]);
  }
  return groups;
}

describe("orcid-extract", () => {
  test("--help, --version, and an unknown flag", async () => {
    const help = await runBin("orcid-extract", ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--links");
    expect(help.stdout).toContain("--mirror");
    expect((await runBin("orcid-extract", ["--version"])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const bad = await runBin("orcid-extract", ["--no-such-flag"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("orcid-extract: error: Unknown argument");
  });

  test("orcid-list | orcid-fetch | orcid-extract: each summary's records, opened by person or gone, valid records, checkpoints after their folder", async () => {
    const result = await runPipeline("orcid-list --all -s -j 8 | orcid-fetch -j 16 | orcid-extract -j 2", {
      env: s3.env,
    });
    expect(result.code, result.stderr).toBe(0);
    const lines = records(result.stdout);
    for (const line of lines) expect(() => parseRecord(line)).not.toThrow();
    const summaries = s3.dataset.records.filter((r) => r.state !== "unclaimed");
    const openers = lines.filter((l) => l.type === "person" || l.type === "gone");
    // The golden objects of test/golden add two summaries (one active, one locked).
    expect(openers).toHaveLength(summaries.length + 2);
    for (const record of summaries) {
      const opener = openers.find((o) => o.orcid === record.orcid);
      expect(opener?.type, record.orcid).toBe(record.state === "active" ? "person" : "gone");
    }
    // An iD's records follow its opener without a break.
    let current = "";
    const closed = new Set<string>();
    for (const line of lines) {
      if (line.type === "checkpoint") {
        const folder = line.folder as string;
        expect(
          lines
            .slice(lines.indexOf(line) + 1)
            .some((l) => typeof l.orcid === "string" && (l.orcid as string).endsWith(folder)),
        ).toBe(false);
        continue;
      }
      if (line.type === "person" || line.type === "gone") {
        if (current) closed.add(current);
        current = line.orcid as string;
        expect(closed.has(current)).toBe(false);
      } else expect(line.orcid).toBe(current);
    }
    expect(
      lines.some((l) => l.type === "work") &&
        lines.some((l) => l.type === "affiliation") &&
        lines.some((l) => l.type === "funding"),
    ).toBe(true);

    // The same records as from the mirror the same objects make.
    const fromFolder = await runBin("orcid-extract", ["--from", expected]);
    expect(fromFolder.code, fromFolder.stderr).toBe(0);
    expect(byOrcid(lines)).toEqual(byOrcid(records(fromFolder.stdout)));
  });

  test("--from gives the same bytes on one thread as on two", async () => {
    const one = await runBin("orcid-extract", ["--from", join(expected, "summaries"), "--links", "-j", "1"]);
    const two = await runBin("orcid-extract", ["--from", expected, "--links", "-j", "2"]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    const classes = new Set(
      records(one.stdout)
        .filter((l) => l.type === "link")
        .map((l) => l.class),
    );
    expect([...classes].sort()).toEqual(["crossref", "datacite", "member", "other-person", "self", "self-via-member"]);
    expect(one.stderr).toMatch(/orcid-extract: \d+ summaries \(.* MB of XML\): \d+ persons, \d+ links, \d+ gone/);
  });

  test("orcid-place DIR | orcid-extract --mirror DIR reads what was written; a rerun writes nothing and extracts nothing", async () => {
    const pipe = `orcid-list --all -s -j 8 | orcid-fetch -j 16 | orcid-place "${placedMirror}" | orcid-extract --mirror "${placedMirror}" --links`;
    const first = await runPipeline(pipe, { env: s3.env });
    expect(first.code, first.stderr).toBe(0);
    const fromFolder = await runBin("orcid-extract", ["--from", placedMirror, "--links"]);
    expect(byOrcid(records(first.stdout).filter((l) => l.type !== "placed"))).toEqual(
      byOrcid(records(fromFolder.stdout)),
    );
    expect(records(first.stdout).some((l) => l.type === "placed")).toBe(false);

    const again = await runPipeline(
      `orcid-list --all -s -j 8 | orcid-fetch -j 16 --skip-unchanged "${placedMirror}" | orcid-place "${placedMirror}" | orcid-extract --mirror "${placedMirror}" --links`,
      { env: s3.env },
    );
    expect(again.code, again.stderr).toBe(0);
    const types = new Set(records(again.stdout).map((l) => l.type));
    expect([...types].sort()).toEqual(["checkpoint", "placed"]);
  });

  test("--mirror refuses a summary under a symlinked <last3> folder: an error record, nothing read from outside, exit 1", async () => {
    const mirror = join(work.dir, "symlinked", "ORCID_public_data_files");
    const outside = join(work.dir, "symlinked", "outside");
    mkdirSync(join(mirror, "summaries"), { recursive: true });
    mkdirSync(outside);
    copyFileSync(join(testdata, "summaries/221/0000-0003-2222-2221.xml"), join(outside, "0000-0003-2222-2221.xml"));
    symlinkSync(outside, join(mirror, "summaries", "221"));
    const placed = {
      type: "placed",
      action: "written",
      path: "summaries/221/0000-0003-2222-2221.xml",
      orcid: "0000-0003-2222-2221",
      bucket: "v3.0-summaries",
      key: "221/0000-0003-2222-2221.xml",
    };
    const result = await runBin("orcid-extract", ["--mirror", mirror], { stdin: `${JSON.stringify(placed)}\n` });
    expect(result.code, result.stderr).toBe(1);
    expect(records(result.stdout)).toMatchObject([
      {
        type: "error",
        tool: "orcid-extract",
        code: "UnsafePath",
        message: "Refusing to use 'summaries/221' in the mirror: it is a symlink",
        key: "221/0000-0003-2222-2221.xml",
      },
    ]);
    expect(result.stderr).toContain("Refusing to use 'summaries/221' in the mirror: it is a symlink");
  });

  test("--from refuses a symlinked <last3> folder: an error record, nothing read from outside, exit 1", async () => {
    const mirror = join(work.dir, "from-symlinked", "ORCID_public_data_files");
    const outside = join(work.dir, "from-symlinked", "outside");
    mkdirSync(join(mirror, "summaries", "221"), { recursive: true });
    mkdirSync(outside);
    copyFileSync(
      join(testdata, "summaries/221/0000-0003-2222-2221.xml"),
      join(mirror, "summaries/221/0000-0003-2222-2221.xml"),
    );
    copyFileSync(join(testdata, "summaries/221/0000-0003-2222-2221.xml"), join(outside, "0000-0003-2222-2221.xml"));
    symlinkSync(outside, join(mirror, "summaries", "222"));
    const result = await runBin("orcid-extract", ["--from", mirror]);
    expect(result.code, result.stderr).toBe(1);
    const lines = records(result.stdout);
    expect(lines.filter((l) => l.type === "person" || l.type === "gone").map((l) => l.orcid)).toEqual([
      "0000-0003-2222-2221",
    ]);
    expect(lines.filter((l) => l.type === "error")).toMatchObject([
      { tool: "orcid-extract", code: "UnsafePath", key: "222/", message: expect.stringMatching(/is a symlink$/) },
    ]);
    expect(result.stderr).toContain("1 summaries refused");
  });

  test("exits quietly when its reader goes away", async () => {
    const result = await runPipeline(`orcid-extract --from "${expected}" -j 2 | head -1`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    expect(records(result.stdout)).toHaveLength(1);
  });

  test("bad summaries: an error record each, the run goes on, exit 1", async () => {
    const result = await runBin("orcid-extract", ["--from", join(testdata, "bad")]);
    expect(result.code).toBe(1);
    const lines = records(result.stdout);
    expect(lines.map((l) => [l.type, l.key])).toEqual([
      ["error", "115/0000-0002-1111-1115.xml"],
      ["error", "227/0009-0000-2222-2227.xml"],
      ["error", "998/0000-0002-9999-9998.xml"],
    ]);
    expect(result.stderr).toContain("3 summaries failed");
  });

  test("the golden summaries through the binary give the hand-written records", async () => {
    const result = await runBin("orcid-extract", ["--from", join(testdata, "summaries")]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(readFileSync(join(testdata, "expected/records.ndjson"), "utf8"));
  });
});
