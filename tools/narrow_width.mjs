/**
 * Text whose width needs none of string-width's Unicode tables: every character is one column —
 * printable ASCII, Latin-1 but the soft hyphen (and © and ®, which string-width counts as emoji),
 * Latin Extended, IPA and spacing modifiers, and the dashes, quotes, bullets and ellipsis of
 * general punctuation. All of yargs's help text here is such text, so laying it out need not load
 * string-width (about 25 ms of start-up). test/e2e/bundles_test.ts holds it to string-width.
 */
const NARROW = /^[\x20-\x7e\u00a0-\u00a8\u00aa-\u00ac\u00af-\u02ff\u2010-\u2027]*$/;

/** The width of `text` in columns when every character is one column wide; otherwise undefined. */
export function narrowWidth(text) {
  return typeof text === "string" && NARROW.test(text) ? text.length : undefined;
}
