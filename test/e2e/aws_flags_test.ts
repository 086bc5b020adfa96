/**
 * Every AWS flag of every tool that talks to S3 (orcid-list, orcid-fetch), through the real
 * binaries: what each flag changes is read from the requests a proxy in front of the local server
 * saw. Then what a newcomer sees when the setup is wrong (no credentials, a wrong endpoint, a wrong
 * region): one message that says what to do, exit 3.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { datasetObjects } from "../generator/objects.ts";
import { type FaultProxy, type SeenRequest, startFaultProxy } from "./http_proxy.ts";
import { runPipeline, scratch, type SeededS3, startSeededS3 } from "./helpers.ts";

let s3: SeededS3;
let proxy: FaultProxy;
const files = scratch("orcid-sync-aws-flags-");
let summaryKey: string;

beforeAll(async () => {
  s3 = await startSeededS3({ records: 30, seed: 11 }, { golden: false });
  proxy = await startFaultProxy(s3.endpoint);
  writeFileSync(join(files.dir, "config"), "[profile mirror]\nregion = eu-west-1\n");
  writeFileSync(
    join(files.dir, "credentials"),
    "[mirror]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n",
  );
  summaryKey = [...datasetObjects(s3.dataset)].find((o) => o.bucket === "v3.0-summaries")!.key;
});
afterAll(async () => {
  await proxy?.close();
  await s3?.close();
  files.remove();
});
afterEach(() => proxy.setFaults(undefined));

const keyLine = () =>
  JSON.stringify({
    type: "key",
    bucket: "v3.0-summaries",
    key: summaryKey,
    orcid: summaryKey.slice(4, 23),
    kind: "summary",
  });

/** Each tool with a command that needs S3: list a bucket, get an object. */
const TOOLS = [
  ["orcid-list", () => "orcid-list --all -s"],
  ["orcid-fetch", () => `echo '${keyLine()}' | orcid-fetch`],
] as const;

/** AWS settings a test run must not inherit from the environment the tests run in. */
const AWS_SETTINGS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_PROFILE",
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_S3",
];

/**
 * Runs `command` (with `flags` appended to the tool) in an environment holding only what `env`
 * gives: no AWS setting is inherited, the shared files are the test's (or none), and the SDK does
 * not look for an instance role.
 */
async function run(command: string, flags: string, env: Record<string, string> = {}) {
  const before = proxy.requests.length;
  const inherited = AWS_SETTINGS.filter((name) => !(name in env));
  const result = await runPipeline(`unset ${inherited.join(" ")}\n${command} ${flags}`, {
    env: {
      HOME: files.dir,
      AWS_CONFIG_FILE: join(files.dir, "none"),
      AWS_SHARED_CREDENTIALS_FILE: join(files.dir, "none"),
      AWS_EC2_METADATA_DISABLED: "true",
      ...env,
    },
  });
  return { ...result, requests: proxy.requests.slice(before) as SeenRequest[] };
}

const keys = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };
const authorization = (request: SeenRequest) => String(request.headers.authorization ?? "");

