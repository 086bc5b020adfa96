/**
 * Which mode the full-disk and permission tests ran in, kept in docs/reliability.md as disk_test.ts's
 * section, which the fault suite carries over when it writes the rest of the file.
 */
import { writeSection } from "./reliability_doc.ts";

/** Writes (or rewrites) the section. */
export function recordDiskMode(fullDisk: string, permission: string): void {
  writeSection(
    "disk",
    `## Full disk and permissions\n\nOn the last run of \`disk_test.ts\`, ${fullDisk}; ${permission}.`,
  );
}
