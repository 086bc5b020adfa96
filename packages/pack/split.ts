/** Splitting archives by `<last3>` range, like the yearly activities files. */
import { ALL_FOLDERS } from "@orcid-sync/core";

const FOLDER_INDEX = new Map(ALL_FOLDERS.map((folder, i) => [folder, i]));

/** Which of `parts` contiguous ranges of the 1100 folders holds `folder` (0-based). */
export function splitIndex(folder: string, parts: number): number {
  const index = FOLDER_INDEX.get(folder) ?? 0;
  return Math.floor((index * parts) / ALL_FOLDERS.length);
}

/** The first and last folder of each range, for messages. */
export function splitRanges(parts: number): [string, string][] {
  const ranges: [string, string][] = [];
  for (let k = 0; k < parts; k++) {
    const inRange = ALL_FOLDERS.filter((folder) => splitIndex(folder, parts) === k);
    ranges.push([inRange[0] ?? "", inRange.at(-1) ?? ""]);
  }
  return ranges;
}

/** `out.tar.gz` → `out_3.tar.gz` (1-based). */
export function partName(path: string, part: number): string {
  const match = /^(.*?)(\.tar\.gz|\.tgz)?$/.exec(path)!;
  return `${match[1]}_${part}${match[2] ?? ""}`;
}

/**
 * The reference's archive names for the current month: `ORCID-API-3.0_xml_<month>_<year>.tar.gz`
 * for summaries, `ORCID-API-3.0_activities_xml_<month>_<year>.tar.gz` for activities (month not
 * zero-padded).
 */
export function referenceName(kind: "summaries" | "activities", date: Date = new Date()): string {
  const stamp = `${date.getMonth() + 1}_${date.getFullYear()}`;
  return kind === "summaries" ? `ORCID-API-3.0_xml_${stamp}.tar.gz` : `ORCID-API-3.0_activities_xml_${stamp}.tar.gz`;
}
