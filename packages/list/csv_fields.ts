/** Splitting one CSV line into its fields, as RFC 4180 writes them. */

/**
 * The fields of the line `text[start, end)`: separated by commas; a field that starts with `"` runs
 * to the next lone `"` (a doubled `""` inside is one quote) and must end there. Undefined when a
 * quoted field is not closed or has text after its closing quote. The lambda file's usual rows have
 * no quotes and never come here (`LambdaRowReader` reads them in place); this is the slow path for
 * rows in any other form a CSV writer may produce.
 *
 * @example
 * ```ts
 * const line = '"0000-0002-1825-0097","http://orcid.org/0000-0002-1825-0097",a,"b ""c"""';
 * splitCsvFields(line, 0, line.length); // ["0000-0002-1825-0097", "http://orcid.org/0000-0002-1825-0097", "a", 'b "c"']
 * ```
 */
export function splitCsvFields(text: string, start: number, end: number): string[] | undefined {
  const fields: string[] = [];
  let at = start;
  for (;;) {
    if (at < end && text.charCodeAt(at) === 34) {
      let value = "";
      let from = at + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1 || quote >= end) return undefined;
        value += text.slice(from, quote);
        if (quote + 1 < end && text.charCodeAt(quote + 1) === 34) {
          value += '"';
          from = quote + 2;
          continue;
        }
        at = quote + 1;
        break;
      }
      fields.push(value);
      if (at === end) return fields;
      if (text.charCodeAt(at) !== 44) return undefined;
      at++;
    } else {
      const comma = text.indexOf(",", at);
      if (comma === -1 || comma >= end) {
        fields.push(text.slice(at, end));
        return fields;
      }
      fields.push(text.slice(at, comma));
      at = comma + 1;
    }
  }
}
