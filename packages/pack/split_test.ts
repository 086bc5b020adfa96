import { ALL_FOLDERS } from "@orcid-sync/core";
import { describe, expect, test } from "vitest";
import { partName, referenceName, splitIndex, splitRanges } from "./split.ts";

describe("split", () => {
  test("deals the folders into contiguous ranges covering all 1100", () => {
    const counts = [0, 0, 0, 0];
    let last = 0;
    for (const folder of ALL_FOLDERS) {
      const k = splitIndex(folder, 4);
      expect(k).toBeGreaterThanOrEqual(last);
      last = k;
      counts[k]!++;
    }
    expect(counts).toEqual([275, 275, 275, 275]);
    expect(splitRanges(2)).toEqual([
      ["000", "49X"],
      ["500", "99X"],
    ]);
  });

  test("names parts and the reference's archives", () => {
    expect(partName("out.tar.gz", 3)).toBe("out_3.tar.gz");
    expect(referenceName("summaries", new Date(2026, 0, 5))).toBe("ORCID-API-3.0_xml_1_2026.tar.gz");
    expect(referenceName("activities", new Date(2026, 10, 5))).toBe("ORCID-API-3.0_activities_xml_11_2026.tar.gz");
  });
});
