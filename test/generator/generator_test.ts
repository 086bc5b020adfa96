import { gunzipSync } from "node:zlib";
import { isValidOrcidId, parseKey } from "@orcid-sync/core";
import { describe, expect, test } from "vitest";
import { buildDay } from "./dataset_files.ts";
import { lambdaCsv, lambdaTarGz, noiseRows } from "./lambda.ts";
import { ACTIVITY_TYPES } from "./model.ts";
import { datasetObjects } from "./objects.ts";
import { mod112 } from "./orcid.ts";

const options = { records: 800, seed: 42, now: new Date("2026-11-20T00:00:00Z") };
const day1 = buildDay({ ...options, day: 1 });
const day2 = buildDay({ ...options, day: 2 });

function lambdaRows(csv: string): string[][] {
  return csv
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(","));
}

describe("the generator", () => {
  test("agrees with the published check character example", () => {
    expect(mod112("000000021825009")).toBe("7");
    expect(mod112("000000027869831")).toBe("X");
  });

  test("makes iDs that core validates, from both issued ranges, unique, some ending in X", () => {
    const ids = day2.dataset.records.map((r) => r.orcid);
    expect(ids.every(isValidOrcidId)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.some((id) => id.startsWith("0009-"))).toBe(true);
    expect(ids.some((id) => id.startsWith("0000-0001-") || id.startsWith("0000-0002-"))).toBe(true);
    expect(ids.some((id) => id.endsWith("X"))).toBe(true);
  });

  test("is deterministic for a seed", () => {
    const again = buildDay({ ...options, day: 2 });
    expect(again.dataset).toEqual(day2.dataset);
    expect(buildDay({ ...options, seed: 43, day: 1 }).dataset.records[0]?.orcid).not.toBe(
      day1.dataset.records[0]?.orcid,
    );
  });

  test("writes keys that core parses, for every activity type including membership", () => {
    const objects = [...datasetObjects(day1.dataset)];
    const kinds = new Set(objects.map((o) => parseKey(o.key).kind));
    for (const type of ACTIVITY_TYPES) expect(kinds.has(type), type).toBe(true);
    expect(kinds.has("summary")).toBe(true);
  });

  test("has deprecated and locked records with error summaries and no activities, and unclaimed ones with no objects", () => {
    const states = new Map<string, number>();
    for (const r of day1.dataset.records) states.set(r.state, (states.get(r.state) ?? 0) + 1);
    expect(states.get("deprecated")).toBeGreaterThan(0);
    expect(states.get("locked")).toBeGreaterThan(0);
    expect(states.get("unclaimed")).toBeGreaterThan(0);
    const objects = [...datasetObjects(day1.dataset)];
    for (const record of day1.dataset.records.filter((r) => r.state !== "active")) {
      const own = objects.filter((o) => o.key.includes(record.orcid));
      if (record.state === "unclaimed") expect(own).toEqual([]);
      else {
        expect(own).toHaveLength(1);
        expect(own[0]!.body).toContain("<error:error");
      }
    }
  });

  test("writes the lambda file newest first with dates of 0 to 6 fraction digits", async () => {
    const csv = lambdaCsv(day1.dataset);
    const rows = lambdaRows(csv);
    expect(rows).toHaveLength(day1.dataset.records.length);
    const dates = rows.map((r) => r[3]!);
    const asMicros = dates.map((d) => {
      const [whole, fraction = ""] = d.split(".");
      return Date.parse(`${whole!.replace(" ", "T")}Z`) * 1000 + Number(fraction.padEnd(6, "0"));
    });
    for (let i = 1; i < asMicros.length; i++) expect(asMicros[i - 1]).toBeGreaterThanOrEqual(asMicros[i]!);
    expect(dates.some((d) => !d.includes("."))).toBe(true);
    expect(dates.some((d) => /\.\d{6}$/.test(d))).toBe(true);
    const tar = gunzipSync(await lambdaTarGz(csv));
    expect(tar.subarray(0, 17).toString()).toBe("last_modified.csv");
    expect(tar.includes(Buffer.from("orcid,path,date_created,last_modified\n"))).toBe(true);
  });

  test("puts noise rows among the newest rows when asked", () => {
    const rows = lambdaCsv(day1.dataset, { noise: true }).split("\n");
    for (const bad of noiseRows(day1.dataset)) expect(rows.indexOf(bad)).toBeGreaterThan(0);
    expect(rows.indexOf(noiseRows(day1.dataset).at(-1)!)).toBe(5);
  });

  test("day 2 changes records within the day, removes activities and turns records into error documents", () => {
    const before = new Map(day1.dataset.records.map((r) => [r.orcid, r]));
    const changed = new Set(day2.changed);
    expect(changed.size).toBeGreaterThan(50);
    const dayStart = day1.dataset.now;
    let removedActivities = 0;
    let newErrors = 0;
    for (const record of day2.dataset.records) {
      const old = before.get(record.orcid);
      if (!changed.has(record.orcid)) {
        expect(record).toEqual(old);
        continue;
      }
      expect(record.lastModified).toBeGreaterThan(dayStart);
      expect(record.lastModified).toBeLessThanOrEqual(day2.dataset.now);
      if (!old) continue;
      const kept = new Set(record.activities.map((a) => a.putCode));
      removedActivities += old.activities.filter((a) => !kept.has(a.putCode)).length;
      if (old.state === "active" && record.state !== "active") newErrors++;
    }
    expect(removedActivities).toBeGreaterThan(0);
    expect(newErrors).toBeGreaterThan(0);
    expect(day2.dataset.records.length).toBeGreaterThan(day1.dataset.records.length);
  });
});
