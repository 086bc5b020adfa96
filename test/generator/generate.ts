/** Building a day-1 dataset from a seed. */
import { randomOrcid } from "./orcid.ts";
import { Random } from "./random.ts";
import {
  ACTIVITY_TYPES,
  type ActivityType,
  type Dataset,
  MICROS_PER_DAY,
  type Micros,
  type RecordState,
  roundMicros,
  type Source,
  type SyntheticActivity,
  type SyntheticRecord,
} from "./model.ts";
import { CLIENTS, FAMILY_NAMES, GIVEN_NAMES, ORGANIZATIONS, WORDS } from "./words.ts";

/** Options for {@linkcode generateDataset}. */
export interface GenerateOptions {
  readonly records: number;
  readonly seed: number;
  /** The dataset's "now"; dates fall in the 90 days before it. */
  readonly now: Date;
}

/** Generates `records` researchers with activities, some deprecated, locked or unclaimed. */
export function generateDataset(options: GenerateOptions): Dataset {
  const random = new Random(options.seed);
  const now = options.now.getTime() * 1000;
  const used = new Set<string>();
  const records: SyntheticRecord[] = [];
  const putCodes = { next: 1000 };
  for (let i = 0; i < options.records; i++) {
    const state: RecordState = random.chance(0.05)
      ? "unclaimed"
      : random.chance(0.03)
        ? "deprecated"
        : random.chance(0.02)
          ? "locked"
          : "active";
    const lastModified = now - Math.floor(random.next() * 90 * MICROS_PER_DAY);
    records.push(newRecord(random, uniqueOrcid(random, used), state, lastModified, putCodes));
  }
  return { seed: options.seed, now, day: 1, records, nextPutCode: putCodes.next };
}

/** A fresh iD not yet in `used`. */
export function uniqueOrcid(random: Random, used: Set<string>): string {
  for (;;) {
    const orcid = randomOrcid(random);
    if (!used.has(orcid)) {
      used.add(orcid);
      return orcid;
    }
  }
}

/** A record modified at `lastModified`; activities only when active. */
export function newRecord(
  random: Random,
  orcid: string,
  state: RecordState,
  lastModified: Micros,
  putCodes: { next: number },
): SyntheticRecord {
  const precision = random.pick([0, 3, 6, 6] as const);
  const modified = roundMicros(lastModified, precision);
  const created = roundMicros(modified - random.int(1, 3000) * MICROS_PER_DAY, precision);
  const activities: SyntheticActivity[] = [];
  if (state === "active") {
    const count = random.int(0, 10);
    for (let i = 0; i < count; i++) activities.push(newActivity(random, orcid, created, modified, putCodes));
  }
  return {
    orcid,
    state,
    created,
    lastModified: modified,
    precision,
    givenNames: random.pick(GIVEN_NAMES),
    familyName: random.pick(FAMILY_NAMES),
    biography: sentence(random, random.int(20, 300)),
    keywords: Array.from({ length: random.int(0, 6) }, () => random.pick(WORDS)),
    activities,
  };
}

/** One activity; works are the most common type, every type occurs. */
export function newActivity(
  random: Random,
  orcid: string,
  after: Micros,
  before: Micros,
  putCodes: { next: number },
): SyntheticActivity {
  const type: ActivityType = random.chance(0.55) ? "works" : random.pick(ACTIVITY_TYPES);
  const created = after + Math.floor(random.next() * Math.max(1, before - after));
  const source: Source = random.chance(0.4)
    ? { kind: "orcid", id: orcid, name: "" }
    : { kind: "client", ...random.pick(CLIENTS) };
  const putCode = putCodes.next++;
  return {
    type,
    putCode,
    created: roundMicros(created, 3),
    lastModified: roundMicros(before - Math.floor(random.next() * Math.max(1, before - created)), 3),
    title: titleCase(sentence(random, random.int(4, 12))),
    organization: random.pick(ORGANIZATIONS),
    year: random.int(1990, 2026),
    source,
    ...(type === "works" ? { doi: `10.${random.int(1000, 9999)}/${random.digits(4)}.${putCode}` } : {}),
  };
}

/** A rewritten activity: same put-code and type, new content and time. */
export function changedActivity(random: Random, activity: SyntheticActivity, at: Micros): SyntheticActivity {
  return { ...activity, title: titleCase(sentence(random, random.int(4, 12))), lastModified: roundMicros(at, 3) };
}

function sentence(random: Random, words: number): string {
  return Array.from({ length: words }, () => random.pick(WORDS)).join(" ");
}

function titleCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
