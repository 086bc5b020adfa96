import { describe, expect, test } from "vitest";
import { lambdaReach } from "./lambda_reach.ts";

async function* of(...records: { type: string; [field: string]: unknown }[]) {
  yield* records;
}

describe("lambdaReach()", () => {
  test("takes the earliest newest of the lambda records, other records ignored", async () => {
    const reach = await lambdaReach(
      of(
        { type: "placed", action: "written", path: "x", orcid: "y" },
        { type: "lambda", bucket: "b", key: "k", newest: "2026-11-20T10:00:00.000002Z" },
        { type: "lambda", bucket: "b", key: "k", newest: "2026-11-20T10:00:00.000001Z" },
      ),
    );
    expect(reach).toBe(Date.UTC(2026, 10, 20, 10) * 1000 + 1);
  });

  test("is undefined without a lambda record", async () => {
    expect(await lambdaReach(of({ type: "checkpoint", bucket: "b", folder: "097" }))).toBeUndefined();
  });
});
