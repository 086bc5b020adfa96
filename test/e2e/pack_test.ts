import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { buildDay, expectedMirror } from "../generator/dataset_files.ts";
import { datasetObjects } from "../generator/objects.ts";
import { writeTree } from "../generator/store.ts";
import { expectedTree, readTree, runBin, runPipeline, scratch, treeDifferences } from "./helpers.ts";

const work = scratch("orcid-sync-pack-");
afterAll(() => work.remove());
const { dataset } = buildDay({ records: 150, seed: 41, now: new Date("2026-11-20T00:00:00Z"), day: 1 });

function extract(archive: string, into: string): Map<string, Buffer> {
  mkdirSync(into, { recursive: true });
  execFileSync("tar", ["-xzf", archive, "-C", into]);
  return readTree(into);
}

describe("orcid-pack", () => {
  test("packs object records from stdin into an archive GNU tar extracts to the mirror layout; other records pass through", async () => {
    const objects = [...datasetObjects(dataset)];
    const lines = objects.map((o) =>
      JSON.stringify({
        type: "object",
        bucket: o.bucket,
        key: o.key,
        orcid: o.key.split("/")[1]!.replace(/\.xml$/, ""),
        kind: o.mirrorPath.startsWith("summaries/") ? "summary" : o.key.split("/")[2],
        body: o.body,
        etag: "e",
        size: Buffer.byteLength(o.body),
        lastModified: o.lastModified.toISOString(),
      }),
    );
    lines.push(JSON.stringify({ type: "checkpoint", bucket: "v3.0-summaries", folder: "097" }));
    const archive = join(work.dir, "records.tar.gz");
    const result = await runBin("orcid-pack", ["-o", archive], { stdin: `${lines.join("\n")}\n` });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('{"type":"checkpoint","bucket":"v3.0-summaries","folder":"097"}\n');
    const tree = extract(archive, join(work.dir, "from-records"));
    expect(treeDifferences(tree, expectedTree(expectedMirror(dataset, { golden: false })))).toEqual([]);
  });

  test("packs a mirror folder reproducibly, and --split archives hold the folder between them", async () => {
    const mirror = join(work.dir, "mirror");
    writeTree(mirror, expectedMirror(dataset, { golden: false }));
    const first = join(work.dir, "a.tar.gz");
    const second = join(work.dir, "b.tar.gz");
    expect((await runBin("orcid-pack", ["--from", join(mirror, "activities"), "-o", first, "-j", "2"])).code).toBe(0);
    expect((await runBin("orcid-pack", ["--from", join(mirror, "activities"), "-o", second, "-j", "1"])).code).toBe(0);
    expect(readFileSync(first).equals(readFileSync(second))).toBe(true);
    const names = execFileSync("tar", ["-tzf", first]).toString().trim().split("\n");
    expect(names.every((name) => name.startsWith("activities/"))).toBe(true);
    expect([...names].sort()).toEqual(names);

    const split = join(work.dir, "split.tar.gz");
    const result = await runBin("orcid-pack", ["--from", mirror, "-o", split, "--split", "3"]);
    expect(result.code, result.stderr).toBe(0);
    const union = new Map<string, Buffer>();
    for (const part of [1, 2, 3]) {
      for (const [path, body] of extract(join(work.dir, `split_${part}.tar.gz`), join(work.dir, `part${part}`)))
        union.set(path, body);
    }
    expect(treeDifferences(union, readTree(mirror))).toEqual([]);
  });

  test("to stdout, an archive tar reads from a pipe", async () => {
    const mirror = join(work.dir, "mirror");
    const result = await runPipeline(`orcid-pack --from "${mirror}/summaries" | tar -tzf - | wc -l`);
    expect(result.code, result.stderr).toBe(0);
    expect(Number(result.stdout.trim())).toBe(readTree(join(mirror, "summaries")).size);
  });

  test("to stdout, the whole archive reaches a reader that is slow to start", async () => {
    // The pipe fills and the archive's tail waits in the process when the packing ends: an exit
    // then cut it short (tar: "Unexpected EOF in archive").
    const mirror = join(work.dir, "mirror");
    const result = await runPipeline(`orcid-pack --from "${mirror}/summaries" | (sleep 1; tar -tzf -) | wc -l`);
    expect(result.code, result.stderr).toBe(0);
    expect(Number(result.stdout.trim())).toBe(readTree(join(mirror, "summaries")).size);
  });
});
