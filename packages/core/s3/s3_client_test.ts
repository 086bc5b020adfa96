import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { describe, expect, test } from "vitest";
import { addressingStyle, createS3Access, objectLocation, resolveEndpointUrl } from "./s3_client.ts";

const env = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret-example-key", AWS_REGION: "us-east-1" };

/** Sends a command and returns the request as signed, without touching the network. */
async function requestFor(
  endpointUrl: string | undefined,
  bucket: string,
  command: GetObjectCommand | ListObjectsV2Command,
): Promise<{ hostname: string; path: string; authorization: string }> {
  const access = createS3Access({ ...(endpointUrl ? { endpointUrl } : {}), env });
  const client = await access.client(bucket);
  let seen: { hostname: string; path: string; authorization: string } | undefined;
  client.middlewareStack.add(
    () => async (args) => {
      const request = args.request as { hostname: string; path: string; headers: Record<string, string> };
      seen = { hostname: request.hostname, path: request.path, authorization: request.headers.authorization ?? "" };
      throw new Error("captured");
    },
    { step: "finalizeRequest", priority: "low", name: "capture" },
  );
  await expect(client.send(command)).rejects.toThrow("captured");
  await access.close();
  return seen!;
}

describe("addressingStyle()", () => {
  test("is path-style for any bucket with a dot and whenever an endpoint is given", () => {
    expect(addressingStyle("v3.0-summaries")).toBe("path");
    expect(addressingStyle("v3.0-activities-a")).toBe("path");
    expect(addressingStyle("orcid-lambda-file")).toBe("virtual");
    expect(addressingStyle("orcid-lambda-file", "http://127.0.0.1:4568")).toBe("path");
  });
});

describe("objectLocation()", () => {
  test("follows the endpoint it is given, one after another", () => {
    expect(objectLocation("b", "097/x.xml", "us-east-1", "http://127.0.0.1:9000")).toEqual({
      origin: "http://127.0.0.1:9000",
      host: "127.0.0.1:9000",
      path: "/b/097/x.xml",
    });
    expect(objectLocation("b", "097/x.xml", "us-east-1", "https://store.example/s3/")).toEqual({
      origin: "https://store.example",
      host: "store.example",
      path: "/s3/b/097/x.xml",
    });
    expect(objectLocation("b", "", "us-east-1", "http://127.0.0.1:9000")).toEqual({
      origin: "http://127.0.0.1:9000",
      host: "127.0.0.1:9000",
      path: "/b",
    });
  });
});

describe("createS3Access()", () => {
  test("sends a dotted bucket's requests path-style to the regional host, not as a virtual host", async () => {
    const request = await requestFor(
      undefined,
      "v3.0-summaries",
      new GetObjectCommand({ Bucket: "v3.0-summaries", Key: "097/0000-0002-1825-0097.xml" }),
    );
    expect(request.hostname).toBe("s3.us-east-1.amazonaws.com");
    expect(request.path).toBe("/v3.0-summaries/097/0000-0002-1825-0097.xml");
  });

  test("keeps virtual-hosted style for a plain bucket on AWS", async () => {
    const request = await requestFor(
      undefined,
      "orcid-lambda-file",
      new GetObjectCommand({ Bucket: "orcid-lambda-file", Key: "last_modified.csv.tar" }),
    );
    expect(request.hostname).toBe("orcid-lambda-file.s3.us-east-1.amazonaws.com");
    expect(request.path).toBe("/last_modified.csv.tar");
  });

  test("signs a path-style bucket-level request as /bucket, not /bucket/", async () => {
    const request = await requestFor(
      "http://127.0.0.1:9",
      "orcid-lambda-file",
      new ListObjectsV2Command({ Bucket: "orcid-lambda-file" }),
    );
    expect(request.hostname).toBe("127.0.0.1");
    expect(request.path).toBe("/orcid-lambda-file");
    expect(request.authorization).toContain("Credential=AKIDEXAMPLE/");
  });

  test("sends no signature with --no-sign-request", async () => {
    const access = createS3Access({ endpointUrl: "http://127.0.0.1:9", signRequest: false, env: {} });
    expect(access.credentials).toBeUndefined();
    await access.close();
  });
});

describe("resolveEndpointUrl()", () => {
  test("prefers the flag, then AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, and drops a trailing slash", () => {
    expect(resolveEndpointUrl({ endpointUrl: "http://a/", env: { AWS_ENDPOINT_URL: "http://b" } })).toBe("http://a");
    expect(resolveEndpointUrl({ env: { AWS_ENDPOINT_URL_S3: "http://c", AWS_ENDPOINT_URL: "http://b" } })).toBe(
      "http://c",
    );
    expect(resolveEndpointUrl({ env: { AWS_ENDPOINT_URL: "http://b" } })).toBe("http://b");
    expect(resolveEndpointUrl({ env: {} })).toBeUndefined();
  });
});
