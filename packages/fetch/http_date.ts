/** S3's Last-Modified (an HTTP date) as the ISO 8601 string the records carry. */

/** IMF-fixdate, the form S3 sends: `Thu, 08 Oct 2026 04:10:22 GMT`. */
const IMF_FIXDATE = /^[A-Z][a-z]{2}, (\d\d) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d) GMT$/;

const MONTHS: Readonly<Record<string, string>> = {
  Jan: "01",
  Feb: "02",
  Mar: "03",
  Apr: "04",
  May: "05",
  Jun: "06",
  Jul: "07",
  Aug: "08",
  Sep: "09",
  Oct: "10",
  Nov: "11",
  Dec: "12",
};

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The ISO 8601 form of an HTTP date, as `new Date(value).toISOString()` gives it: an IMF-fixdate
 * with fields in range is rearranged (the general date parser costs more than the rest of a
 * response's headers); any other form goes through `Date`, which throws a RangeError for what it
 * cannot read.
 *
 * @example
 * ```ts
 * isoOfHttpDate("Thu, 08 Oct 2026 04:10:22 GMT"); // "2026-10-08T04:10:22.000Z"
 * ```
 */
export function isoOfHttpDate(value: string): string {
  const match = IMF_FIXDATE.exec(value);
  if (match) {
    const [, day, monthName, year, hour, minute, second] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const month = MONTHS[monthName];
    if (
      month !== undefined &&
      Number(day) >= 1 &&
      Number(day) <= daysIn(Number(year), Number(month)) &&
      Number(hour) <= 23 &&
      Number(minute) <= 59 &&
      Number(second) <= 59
    )
      return `${year}-${month}-${day}T${hour}:${minute}:${second}.000Z`;
  }
  return new Date(value).toISOString();
}
