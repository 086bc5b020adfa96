/** ORCID iD validation and the derived names the buckets are organised by. */

/**
 * Computes the ISO 7064 MOD 11-2 check character over the 15 base digits of an iD.
 *
 * @example
 * ```ts
 * checkCharacter("000000021825009"); // "7"
 * ```
 */
export function checkCharacter(baseDigits: string): string {
  if (!/^\d{15}$/.test(baseDigits)) {
    throw new TypeError(`Cannot compute check character: expected 15 digits, got '${baseDigits}'`);
  }
  let total = 0;
  for (let i = 0; i < baseDigits.length; i++) {
    total = (total + (baseDigits.charCodeAt(i) - 48)) * 2;
  }
  const result = (12 - (total % 11)) % 11;
  return result === 10 ? "X" : String(result);
}

/**
 * Whether `value` is a hyphenated ORCID iD with a correct check character. iDs outside the issued
 * ranges are accepted: ORCID may issue new ranges.
 *
 * @example
 * ```ts
 * isValidOrcidId("0000-0002-1825-0097"); // true
 * isValidOrcidId("0000-0002-1825-0098"); // false
 * ```
 */
export function isValidOrcidId(value: string): boolean {
  return typeof value === "string" && value.length === 19 && isValidOrcidIdAt(value, 0);
}

/**
 * Whether the 19 characters of `text` from `start` are a valid iD ({@linkcode isValidOrcidId}),
 * read in place: the lambda file has millions of rows, and a string cut out for each of them made
 * the check half again as slow.
 *
 * @example
 * ```ts
 * isValidOrcidIdAt("0000-0002-1825-0097,http://orcid.org/…", 0); // true
 * ```
 */
export function isValidOrcidIdAt(text: string, start: number): boolean {
  if (start < 0 || start + 19 > text.length) return false;
  if (text.charCodeAt(start + 4) !== 45 || text.charCodeAt(start + 9) !== 45 || text.charCodeAt(start + 14) !== 45)
    return false; // "-"
  let total = 0;
  for (let i = 0; i < 18; i++) {
    if (i === 4 || i === 9 || i === 14) continue;
    const digit = text.charCodeAt(start + i) - 48;
    if (digit < 0 || digit > 9) return false;
    total = (total + digit) * 2;
  }
  const result = (12 - (total % 11)) % 11;
  const last = text.charCodeAt(start + 18);
  return result === 10 ? last === 88 /* "X" */ : last === 48 + result;
}

/**
 * The "checksum" folder of an iD: its last three characters (10×10×11 = 1100 folders).
 *
 * @example
 * ```ts
 * last3("0000-0002-7869-831X"); // "31X"
 * ```
 */
export function last3(orcid: string): string {
  return orcid.slice(-3);
}

/** Every `<last3>` folder name, in the order S3 lists them (byte order: digits before `X`). */
export const ALL_FOLDERS: readonly string[] = (() => {
  const folders: string[] = [];
  for (let a = 0; a < 10; a++) {
    for (let b = 0; b < 10; b++) {
      for (const c of "0123456789X") folders.push(`${a}${b}${c}`);
    }
  }
  return folders;
})();

/**
 * The suffix of the activities bucket that holds an iD's activities: `0`–`3` → `a`, `4`–`7` → `b`,
 * `8`, `9`, `X` → `c`.
 *
 * @example
 * ```ts
 * activitiesBucketSuffix("0000-0002-1825-0097"); // "b"
 * ```
 */
export function activitiesBucketSuffix(orcid: string): "a" | "b" | "c" {
  const last = orcid.at(-1);
  if (last === undefined || !/[\dX]/.test(last)) {
    throw new TypeError(`Cannot choose an activities bucket: '${orcid}' does not end in a check character`);
  }
  if (last === "X" || last === "8" || last === "9") return "c";
  return last <= "3" ? "a" : "b";
}

/**
 * The activities bucket of an iD for a split bucket base (`v3.0-activities` → `v3.0-activities-b`).
 *
 * @example
 * ```ts
 * activitiesBucketFor("0000-0002-1825-0097", "v3.0-activities"); // "v3.0-activities-b"
 * ```
 */
export function activitiesBucketFor(orcid: string, base: string): string {
  return `${base}-${activitiesBucketSuffix(orcid)}`;
}
