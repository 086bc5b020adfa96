/** {@linkcode DatabaseStats} as an aligned table for people (`orcid-db stats` on a terminal). */
import type { DatabaseStats } from "./stats.ts";

const number = (n: number) => n.toLocaleString("en-US");
const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

/**
 * The stats as lines: one `label  value` row per figure, sections for the breakdowns.
 *
 * @example
 * ```ts
 * for (const line of statsTable(await databaseStats(engine))) console.log(line);
 * ```
 */
export function statsTable(stats: DatabaseStats): string[] {
  const rows: [string, string][] = [
    ["DOIs with ≥ 1 linked iD", number(stats.dois)],
    ["links (doi, orcid, put code)", number(stats.links)],
    ["distinct (doi, orcid) pairs", number(stats.pairs)],
    ["iDs with links", number(stats.idsWithLinks)],
    ["iDs with a record / gone", `${number(stats.persons)} / ${number(stats.gone)}`],
  ];
  for (const top of stats.topIdShares) {
    rows.push([
      `links held by the top ${top.percent} % of iDs`,
      `${percent(top.share)} (${number(top.links)} by ${number(top.ids)} iDs)`,
    ]);
  }
  const section = (title: string, entries: [string, string][]) => {
    rows.push([title, ""]);
    for (const [label, value] of entries) rows.push([`  ${label}`, value]);
  };
  const share = (n: number) => `${number(n)} (${percent(stats.links === 0 ? 0 : n / stats.links)})`;
  section(
    "links by class",
    Object.entries(stats.byClass).map(([k, n]) => [k, share(n)]),
  );
  section(
    "links by relationship",
    Object.entries(stats.byRelationship).map(([k, n]) => [k, share(n)]),
  );
  section(
    "top DOI prefixes",
    stats.topPrefixes.map((p) => [p.prefix, `${share(p.links)}, ${number(p.dois)} DOIs`]),
  );
  section(
    "links changed",
    stats.recent.map((r) => [`last ${r.days} days`, `+${number(r.added)} −${number(r.removed)}`]),
  );
  section(
    "gone iDs by reason",
    Object.entries(stats.goneByReason).map(([k, n]) => [k, number(n)]),
  );
  const last = stats.lastLoad;
  rows.push(["last load", last ? `${last.id} ${last.status}${last.ended ? ` at ${last.ended}` : ""}` : "none"]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => (value ? `${label.padEnd(width)}  ${value}` : label));
}
