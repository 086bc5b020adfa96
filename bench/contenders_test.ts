import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { awsCli, type DownloadJob, ORCID_INTO, ORCID_PIPE, ORCID_SCRIPT, rclone } from "./contenders.ts";

const job: DownloadJob = {
  endpoint: "http://127.0.0.1:54321",
  summaries: true,
  activities: true,
  concurrency: 8,
  dir: "/tmp/run",
  scratch: mkdtempSync(join(tmpdir(), "bench-contenders-")),
  repo: "/repo",
};
afterAll(() => rmSync(job.scratch, { recursive: true, force: true }));

describe("every contender", () => {
  // A contender that reads the bench's own server instead of the job's bypasses the latency proxy
  // and downloads another bucket: its figures would be divided by the wrong object count.
  test.each([ORCID_PIPE, ORCID_INTO, ORCID_SCRIPT, awsCli("aws"), rclone("rclone")])(
    "$name talks to the job's endpoint",
    (contender) => {
      const env = contender.env(job);
      expect(contender.script(job).includes(job.endpoint) || env.AWS_ENDPOINT_URL === job.endpoint).toBe(true);
    },
  );

  test.each([ORCID_PIPE, ORCID_INTO, ORCID_SCRIPT, awsCli("aws"), rclone("rclone")])(
    "$name runs at the job's concurrency",
    (contender) => {
      // aws-cli takes it from its configuration file.
      const config = contender.env(job).AWS_CONFIG_FILE;
      const settings = `${contender.script(job)}\n${config ? readFileSync(config, "utf8") : ""}`;
      expect(settings).toMatch(/(-j|-max|--transfers|max_concurrent_requests =) 8\b/);
    },
  );
});
