/** Checks of the query verbs' arguments, shared by the verbs that take them. */
import { asUsage, isValidOrcidId, nowMicros, parseWhen, UsageError } from "@orcid-sync/core";
import { normalizeDoi } from "../doi.ts";
import { normalizeDoiPrefix } from "../doi_prefix.ts";
import { FORMATS, type Format } from "../format_records.ts";
import type { ChangesFrom } from "../queries.ts";
import type { DbArgs } from "./verb.ts";

/** The `--format` flag of the verbs that print records. */
export const FORMAT_OPTION = {
  choices: FORMATS,
  default: "ndjson" as Format,
  describe: "Output: NDJSON records, CSV, or an aligned table for people",
} as const;

/** The `-o` flag. */
export const OUTPUT_OPTION = {
  alias: "o",
  type: "string",
  describe: "Write to FILE (renamed into place when complete) instead of stdout",
} as const;

/** DOIs in any form users paste, in their stored form. */
export function doiArgs(texts: readonly string[]): string[] {
  return texts.map((text) => {
    const doi = normalizeDoi(text);
    if (!doi) throw new UsageError(`No DOI in '${text}'`);
    return doi;
  });
}

/** DOI prefixes in any form users paste, in their stored form. */
export function prefixArgs(texts: readonly string[]): string[] {
  return texts.map((text) => {
    const prefix = normalizeDoiPrefix(text);
    if (!prefix) throw new UsageError(`Not a DOI prefix: '${text}' (a prefix looks like 10.5438)`);
    return prefix;
  });
}

/** ORCID iDs, bare or as orcid.org URLs. */
export function orcidArgs(texts: readonly string[]): string[] {
  return texts.map((text) => {
    const id = text
      .trim()
      .replace(/^https?:\/\/orcid\.org\//i, "")
      .toUpperCase();
    if (!isValidOrcidId(id)) throw new UsageError(`Not an ORCID iD: '${text}'`);
    return id;
  });
}

/** `--since WHEN` or `--after SEQ`, when either is given; both is a usage error. */
export function changesFromArgs(args: DbArgs): ChangesFrom | undefined {
  if (args.since !== undefined && args.after !== undefined)
    throw new UsageError("Give one of --since WHEN or --after SEQ, not both");
  if (args.after !== undefined) {
    if (!(Number.isInteger(args.after) && args.after >= 0))
      throw new UsageError("--after takes a whole number ≥ 0 (the last seq seen)");
    return { after: args.after };
  }
  if (args.since === undefined) return undefined;
  return {
    since: new Date(Math.floor(asUsage(() => parseWhen(args.since!, nowMicros()), "--since") / 1000)).toISOString(),
  };
}

/** The record format of a verb's `--format`. */
export function formatArg(args: DbArgs): Format {
  return (args.format ?? "ndjson") as Format;
}
