/** Moving a dataset to its next day, the way ORCID's writer changes the buckets. */
import { changedActivity, newActivity, newRecord, uniqueOrcid } from "./generate.ts";
import { type Dataset, MICROS_PER_DAY, type SyntheticActivity, type SyntheticRecord } from "./model.ts";
import { Random } from "./random.ts";

/** What an evolution did, for tests and the demo to check against. */
export interface Evolution {
  readonly dataset: Dataset;
  /** iDs whose record changed (summary rewritten, activities touched or gone, or new). */
  readonly changed: readonly string[];
}

/**
 * The next day: a tenth of the active records edited (summary rewritten; activities added, changed
 * and removed, sometimes a whole type cleared), some turned deprecated or locked (error summary, all
 * activities deleted), new records added (some unclaimed). Every change is dated within the day.
 */
export function evolveDataset(previous: Dataset): Evolution {
  const random = new Random(previous.seed * 7919 + previous.day);
  const now = previous.now + MICROS_PER_DAY;
  const during = () => previous.now + 1 + Math.floor(random.next() * (MICROS_PER_DAY - 1));
  const putCodes = { next: previous.nextPutCode };
  const used = new Set(previous.records.map((r) => r.orcid));
  const changed: string[] = [];

  const records: SyntheticRecord[] = previous.records.map((record) => {
    if (record.state !== "active") return record;
    const roll = random.next();
    if (roll < 0.015) {
      changed.push(record.orcid);
      const state = random.chance(0.6) ? "deprecated" : "locked";
      return { ...record, state, lastModified: during(), precision: 6, activities: [] };
    }
    if (roll < 0.115) {
      changed.push(record.orcid);
      const at = during();
      return {
        ...record,
        lastModified: at,
        precision: 6,
        biography: `${record.biography} (revised)`,
        activities: editActivities(random, record, at, putCodes),
      };
    }
    return record;
  });

  const additions = Math.max(1, Math.round(previous.records.length * 0.02));
  for (let i = 0; i < additions; i++) {
    const record = newRecord(
      random,
      uniqueOrcid(random, used),
      random.chance(0.1) ? "unclaimed" : "active",
      during(),
      putCodes,
    );
    records.push(record);
    changed.push(record.orcid);
  }
  return { dataset: { seed: previous.seed, now, day: previous.day + 1, records, nextPutCode: putCodes.next }, changed };
}

function editActivities(
  random: Random,
  record: SyntheticRecord,
  at: number,
  putCodes: { next: number },
): SyntheticActivity[] {
  let activities = [...record.activities];
  if (activities.length > 0 && random.chance(0.15)) {
    const cleared = random.pick(activities).type;
    activities = activities.filter((a) => a.type !== cleared);
  }
  if (activities.length > 0 && random.chance(0.6)) activities.splice(random.int(0, activities.length - 1), 1);
  if (activities.length > 0 && random.chance(0.6)) {
    const index = random.int(0, activities.length - 1);
    activities[index] = changedActivity(random, activities[index]!, at);
  }
  const added = random.int(0, 2);
  for (let i = 0; i < added; i++) activities.push(newActivity(random, record.orcid, at - 1000, at, putCodes));
  return activities;
}
