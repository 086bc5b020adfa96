/** The lambda file: a gzip-compressed tar holding last_modified.csv, newest first. */
import { createGzip } from "node:zlib";
import { pack } from "tar-stream";
import { corruptOrcid } from "./orcid.ts";
import { type Dataset, lambdaDate } from "./model.ts";

const HEADER = "orcid,path,date_created,last_modified";

/** Options for {@linkcode lambdaCsv}. */
export interface LambdaOptions {
  /** Add malformed rows and invalid iDs among the newest rows (tools must count and report them). */
  readonly noise?: boolean;
}

/** Rows a tool must refuse, with the reason; placed among the newest rows by {@linkcode lambdaCsv}. */
export function noiseRows(dataset: Dataset): string[] {
  const sample = [...dataset.records].sort((a, b) => b.lastModified - a.lastModified)[0]!;
  const date = lambdaDate(sample.lastModified, 3);
  return [
    `${corruptOrcid(sample.orcid)},http://orcid.org/${corruptOrcid(sample.orcid)},${date},${date}`, // bad check character
    `0000-0002-1825-009,http://orcid.org/0000-0002-1825-009,${date},${date}`, // too short
    `${sample.orcid},http://orcid.org/${sample.orcid},${date}`, // a column missing
    `${sample.orcid},http://orcid.org/${sample.orcid},${date},yesterday`, // unparseable date
  ];
}

/** The CSV text: header, then one row per record (unclaimed ones included), newest first. */
export function lambdaCsv(dataset: Dataset, options: LambdaOptions = {}): string {
  const rows = [...dataset.records]
    .sort((a, b) => b.lastModified - a.lastModified || (a.orcid < b.orcid ? -1 : 1))
    .map((r) => `${r.orcid},http://orcid.org/${r.orcid},${lambdaDate(r.created, r.precision)},${lambdaDate(r.lastModified, r.precision)}`);
  if (options.noise) {
    // Bad rows go after the 3rd, 7th, … newest rows: inside every window a test asks about.
    noiseRows(dataset).forEach((row, i) => rows.splice(Math.min(rows.length, 3 + i * 4), 0, row));
  }
  return `${HEADER}\n${rows.join("\n")}\n`;
}

/** Packs CSV text into a gzip-compressed tar with one member, `last_modified.csv`. */
export async function lambdaTarGz(csv: string): Promise<Buffer> {
  const tar = pack();
  const gzip = createGzip();
  const chunks: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gzip.on("end", resolve);
    gzip.on("error", reject);
  });
  tar.pipe(gzip);
  const body = Buffer.from(csv);
  tar.entry({ name: "last_modified.csv", size: body.length, mtime: new Date(0), mode: 0o644 }, body);
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}
