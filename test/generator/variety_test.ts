import { describe, expect, test } from "vitest";
import { buildDay } from "./dataset_files.ts";
import { datasetObjects } from "./objects.ts";

const options = { records: 300, seed: 9, now: new Date("2026-11-20T00:00:00Z"), variety: true };

describe("withVariety()", () => {
  test("an activity file whose time did not change between two days keeps its bytes", () => {
    const day1 = new Map([...datasetObjects(buildDay({ ...options, day: 1 }).dataset)].map((o) => [o.key, o]));
    let same = 0;
    for (const object of datasetObjects(buildDay({ ...options, day: 2 }).dataset)) {
      const before = day1.get(object.key);
      if (
        !before ||
        object.mirrorPath.startsWith("summaries/") ||
        before.lastModified.getTime() !== object.lastModified.getTime()
      )
        continue;
      expect(object.body, object.key).toBe(before.body);
      same++;
    }
    expect(same).toBeGreaterThan(100);
  });

  test("adds assertion origins, DOI forms and disambiguated organizations that a dataset without it lacks", () => {
    const body = (variety: boolean) =>
      [...datasetObjects(buildDay({ ...options, day: 1, variety }).dataset)].map((o) => o.body).join("");
    const plain = body(false);
    const varied = body(true);
    for (const mark of [
      "<common:assertion-origin-orcid>",
      ">http://dx.doi.org/",
      ">doi:",
      ">DOI: ",
      "<common:disambiguation-source>ROR<",
      "part-of",
      "10.5555/SHARED.",
    ]) {
      expect(plain.includes(mark), mark).toBe(false);
      expect(varied.includes(mark), mark).toBe(true);
    }
  });
});
