/**
 * Credentials and region from the AWS shared files, as a user with `--profile` has them: the path
 * that loads the AWS SDK on demand (the credential chain, and the chunk of the bundled bin that
 * reads a profile's region), with no keys or region in the environment.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { datasetObjects } from "../generator/objects.ts";
import { runPipeline, scratch, type SeededS3, startSeededS3 } from "./helpers.ts";

let s3: SeededS3;
const files = scratch("orcid-sync-aws-config-");
beforeAll(async () => {
  s3 = await startSeededS3({ records: 60, seed: 5 }, { golden: false });
  writeFileSync(
    join(files.dir, "config"),
    "[profile mirror]\nregion = eu-west-1\n\n[profile wrong]\nregion = eu-west-1\n",
  );
  writeFileSync(
    join(files.dir, "credentials"),
    "[mirror]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n\n[wrong]\naws_access_key_id = S3RVER\naws_secret_access_key = not-the-secret-4242\n",
  );
});
afterAll(async () => {
  await s3?.close();
  files.remove();
});

/** A pipeline run with only the endpoint and the shared files: no keys, region or profile inherited. */
const withProfileFiles = (script: string) =>
  runPipeline(
    `unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION AWS_PROFILE\n${script}`,
    {
      env: {
        AWS_ENDPOINT_URL: s3.endpoint,
        AWS_CONFIG_FILE: join(files.dir, "config"),
        AWS_SHARED_CREDENTIALS_FILE: join(files.dir, "credentials"),
      },
    },
  );

describe("--profile with the AWS shared files", () => {
  test("lists and fetches with the profile's keys and region", async () => {
    const result = await withProfileFiles("orcid-list --all -s --profile mirror | orcid-fetch --profile mirror");
    expect(result.stderr).toContain("0 failed");
    expect(result.code).toBe(0);
    const bodies = new Map<string, string>();
    for (const line of result.stdout.trim().split("\n")) {
      const record = JSON.parse(line) as { type: string; key: string; body: string };
      if (record.type === "object") bodies.set(record.key, record.body);
    }
    const expected = [...datasetObjects(s3.dataset)].filter((o) => o.bucket === "v3.0-summaries");
    expect(bodies.size).toBe(expected.length);
    for (const object of expected) expect(bodies.get(object.key)).toBe(object.body.toString());
  });

  test("a profile whose secret the server refuses stops the run (exit 3) without showing the secret", async () => {
    const key = [...datasetObjects(s3.dataset)].find((o) => o.bucket === "v3.0-summaries")!;
    const record = JSON.stringify({
      type: "key",
      bucket: key.bucket,
      key: key.key,
      orcid: key.key.slice(4, 23),
      kind: "summary",
    });
    const result = await withProfileFiles(`echo '${record}' | orcid-fetch --profile wrong`);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/SignatureDoesNotMatch|signature/i);
    expect(result.stderr).not.toContain("not-the-secret-4242");
    expect(result.stdout).toBe("");
  });
});
