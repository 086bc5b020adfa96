/**
 * docs/reliability.md is written by more than one suite: faults_test.ts writes the whole file, and
 * each other suite owns a section between `<!-- section: NAME -->` and `<!-- /section: NAME -->`
 * that the others keep as it is.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./helpers.ts";

/** The file. */
export const RELIABILITY_DOC = join(ROOT, "docs", "reliability.md");

const SECTIONS = /<!-- section: ([\w-]+) -->[\s\S]*?<!-- \/section: \1 -->\n?/g;

/** The suites' sections of the file as it is now, to write back after the main table. */
export function keptSections(): string {
  if (!existsSync(RELIABILITY_DOC)) return "";
  return [...readFileSync(RELIABILITY_DOC, "utf8").matchAll(SECTIONS)]
    .map((m) => (m[0].endsWith("\n") ? m[0] : `${m[0]}\n`))
    .join("\n");
}

/** Replaces (or appends) the section `name` with `body`. */
export function writeSection(name: string, body: string): void {
  const text = existsSync(RELIABILITY_DOC) ? readFileSync(RELIABILITY_DOC, "utf8") : "# Reliability\n";
  const section = `<!-- section: ${name} -->\n${body.trimEnd()}\n<!-- /section: ${name} -->\n`;
  const pattern = new RegExp(`<!-- section: ${name} -->[\\s\\S]*?<!-- \\/section: ${name} -->\\n?`);
  writeFileSync(
    RELIABILITY_DOC,
    pattern.test(text) ? text.replace(pattern, section) : `${text.trimEnd()}\n\n${section}`,
  );
}
