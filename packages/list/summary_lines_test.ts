import { checkCharacter, type KeyRecord, summaryKey } from "@orcid-sync/core";
import { describe, expect, test } from "vitest";
import { recordLine } from "./list_records.ts";
import { SummaryLineEncoder } from "./summary_lines.ts";

/** Valid iDs, X check characters among them. */
function someIds(count: number): string[] {
  return Array.from({ length: count }, (_, n) => {
    const base = String(n * 7919).padStart(15, "0");
    return `${base.slice(0, 4)}-${base.slice(4, 8)}-${base.slice(8, 12)}-${base.slice(12)}${checkCharacter(base)}`;
  });
}

describe("SummaryLineEncoder", () => {
  test.each(["v3.0-summaries", "my-mirror", 'odd "quoted" bucket', "bücket-ü"])(
    "writes recordLine's bytes for each iD (bucket %s)",
    (bucket) => {
      const ids = someIds(500);
      expect(ids.some((id) => id.endsWith("X"))).toBe(true);
      const expected = ids.map((orcid) => {
        const record: KeyRecord = { type: "key", bucket, key: summaryKey(orcid), orcid, kind: "summary" };
        return `${recordLine(record)}\n`;
      });
      const encoded = new SummaryLineEncoder(bucket).encode(ids);
      expect(encoded.toString("utf8")).toBe(expected.join(""));
      for (const line of encoded.toString("utf8").trim().split("\n"))
        expect(JSON.parse(line)).toMatchObject({ bucket, kind: "summary" });
    },
  );

  test("encodes an empty batch as no bytes", () => {
    expect(new SummaryLineEncoder("b").encode([]).length).toBe(0);
  });
});
