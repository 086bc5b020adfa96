/**
 * Which mode the full-disk and permission tests ran in, kept in docs/reliability.md between two
 * markers: disk_test.ts writes the section, and the fault suite, which writes the rest of the
 * file, carries it over.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./helpers.ts";

const FILE = join(ROOT, "docs", "reliability.md");
const BEGIN = "<!-- disk_test.ts: the mode of its last run -->";
const END = "<!-- /disk_test.ts -->";

/** The section as it stands in `text`, markers included ("" when there is none). */
export function diskModeSection(text: string): string {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  return start >= 0 && end > start ? text.slice(start, end + END.length) : "";
}

/** Writes (or rewrites) the section at the end of docs/reliability.md. */
export function recordDiskMode(fullDisk: string, permission: string): void {
  const text = existsSync(FILE) ? readFileSync(FILE, "utf8") : "";
  const section = `${BEGIN}\n## Full disk and permissions\n\nOn the last run of \`disk_test.ts\`, ${fullDisk}; ${permission}.\n${END}`;
  const old = diskModeSection(text);
  const next = old ? text.replace(old, section) : `${text.trimEnd()}\n\n${section}\n`;
  if (next !== text) writeFileSync(FILE, next);
}
