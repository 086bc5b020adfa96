import { expect, test } from "vitest";
import type { DatabaseStats } from "./stats.ts";
import { statsTable } from "./stats_table.ts";

const STATS: DatabaseStats = {
  type: "stats",
  dois: 3,
  links: 4,
  pairs: 3,
  idsWithLinks: 2,
  persons: 2,
  gone: 1,
  topIdShares: [
    { percent: 0.1, ids: 1, links: 3, share: 0.75 },
    { percent: 1, ids: 1, links: 3, share: 0.75 },
  ],
  byClass: { self: 3, crossref: 1 },
  byRelationship: { self: 4 },
  topPrefixes: [{ prefix: "10.5438", links: 3, dois: 2 }],
  recent: [
    { days: 7, added: 1, removed: 2 },
    { days: 30, added: 1, removed: 2 },
  ],
  goneByReason: { deprecated: 1 },
  lastLoad: { id: 2, status: "complete", ended: "2026-11-20T10:00:00.000Z" },
};

test("statsTable() aligns every figure and gives shares of all links", () => {
  const lines = statsTable(STATS);
  const pairs = lines.map((line) => /^\s*(.*?\S)\s{2,}(\S.*)$/.exec(line)?.slice(1) ?? [line]);
  expect(pairs).toContainEqual(["crossref", "1 (25.0 %)"]);
  expect(pairs).toContainEqual(["links held by the top 0.1 % of iDs", "75.0 % (3 by 1 iDs)"]);
  expect(pairs).toContainEqual(["10.5438", "3 (75.0 %), 2 DOIs"]);
  expect(pairs).toContainEqual(["last 7 days", "+1 −2"]);
  expect(pairs).toContainEqual(["links by class"]);
  expect(pairs.at(-1)).toEqual(["last load", "2 complete at 2026-11-20T10:00:00.000Z"]);
  const valueColumn = new Set(lines.filter((l) => /\S {2,}\S/.test(l)).map((l) => l.search(/(?<=\S {2,})\S/)));
  expect(valueColumn.size).toBe(1);
});
