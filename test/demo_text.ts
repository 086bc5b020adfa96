/** Text the demo shows: child output read whole characters at a time, and previews cut between characters. */
import type { Readable } from "node:stream";

/** Collects a stream as text; a character split across two chunks is decoded whole. */
export function collectText(stream: Readable, onText: (text: string) => void = () => {}): () => string {
  let text = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    text += chunk;
    onText(chunk);
  });
  return () => text;
}

/** The first `limit` characters of a string and "…", never half of a character. */
export function preview(value: unknown, limit = 60): unknown {
  if (typeof value !== "string") return value;
  const characters = Array.from(value);
  return characters.length > limit ? `${characters.slice(0, limit).join("")}…` : value;
}

/** What a script's run did, as its tools' summary lines on stderr say. */
export interface StepCounts {
  readonly fetched: number;
  readonly unchanged: number;
  readonly written: number;
  readonly deleted: number;
}

/**
 * Adds up the summary lines of every orcid-fetch in a script's stderr: `N objects …, U unchanged`,
 * then what was filed — on the same line with `--into` (`; W written, U unchanged, D deleted`), or on
 * orcid-place's own line (`orcid-place: W written, U unchanged, D deleted`) when the script pipes.
 */
export function stepCounts(stderr: string): StepCounts {
  const counts = { fetched: 0, unchanged: 0, written: 0, deleted: 0 };
  for (const [, objects, unchanged] of stderr.matchAll(/orcid-fetch: (\d+) objects \([^)]*\), (\d+) unchanged/g)) {
    counts.fetched += Number(objects);
    counts.unchanged += Number(unchanged);
  }
  const filed = /(?:orcid-place: |; (?:dry run: would have )?)(\d+) written, \d+ unchanged, (\d+) deleted/g;
  for (const [, written, deleted] of stderr.matchAll(filed)) {
    counts.written += Number(written);
    counts.deleted += Number(deleted);
  }
  return counts;
}
