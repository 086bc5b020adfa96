import { ListObjectsV2Command, type ListObjectsV2CommandOutput } from "@aws-sdk/client-s3";
import { createS3Access } from "@orcid-sync/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { goldenObjects } from "../generator/dataset_files.ts";
import { datasetObjects } from "../generator/objects.ts";
import { type SeededS3, startSeededS3 } from "./helpers.ts";

let s3: SeededS3;
beforeAll(async () => {
  s3 = await startSeededS3({ records: 300 });
});
afterAll(async () => {
  await s3?.close();
});

async function listAll(
  bucket: string,
  options: { signRequest: boolean; pageSize: number },
): Promise<{ keys: string[]; pages: number }> {
  const access = createS3Access({ env: s3.env, signRequest: options.signRequest, connections: 4 });
  const keys: string[] = [];
  let pages = 0;
  let token: string | undefined;
  try {
    do {
      const page: ListObjectsV2CommandOutput = await (await access.client(bucket)).send(
        new ListObjectsV2Command({ Bucket: bucket, MaxKeys: options.pageSize, ContinuationToken: token }),
      );
      pages++;
      for (const object of page.Contents ?? []) keys.push(object.Key!);
      token = page.NextContinuationToken;
    } while (token);
  } finally {
    await access.close();
  }
  return { keys, pages };
}

describe("the local S3 test bed", () => {
  test("serves, page by page, exactly the summaries the generator wrote, to signed SDK requests", async () => {
    const expected = [...datasetObjects(s3.dataset)]
      .filter((o) => o.bucket === "v3.0-summaries")
      .map((o) => o.key)
      .concat(
        goldenObjects()
          .filter((o) => o.bucket === "v3.0-summaries")
          .map((o) => o.key),
      )
      .sort();
    const { keys, pages } = await listAll("v3.0-summaries", { signRequest: true, pageSize: 100 });
    expect(pages).toBeGreaterThan(2);
    expect(keys).toEqual(expected);
  });

  test("holds the golden 31X summary and membership activity", async () => {
    const { keys } = await listAll("v3.0-activities-c", { signRequest: false, pageSize: 1000 });
    expect(keys).toContain("31X/0000-0002-7869-831X/membership/0000-0002-7869-831X_membership_42.xml");
  });

  test("serves an object to our own signed GET, byte for byte", async () => {
    const object = [...datasetObjects(s3.dataset)].find((o) => o.bucket === "v3.0-summaries")!;
    const access = createS3Access({ env: s3.env, connections: 1 });
    try {
      const response = await access.request(object.bucket, object.key);
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe(object.body);
      expect(response.headers["last-modified"]).toBe(object.lastModified.toUTCString());
      const wrong = createS3Access({ env: { ...s3.env, AWS_SECRET_ACCESS_KEY: "wrong-secret-key" }, connections: 1 });
      const refused = await wrong.request(object.bucket, object.key);
      expect(refused.statusCode).toBe(403);
      expect(await refused.body.text()).toContain("SignatureDoesNotMatch");
      await wrong.close();
    } finally {
      await access.close();
    }
  });

  test("refuses a wrong secret: signatures are really checked", async () => {
    const access = createS3Access({ env: { ...s3.env, AWS_SECRET_ACCESS_KEY: "wrong-secret-key" }, connections: 1 });
    try {
      await expect(
        (await access.client("v3.0-summaries")).send(
          new ListObjectsV2Command({ Bucket: "v3.0-summaries", MaxKeys: 1 }),
        ),
      ).rejects.toMatchObject({ name: "SignatureDoesNotMatch" });
    } finally {
      await access.close();
    }
  });
});
