/** The synthetic registry: records and their activities, with times in microseconds since the epoch. */

/** Microseconds since the Unix epoch (exact in a double for these dates). */
export type Micros = number;

export type RecordState = "active" | "deprecated" | "locked" | "unclaimed";

/** The activity types the writer uses (folder name = token in the file name). */
export const ACTIVITY_TYPES = [
  "distinctions",
  "educations",
  "employments",
  "fundings",
  "invited-positions",
  "membership",
  "peer-reviews",
  "qualifications",
  "research-resources",
  "services",
  "works",
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export interface Source {
  /** `orcid` for self-asserted items, `client` for a member integration. */
  readonly kind: "orcid" | "client";
  readonly id: string;
  readonly name: string;
  /** With variety: the person a client asserted the item for (`assertion-origin-orcid`). */
  readonly origin?: { readonly id: string; readonly name: string };
}

/** With variety: one external id of a work, written as given (absent parts are left out). */
export interface ExternalIdSpec {
  readonly type: string;
  readonly value: string;
  readonly normalized?: string;
  readonly relationship?: string;
}

export interface SyntheticActivity {
  readonly type: ActivityType;
  readonly putCode: number;
  readonly created: Micros;
  readonly lastModified: Micros;
  readonly title: string;
  readonly organization: string;
  readonly year: number;
  readonly source: Source;
  /** Works carry a DOI. */
  readonly doi?: string;
  /** With variety: a work's external ids (in place of `doi`'s one), in its summary too. */
  readonly externalIds?: readonly ExternalIdSpec[];
  /** With variety: an affiliation's or funding's disambiguated organization, in its summary too. */
  readonly org?: { readonly source: string; readonly id: string };
}

export interface SyntheticRecord {
  readonly orcid: string;
  readonly state: RecordState;
  readonly created: Micros;
  readonly lastModified: Micros;
  /** Fraction digits the lambda file shows for this record's dates (0, 3 or 6). */
  readonly precision: 0 | 3 | 6;
  readonly givenNames: string;
  readonly familyName: string;
  readonly biography: string;
  readonly keywords: readonly string[];
  readonly activities: readonly SyntheticActivity[];
}

export interface Dataset {
  readonly seed: number;
  /** The day's "now": every date is at or before it. */
  readonly now: Micros;
  /** 1 for a fresh dataset, +1 for each evolution. */
  readonly day: number;
  readonly records: readonly SyntheticRecord[];
  /** The next free put-code. */
  readonly nextPutCode: number;
}

/** Bucket names of the current generation. */
export interface BucketNames {
  readonly summaries: string;
  readonly activitiesBase: string;
  readonly lambda: string;
}

export const DEFAULT_BUCKETS: BucketNames = {
  summaries: "v3.0-summaries",
  activitiesBase: "v3.0-activities",
  lambda: "orcid-lambda-file",
};

export const LAMBDA_KEY = "last_modified.csv.tar";

export const MICROS_PER_DAY = 86_400_000_000;

/** Rounds a time down to a precision of 0, 3 or 6 fraction digits. */
export function roundMicros(micros: Micros, precision: 0 | 3 | 6): Micros {
  const unit = precision === 0 ? 1_000_000 : precision === 3 ? 1_000 : 1;
  return Math.floor(micros / unit) * unit;
}

/** `YYYY-MM-DD HH:MM:SS[.fff[fff]]` in UTC, as the lambda file writes dates. */
export function lambdaDate(micros: Micros, precision: 0 | 3 | 6): string {
  const date = new Date(Math.floor(micros / 1000));
  const base = date.toISOString().slice(0, 19).replace("T", " ");
  if (precision === 0) return base;
  const fraction = String(micros % 1_000_000).padStart(6, "0");
  return `${base}.${fraction.slice(0, precision)}`;
}

/** ISO 8601 with milliseconds, as the XML writes dates. */
export function isoDate(micros: Micros): string {
  return new Date(Math.floor(micros / 1000)).toISOString();
}
