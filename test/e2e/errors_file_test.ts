/**
 * A run that fails on some items says which and why: the tools name the first failed items on
 * stderr, and the scripts keep every error record in orcid_sync_errors.ndjson in the run folder
 * (where last_ran.config lives); a run that succeeds removes the file.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { datasetObjects } from "../generator/objects.ts";
import { type FaultProxy, startFaultProxy } from "./http_proxy.ts";
import { ROOT, runCommand, runPipeline, scratch, type SeededS3, startSeededS3 } from "./helpers.ts";

let s3: SeededS3;
let proxy: FaultProxy;
const work = scratch("orcid-sync-errors-");
let broken: string;

beforeAll(async () => {
  s3 = await startSeededS3({ records: 60, seed: 17, now: new Date() }, { golden: false });
  proxy = await startFaultProxy(s3.endpoint);
  broken = [...datasetObjects(s3.dataset)].find((o) => o.bucket === "v3.0-summaries")!.key;
  // One summary always arrives with a flipped byte: it fails after its retries, the rest succeed.
  proxy.setFaults((request) => (request.url === `/v3.0-summaries/${broken}` ? { kind: "corrupt" } : undefined));
});
afterAll(async () => {
  await proxy?.close();
  await s3?.close();
  work.remove();
});

const env = () => ({ ...s3.env, AWS_ENDPOINT_URL: proxy.endpoint });

function folder(name: string): string {
  const dir = join(work.dir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The error records of a run folder's errors file. */
function errorsIn(cwd: string): { type: string; tool: string; key?: string; code: string; message: string }[] {
  return readFileSync(join(cwd, "orcid_sync_errors.ndjson"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { type: string; tool: string; key?: string; code: string; message: string });
}

describe("a failed item", () => {
  test("orcid-fetch names it on stderr with its reason", async () => {
    const record = JSON.stringify({
      type: "key",
      bucket: "v3.0-summaries",
      key: broken,
      orcid: broken.slice(4, 23),
      kind: "summary",
    });
    const result = await runPipeline(`echo '${record}' | orcid-fetch --retries 1`, { env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `orcid-fetch: error: Body of s3://v3.0-summaries/${broken} does not match its ETag`,
    );
    expect(result.stderr).toContain("[Integrity]");
  });

  test.each([
    ["sync.sh", ["-s", "-d", "400"]],
    ["download.sh", ["-s"]],
    ["sharded-sync.sh", ["-N", "2", "-s", "-d", "400"]],
  ])(
    "%s: exit 1, the key and reason on stderr, every error record in orcid_sync_errors.ndjson; a later good run removes it",
    async (name, args) => {
      const cwd = folder(name);
      writeFileSync(join(cwd, "last_ran.config"), "2026-01-01 00:00:00.000000");
      const failed = await runCommand(join(ROOT, "scripts", name), args, { cwd, env: env() });
      expect(failed.code, failed.stderr).toBe(1);
      expect(failed.stderr).toContain(`s3://v3.0-summaries/${broken}`);
      expect(failed.stderr).toContain(
        `1 items failed; every one (key, reason) is in ${join(cwd, "orcid_sync_errors.ndjson")}`,
      );
      expect(errorsIn(cwd)).toEqual([
        expect.objectContaining({ type: "error", tool: "orcid-fetch", key: broken, code: "Integrity" }),
      ]);
      expect(readFileSync(join(cwd, "last_ran.config"), "utf8")).toBe("2026-01-01 00:00:00.000000");

      const good = await runCommand(join(ROOT, "scripts", name), args, { cwd, env: s3.env });
      expect(good.code, good.stderr).toBe(0);
      expect(existsSync(join(cwd, "orcid_sync_errors.ndjson"))).toBe(false);
    },
    180_000,
  );
});
