/** `orcid-db stats`: the round-trip picture of a database, in figures. */
import type { SqlEngine } from "./engine.ts";

/** The share of all links that the most-linking iDs hold. */
export interface TopIdShare {
  /** The top this-many percent of the iDs with links (0.1, 1). */
  readonly percent: number;
  /** How many iDs that is (at least 1 when any iD has links). */
  readonly ids: number;
  /** The links they hold. */
  readonly links: number;
  /** `links` over all links, 0 … 1 (0 when there are none). */
  readonly share: number;
}

/** A DOI prefix with its links. */
export interface PrefixCount {
  readonly prefix: string;
  readonly links: number;
  readonly dois: number;
}

/** Link events over a recent span. */
export interface RecentChanges {
  readonly days: number;
  readonly added: number;
  readonly removed: number;
}

/** What {@linkcode databaseStats} answers (`orcid-db stats --json`). */
export interface DatabaseStats {
  readonly type: "stats";
  /** DOIs with at least one linked iD. */
  readonly dois: number;
  /** Rows of `links`: (doi, orcid, put_code). */
  readonly links: number;
  /** Distinct (doi, orcid) pairs: an iD with the same DOI on two works counts once. */
  readonly pairs: number;
  /** iDs with at least one link. */
  readonly idsWithLinks: number;
  /** iDs with a record (`persons`) and iDs gone (`gone`). */
  readonly persons: number;
  readonly gone: number;
  readonly topIdShares: readonly TopIdShare[];
  /** Links by class and by relationship, most first. */
  readonly byClass: Readonly<Record<string, number>>;
  readonly byRelationship: Readonly<Record<string, number>>;
  readonly topPrefixes: readonly PrefixCount[];
  /** Links added and removed over the last 7 and 30 days (by the time of the load that found them). */
  readonly recent: readonly RecentChanges[];
  /** `gone` iDs by reason. */
  readonly goneByReason: Readonly<Record<string, number>>;
  /** The last load: its id, status and end (null when none). */
  readonly lastLoad: { readonly id: number; readonly status: string; readonly ended: string | null } | null;
}

/** Options for {@linkcode databaseStats}. */
export interface DatabaseStatsOptions {
  /** How many DOI prefixes to list. Default 10. */
  readonly topPrefixes?: number;
  /** The time the recent spans end at. Default: now. */
  readonly now?: Date;
}

const TOP_PERCENTS = [0.1, 1];
const RECENT_DAYS = [7, 30];
const DAY_MS = 86_400_000;

const counts = (rows: readonly Record<string, unknown>[]): Record<string, number> =>
  Object.fromEntries(rows.map((row) => [String(row.k ?? "(none)"), Number(row.n)]));

/**
 * The figures of the DOI→ORCID round trip: DOIs, links and pairs, iDs with links and the share of
 * links the top 0.1 % and 1 % of them hold, links by class, relationship and DOI prefix, links
 * added and removed lately, and gone iDs by reason.
 *
 * @example
 * ```ts
 * const stats = await databaseStats(engine);
 * console.log(`${stats.dois} DOIs have ${stats.links} links`);
 * ```
 */
export async function databaseStats(engine: SqlEngine, options: DatabaseStatsOptions = {}): Promise<DatabaseStats> {
  const now = (options.now ?? new Date()).getTime();
  const [totals] = await engine.all(
    `SELECT count(*) AS links, count(DISTINCT doi) AS dois, count(DISTINCT orcid) AS ids,
       (SELECT count(*) FROM (SELECT DISTINCT doi, orcid FROM links) AS p) AS pairs,
       (SELECT count(*) FROM persons) AS persons, (SELECT count(*) FROM gone) AS gone
     FROM links`,
  );
  const links = Number(totals!.links);
  const idsWithLinks = Number(totals!.ids);
  const tops = TOP_PERCENTS.map((percent) => ({
    percent,
    ids: idsWithLinks === 0 ? 0 : Math.ceil((idsWithLinks * percent) / 100),
  }));
  const [held] = await engine.all(
    `SELECT ${tops.map((_, i) => `coalesce(sum(CASE WHEN rank <= $${i + 1} THEN n ELSE 0 END), 0) AS top${i}`).join(", ")}
     FROM (SELECT n, row_number() OVER (ORDER BY n DESC) AS rank FROM (SELECT count(*) AS n FROM links GROUP BY orcid) AS c) AS r`,
    tops.map((t) => t.ids),
  );
  const topIdShares = tops.map((t, i) => {
    const n = Number(held![`top${i}`]);
    return { ...t, links: n, share: links === 0 ? 0 : n / links };
  });
  const byClass = counts(
    await engine.all("SELECT class AS k, count(*) AS n FROM links GROUP BY class ORDER BY n DESC, k"),
  );
  const byRelationship = counts(
    await engine.all("SELECT relationship AS k, count(*) AS n FROM links GROUP BY relationship ORDER BY n DESC, k"),
  );
  const topPrefixes = (
    await engine.all(
      `SELECT split_part(doi, '/', 1) AS prefix, count(*) AS links, count(DISTINCT doi) AS dois
       FROM links GROUP BY split_part(doi, '/', 1) ORDER BY links DESC, prefix LIMIT $1`,
      [options.topPrefixes ?? 10],
    )
  ).map((row) => ({ prefix: String(row.prefix), links: Number(row.links), dois: Number(row.dois) }));
  const recent: RecentChanges[] = [];
  for (const days of RECENT_DAYS) {
    const since = new Date(now - days * DAY_MS).toISOString();
    const found = counts(
      await engine.all(`SELECT change AS k, count(*) AS n FROM link_events WHERE "at" >= $1 GROUP BY change`, [since]),
    );
    recent.push({ days, added: found.added ?? 0, removed: found.removed ?? 0 });
  }
  const goneByReason = counts(
    await engine.all("SELECT reason AS k, count(*) AS n FROM gone GROUP BY reason ORDER BY n DESC, k"),
  );
  const [last] = await engine.all("SELECT id, status, ended FROM loads ORDER BY id DESC LIMIT 1");
  return {
    type: "stats",
    dois: Number(totals!.dois),
    links,
    pairs: Number(totals!.pairs),
    idsWithLinks,
    persons: Number(totals!.persons),
    gone: Number(totals!.gone),
    topIdShares,
    byClass,
    byRelationship,
    topPrefixes,
    recent,
    goneByReason,
    lastLoad: last
      ? { id: Number(last.id), status: String(last.status), ended: last.ended === null ? null : String(last.ended) }
      : null,
  };
}
