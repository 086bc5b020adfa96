/**
 * Times at microsecond precision. The lambda file and last_ran.config carry six fraction digits; a
 * JS Date keeps three, so times here are whole microseconds since the Unix epoch (exact in a
 * double until the year 2255).
 */

/** Microseconds since 1970-01-01T00:00:00Z. */
export type Micros = number;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?)?(Z|[+-]\d\d:?\d\d)?$/;

/** Options for {@linkcode parseDuration}. */
export interface DurationOptions {
  /** The unit of a bare number (`5` → 5 s). Default: none, a unit is required. */
  readonly bareUnit?: "ms" | "s";
  /** Accept `0` (no duration). Default false: a duration is > 0. */
  readonly allowZero?: boolean;
}

/** Milliseconds of `<number><unit>`, or undefined when `text` is not one. */
function durationMs(text: string, bareUnit?: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(text.trim());
  const unit = match?.[2] ?? bareUnit;
  return match && unit ? Number(match[1]) * UNIT_MS[unit]! : undefined;
}

/**
 * The one duration parser: a number and a unit, `ms`, `s`, `m`, `h`, `d` or `w` (`500ms`, `30s`,
 * `90m`, `1.5h`, `30d`), in milliseconds. Throws RangeError for anything else.
 *
 * @example
 * ```ts
 * parseDuration("30s"); // 30000
 * parseDuration("5", { bareUnit: "s" }); // 5000
 * ```
 */
export function parseDuration(text: string, options: DurationOptions = {}): number {
  if (options.allowZero && text.trim() === "0") return 0;
  const ms = durationMs(text, options.bareUnit);
  if (ms === undefined || !(ms > 0))
    throw new RangeError(
      `Invalid duration '${text}': use a number and a unit (ms, s, m, h, d or w), like 30s, 90m or 30d`,
    );
  return ms;
}

/** {@linkcode parseDuration} in microseconds, with `0` for no span (`--overlap 0`). */
export function parseSpan(text: string): Micros {
  return Math.round(parseDuration(text, { allowZero: true }) * 1000);
}

/** The current time. */
export function nowMicros(): Micros {
  return Date.now() * 1000;
}

/**
 * Parses a point in time: a span back from `now` (`30d`, `12h`, `90m`, `45s`, `2w`), `now`, a date
 * (`2026-11-01`, midnight UTC), or a date-time with up to 9 fraction digits (kept to 6) and an
 * optional zone (`2026-11-20T09:00:00.123456Z`, `2026-11-20 09:00:00`, `…+01:00`). A date-time
 * without a zone is UTC, as the lambda file's dates are.
 *
 * @example
 * ```ts
 * parseWhen("2026-11-20T00:00:00.000001Z", 0); // 1795132800000001
 * ```
 */
export function parseWhen(text: string, now: Micros): Micros {
  const value = text.trim();
  if (value === "now") return now;
  const span = durationMs(value);
  if (span !== undefined) return now - Math.round(span * 1000);
  const micros = parseDateTime(value, "utc");
  if (micros === undefined) {
    throw new RangeError(
      `Invalid time '${text}': use a span like 30d or 12h, a date like 2026-11-01, or an ISO date-time`,
    );
  }
  return micros;
}

/**
 * Parses `YYYY-MM-DD[ HH:MM[:SS[.fraction]]][zone]`; without a zone, as UTC or as the host's local
 * time. Undefined when the text is not such a time or names a day that does not exist.
 */
export function parseDateTime(text: string, zoneless: "utc" | "local"): Micros | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", zone] = match;
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  if (parts[1] > 11 || parts[2] < 1 || parts[2] > 31 || parts[3] > 23 || parts[4] > 59 || parts[5] > 59)
    return undefined;
  let millis: number;
  if (zone) {
    millis = Date.UTC(...parts) - zoneOffsetMinutes(zone) * 60_000;
  } else if (zoneless === "utc") {
    millis = Date.UTC(...parts);
  } else {
    millis = new Date(...parts).getTime();
  }
  // Date rolls 2026-02-31 over to March: refuse days that do not exist.
  if (new Date(Date.UTC(...parts)).getUTCDate() !== parts[2]) return undefined;
  return millis * 1000 + Number(fraction.slice(0, 6).padEnd(6, "0"));
}

function zoneOffsetMinutes(zone: string): number {
  if (zone === "Z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

function splitMicros(micros: Micros): { millis: number; fraction: string } {
  const millis = Math.floor(micros / 1000);
  const fraction = pad(micros - Math.floor(micros / 1e6) * 1e6, 6);
  return { millis, fraction };
}

/**
 * ISO 8601 in UTC with six fraction digits: what `orcid-state get` prints and `--since` reads.
 *
 * @example
 * ```ts
 * formatIsoMicros(1795132800000001); // "2026-11-20T00:00:00.000001Z"
 * ```
 */
export function formatIsoMicros(micros: Micros): string {
  const { millis, fraction } = splitMicros(micros);
  return `${new Date(millis).toISOString().slice(0, 19)}.${fraction}Z`;
}

/**
 * `YYYY-MM-DD HH:MM:SS.ffffff` in UTC: a lambda date padded to six digits compares with this as
 * text exactly as the times compare.
 */
export function formatLambdaMicros(micros: Micros): string {
  const { millis, fraction } = splitMicros(micros);
  return `${new Date(millis).toISOString().slice(0, 19).replace("T", " ")}.${fraction}`;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` in the host's local time zone: the form of last_ran.config. */
export function formatLocalMicros(micros: Micros): string {
  const { millis, fraction } = splitMicros(micros);
  const d = new Date(millis);
  return (
    `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${fraction}`
  );
}
