/** The lambda file: a gzip-compressed tar holding last_modified.csv, newest first. */
import { createGzip } from "node:zlib";
import { pack } from "tar-stream";
import { corruptOrcid, randomOrcid } from "./orcid.ts";
import { type Dataset, lambdaDate, MICROS_PER_DAY } from "./model.ts";
import { Random } from "./random.ts";

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
    .map(
      (r) =>
        `${r.orcid},http://orcid.org/${r.orcid},${lambdaDate(r.created, r.precision)},${lambdaDate(r.lastModified, r.precision)}`,
    );
  if (options.noise) {
    // Bad rows carry the newest row's date and follow it: inside every window a test asks about.
    rows.splice(1, 0, ...noiseRows(dataset));
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

/** Options for {@linkcode syntheticLambda}. */
export interface SyntheticLambdaOptions {
  readonly rows: number;
  readonly seed: number;
  /** The newest row's time. */
  readonly now: Date;
  /** Rows spread evenly over this many days before `now`. */
  readonly days: number;
  /** gzip level; 1 makes a bigger file faster. Default 6. */
  readonly level?: number;
}

/**
 * A large lambda file without a dataset behind it (for early-stop tests and benchmarks): `rows`
 * random valid iDs, newest first, six fraction digits, every row the same length. Streamed out
 * as gzip-compressed tar chunks, so millions of rows never sit in memory.
 */
export async function* syntheticLambda(options: SyntheticLambdaOptions): AsyncGenerator<Buffer> {
  const random = new Random(options.seed);
  const now = options.now.getTime() * 1000;
  const step = Math.max(1, Math.floor((options.days * MICROS_PER_DAY) / Math.max(1, options.rows)));
  const header = `${HEADER}\n`;
  const rowLength = 19 + 1 + 36 + 1 + 26 + 1 + 26 + 1;
  const size = header.length + options.rows * rowLength;
  const tar = pack();
  const gzip = createGzip({ level: options.level ?? 6 });
  tar.pipe(gzip);
  const entry = tar.entry({ name: "last_modified.csv", size, mtime: new Date(0), mode: 0o644 });
  const writer = (async () => {
    const write = (text: string) =>
      entry.write(text) ? undefined : new Promise<void>((resolve) => entry.once("drain", () => resolve()));
    await write(header);
    let lines: string[] = [];
    for (let i = 0; i < options.rows; i++) {
      const orcid = randomOrcid(random);
      // A random sub-step offset keeps the fraction digits from compressing away.
      const modified = now - i * step - random.int(0, step - 1);
      lines.push(
        `${orcid},http://orcid.org/${orcid},${lambdaDate(modified - 400 * MICROS_PER_DAY, 6)},${lambdaDate(modified, 6)}`,
      );
      if (lines.length === 2000) {
        await write(`${lines.join("\n")}\n`);
        lines = [];
      }
    }
    if (lines.length > 0) await write(`${lines.join("\n")}\n`);
    await new Promise<void>((resolve) => entry.end(resolve));
    tar.finalize();
  })();
  for await (const chunk of gzip) yield chunk as Buffer;
  await writer;
}
