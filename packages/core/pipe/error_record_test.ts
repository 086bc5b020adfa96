import { describe, expect, test } from "vitest";
import { errorRecord } from "./error_record.ts";

describe("errorRecord()", () => {
  test("fills the defaults and keeps the protocol's field order", () => {
    const record = errorRecord({
      tool: "orcid-pack",
      op: "pack",
      message: "m",
      code: "InvalidKey",
      orcid: "0000-0002-1825-0097",
      key: "k",
      bucket: "b",
    });
    expect(JSON.stringify(record)).toBe(
      '{"type":"error","tool":"orcid-pack","op":"pack","message":"m","code":"InvalidKey","retryable":false,"attempts":1,"bucket":"b","key":"k","orcid":"0000-0002-1825-0097"}',
    );
  });

  test("leaves out an empty bucket or iD and an undefined key, but keeps an empty key", () => {
    expect(
      errorRecord({ tool: "t", op: "o", message: "m", code: "c", bucket: "", orcid: "", attempts: 3, retryable: true }),
    ).toEqual({
      type: "error",
      tool: "t",
      op: "o",
      message: "m",
      code: "c",
      retryable: true,
      attempts: 3,
    });
    expect(errorRecord({ tool: "t", op: "o", message: "m", code: "c", key: "" }).key).toBe("");
  });
});
