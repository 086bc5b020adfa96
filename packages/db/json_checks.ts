/**
 * In SQL, the checks a line read without parsing (line_start.ts) would have met in JavaScript:
 * core's parseRecord (every required field present, of its shape: a non-empty string, a string or
 * null, a whole number or null, a list of non-empty strings, an object of given fields, one of given
 * values) and the loader's own (rows.ts `rejection`: an item's whole-number putCode), plus no key
 * twice in an object (JSON.parse keeps the last, which these checks would not see). A check is never
 * looser than JavaScript's; where it is stricter (a number written `5.0`), the batch is only read
 * again in JavaScript, which then decides.
 */
import type { ScannedType } from "./line_start.ts";

/** A check of the JSON value `v` (an SQL expression of type JSON, NULL when the field is missing). */
type Check = (v: string) => string;

let lambdas = 0;
const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;
// A field's value is checked on its JSON text as DuckDB extracts it (no parse per check):
// `null`, `"…"`, a number's digits, `[…]`, `{…}`.
const raw = (v: string) => `CAST(${v} AS VARCHAR)`;
const isNull: Check = (v) => `${raw(v)} = 'null'`;
const isString: Check = (v) => `(starts_with(${raw(v)}, '"') AND ${raw(v)} <> '""')`;
const orNull =
  (check: Check): Check =>
  (v) =>
    `(${isNull(v)} OR ${check(v)})`;
const text = orNull(isString);
/** Number.isSafeInteger: digits only (not `5.0`, which JSON.parse would take) within ±(2^53 − 1). */
const safeInteger: Check = (v) =>
  `(regexp_full_match(${raw(v)}, '-?[0-9]{1,16}') AND abs(TRY_CAST(${raw(v)} AS BIGINT)) <= 9007199254740991)`;
const count = orNull(safeInteger);
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    `${raw(v)} IN (${values.map((value) => sqlString(JSON.stringify(value))).join(", ")})`;
const listOf =
  (check: Check): Check =>
  (v) => {
    const x = `x${++lambdas}`;
    return `(starts_with(${raw(v)}, '[') AND coalesce(list_bool_and(list_transform(json_extract(${v}, '$[*]'), lambda ${x}: coalesce(${check(x)}, false))), true))`;
  };
const strings = listOf(isString);
const distinctKeys = (v: string) => `len(json_keys(${v})) = len(list_distinct(json_keys(${v})))`;
/** An object with these fields, each checked; its value is parsed once for all of them (bound to a lambda's parameter). */
const shaped =
  (fields: Record<string, Check>): Check =>
  (v) => {
    const f = `f${++lambdas}`;
    const entries = Object.entries(fields);
    const paths = entries.map(([name]) => sqlString(`$."${name}"`)).join(", ");
    const checks = entries.map(([, check], i) => check(`${f}[${i + 1}]`)).join(" AND ");
    return `(starts_with(${raw(v)}, '{') AND ${distinctKeys(v)} AND list_transform([json_extract(${v}, [${paths}])], lambda ${f}: ${checks})[1])`;
  };
const itemSource = orNull(
  shaped({ kind: orNull(oneOf("orcid", "client")), id: text, name: text, originId: text, originName: text }),
);
const itemExternalIds = listOf(shaped({ type: text, value: text, normalized: text, url: text, relationship: text }));

/** Each scanned type's fields as core's parseRecord checks them; `putCode` also as the loader does. */
const FIELDS: Record<ScannedType, Record<string, Check>> = {
  person: {
    orcid: isString,
    givenNames: text,
    familyName: text,
    creditName: text,
    otherNames: strings,
    biography: text,
    keywords: strings,
    researcherUrls: listOf(shaped({ name: text, url: text })),
    externalIds: listOf(shaped({ type: text, value: text, url: text })),
    emails: strings,
    created: text,
    lastModified: text,
  },
  gone: {
    orcid: isString,
    reason: oneOf("deprecated", "locked", "deactivated", "error"),
    redirect: text,
    code: count,
  },
  affiliation: {
    orcid: isString,
    affiliationType: oneOf(
      "employment",
      "education",
      "qualification",
      "invited-position",
      "distinction",
      "membership",
      "service",
    ),
    putCode: safeInteger,
    department: text,
    role: text,
    startDate: text,
    endDate: text,
    orgName: text,
    orgCity: text,
    orgRegion: text,
    orgCountry: text,
    orgIdSource: text,
    orgId: text,
    source: itemSource,
  },
  funding: {
    orcid: isString,
    putCode: safeInteger,
    title: text,
    fundingType: text,
    orgName: text,
    orgIdSource: text,
    orgId: text,
    externalIds: itemExternalIds,
    startDate: text,
    endDate: text,
    source: itemSource,
  },
};

/**
 * A query over a file of `type` lines giving `lines` (objects read) and `failed` (objects that fail
 * a check). DuckDB refuses a file with a line that is not one JSON object (the query fails).
 *
 * @example
 * ```ts
 * const [row] = await engine.all(checkSql("gone", "/tmp/gone.ndjson"));
 * ```
 */
export function checkSql(type: ScannedType, file: string): string {
  const record = shaped({ type: oneOf(type), ...FIELDS[type] })("json");
  return `SELECT count(*) AS lines, count(*) FILTER (WHERE NOT coalesce(${record}, false)) AS failed
FROM read_ndjson_objects(${sqlString(file)})`;
}