describe.each(TOOLS)("%s AWS flags", (tool, command) => {
  test("--endpoint-url sends every request to that endpoint", async () => {
    const result = await run(command(), `--endpoint-url ${proxy.endpoint}`, { ...keys, AWS_REGION: "us-east-1" });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(tool === "orcid-list" ? '"type":"key"' : '"type":"object"');
    expect(result.requests.length).toBeGreaterThan(0);
  });

  test("--region signs for that region", async () => {
    const result = await run(command(), "--region eu-north-1", { ...keys, AWS_ENDPOINT_URL: proxy.endpoint });
    expect(result.code, result.stderr).toBe(0);
    expect(result.requests.length).toBeGreaterThan(0);
    for (const request of result.requests)
      expect(authorization(request)).toMatch(/Credential=S3RVER\/\d{8}\/eu-north-1\/s3\/aws4_request/);
  });

  test("--profile takes the profile's keys and region from the shared files", async () => {
    const result = await run(command(), "--profile mirror", {
      AWS_ENDPOINT_URL: proxy.endpoint,
      AWS_CONFIG_FILE: join(files.dir, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(files.dir, "credentials"),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.requests.length).toBeGreaterThan(0);
    for (const request of result.requests)
      expect(authorization(request)).toMatch(/Credential=S3RVER\/\d{8}\/eu-west-1\/s3\/aws4_request/);
  });

  test("--no-sign-request sends anonymous requests and needs no credentials", async () => {
    const result = await run(command(), "--no-sign-request", { AWS_ENDPOINT_URL: proxy.endpoint });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain("Unknown argument");
    expect(result.stdout).toContain(tool === "orcid-list" ? '"type":"key"' : '"type":"object"');
    expect(result.requests.length).toBeGreaterThan(0);
    for (const request of result.requests) expect(request.headers.authorization).toBeUndefined();
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The same, and `orcid-list --since` (the lambda file: another code path). */
const ALL_PATHS = [...TOOLS, ["orcid-list --since", () => "orcid-list --since 1d -s"]] as const;

describe.each(ALL_PATHS)("%s when the setup is wrong", (_name, command) => {
  test("without credentials: says where keys come from and what to do instead, exit 3", async () => {
    const result = await run(command(), "", { AWS_ENDPOINT_URL: s3.endpoint });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/^orcid-\w+: error: .*No AWS credentials found/m);
    for (const advice of [
      "ORCID",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "--profile",
      "--no-sign-request",
      "npm run demo",
    ]) {
      expect(result.stderr).toContain(advice);
    }
    expect(result.stderr).not.toContain("    at ");
    expect(result.stdout).not.toContain('"type":"key"');
  });

  test("with an endpoint nothing listens on: names it and what to check, exit 3", async () => {
    const port = await closedPort();
    const result = await run(command(), `--endpoint-url http://127.0.0.1:${port} --no-sign-request`);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(`Cannot connect to http://127.0.0.1:${port}`);
    expect(result.stderr).toContain("check --endpoint-url");
    expect(
      result.stderr
        .trim()
        .split("\n")
        .filter((line) => line.includes("error:")),
    ).toHaveLength(1);
  });

  test.each([
    [400, "AuthorizationHeaderMalformed"],
    [301, "PermanentRedirect"],
  ])("when S3 answers %i %s for the wrong region: names the bucket's region, exit 3", async (status, code) => {
    proxy.setFaults(() => ({ kind: "status", status, code, region: "eu-west-1" }));
    const result = await run(command(), "", { ...keys, AWS_ENDPOINT_URL: proxy.endpoint, AWS_REGION: "us-east-1" });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(code);
    expect(result.stderr).toContain("pass --region eu-west-1");
  });
});

describe("orcid-fetch on objects whose ETag is not an MD5", () => {
  test.each([
    ["SSE-KMS", { "x-amz-server-side-encryption": "aws:kms" }],
    ["SSE-C", { "x-amz-server-side-encryption-customer-algorithm": "AES256" }],
  ])("%s: checks the length only, keeps the object, and counts it in the summary", async (_name, sse) => {
    // S3 gives these objects an MD5-shaped ETag that is not the MD5 of their bytes.
    const etag = createHash("md5").update("not the body").digest("hex");
    proxy.setFaults((request) =>
      request.url?.startsWith("/v3.0-summaries/")
        ? { kind: "headers", edit: (headers) => ({ ...headers, ...sse, etag: `"${etag}"` }) }
        : undefined,
    );
    const result = await run(`echo '${keyLine()}' | orcid-fetch`, "", { ...keys, AWS_ENDPOINT_URL: proxy.endpoint });
    expect(result.code, result.stderr).toBe(0);
    const record = JSON.parse(result.stdout) as { type: string; body: string; etag: string };
    const object = [...datasetObjects(s3.dataset)].find((o) => o.key === summaryKey)!;
    expect(record).toMatchObject({ type: "object", etag, body: object.body.toString() });
    expect(result.stderr).toContain("1 checked by length only");
    expect(result.requests.filter((r) => r.method === "GET")).toHaveLength(1);
  });
});
