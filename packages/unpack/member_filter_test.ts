import { ALL_FOLDERS, type ObjectRef } from "@orcid-sync/core";
import { folderInShard } from "@orcid-sync/core";
import { describe, expect, test } from "vitest";
import { memberWanted } from "./member_filter.ts";

const ID = "0000-0002-1825-0097";
const summary: ObjectRef = { bucket: "v3.0-summaries", key: `097/${ID}.xml`, orcid: ID, kind: "summary" };
const work: ObjectRef = {
  bucket: "v3.0-activities-b",
  key: `097/${ID}/works/${ID}_works_1.xml`,
  orcid: ID,
  kind: "works",
};

describe("memberWanted()", () => {
  test("keeps everything without a filter", () => {
    expect(memberWanted(summary, {})).toBe(true);
    expect(memberWanted(work, {})).toBe(true);
  });

  test("--only keeps summaries or activities", () => {
    expect([memberWanted(summary, { only: "summaries" }), memberWanted(work, { only: "summaries" })]).toEqual([
      true,
      false,
    ]);
    expect([memberWanted(summary, { only: "activities" }), memberWanted(work, { only: "activities" })]).toEqual([
      false,
      true,
    ]);
  });

  test("--ids keeps the iDs listed", () => {
    expect(memberWanted(work, { ids: new Set([ID]) })).toBe(true);
    expect(memberWanted(work, { ids: new Set(["0000-0002-7869-831X"]) })).toBe(false);
  });

  test("--shard deals the folders as orcid-list does: each member to exactly one of N shards", () => {
    const count = 7;
    const holders = Array.from({ length: count }, (_, i) => i + 1).filter((index) =>
      memberWanted(summary, { shard: { index, count } }),
    );
    expect(holders).toHaveLength(1);
    expect(folderInShard("097", { index: holders[0]!, count })).toBe(true);
    expect(ALL_FOLDERS.includes("097")).toBe(true);
  });
});
