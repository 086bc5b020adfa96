import { createGzip } from "node:zlib";
import { pack } from "tar-stream";
import { describe, expect, test, vi } from "vitest";
import { LambdaFileError, lambdaChanges, newLambdaStats } from "./lambda_changes.ts";
import { LAMBDA_HEADER } from "./lambda_rows.ts";

const row = (id: string, date: string) => `${id},http://orcid.org/${id},2020-01-01 00:00:00,${date}\n`;

/** A gzip-compressed tar holding last_modified.csv (or `name`) made of `parts`, each repeated `times[i]` times. */
async function lambdaFile(
  parts: string[],
  times: number[] = parts.map(() => 1),
  name = "last_modified.csv",
): Promise<Buffer> {
  const size = parts.reduce((n, part, i) => n + Buffer.byteLength(part) * times[i]!, 0);
  const tar = pack();
  const compressed: Buffer[] = [];
  const gzip = tar.pipe(createGzip());
  gzip.on("data", (chunk: Buffer) => compressed.push(chunk));
  const ended = new Promise((resolve) => gzip.on("end", resolve));
  const entry = tar.entry({ name, size });
  for (const [i, part] of parts.entries()) {
    const bytes = Buffer.from(part);
    for (let k = 0; k < times[i]!; k++)
      if (!entry.write(bytes)) await new Promise((resolve) => entry.once("drain", resolve));
  }
  entry.end();
  tar.finalize();
  await ended;
  return Buffer.concat(compressed);
}

async function* chunks(bytes: Buffer): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += 16384) yield bytes.subarray(i, i + 16384);
}

describe("lambdaChanges()", () => {
  test("emits the rows at or after the cutoff and stops at the first older one", async () => {
    const file = await lambdaFile([
      `${LAMBDA_HEADER}\n`,
      row("0000-0002-1825-0097", "2026-11-20 10:00:00.000001"),
      "not a row\n",
      row("0000-0002-1825-0098", "2026-11-20 09:00:00"),
      row("0000-0001-5109-3700", "2026-11-20 10:00:00"),
      row("0000-0002-7869-831X", "2026-11-19 00:00:00"),
    ]);
    const stats = newLambdaStats();
    const ids: string[] = [];
    for await (const batch of lambdaChanges(chunks(file), "2026-11-20 10:00:00.000000", stats)) ids.push(...batch);
    expect(ids).toEqual(["0000-0002-1825-0097", "0000-0001-5109-3700"]);
    expect(stats).toMatchObject({
      rows: 5,
      changed: 2,
      malformed: 1,
      invalidIds: 1,
      stoppedEarly: true,
      newest: "2026-11-20 10:00:00.000001",
    });
    expect(stats.examples).toEqual([
      "row 2 (line 3): not a row",
      "row 3 (line 4): 0000-0002-1825-0098,http://orcid.org/0000-0002-1825-0098,2020-01-01 00:00:00,2026-11-20 09:00:00",
    ]);
  });

  test("reads rows in the other forms CSV and ISO 8601 allow: quoted, a T, Z, +00:00, another zone", async () => {
    const file = await lambdaFile([
      `"orcid","path","date_created","last_modified"\r\n`,
      `"0000-0002-1825-0097","http://orcid.org/0000-0002-1825-0097","2020-01-01 00:00:00","2026-11-20T10:00:00.5Z"\r\n`,
      row("0000-0001-5109-3700", "2026-11-20T09:30:00+00:00"),
      row("0000-0002-7869-831X", "2026-11-20T10:15:00+01:00"),
      row("0000-0003-1415-9269", "2026-11-20 09:00:00.000000Z"),
      row("0000-0002-1694-233X", "2026-11-20 08:59:59"),
    ]);
    const stats = newLambdaStats();
    const ids: string[] = [];
    for await (const batch of lambdaChanges(chunks(file), "2026-11-20 09:00:00.000000", stats)) ids.push(...batch);
    expect(ids).toEqual(["0000-0002-1825-0097", "0000-0001-5109-3700", "0000-0002-7869-831X", "0000-0003-1415-9269"]);
    expect(stats).toMatchObject({
      rows: 5,
      changed: 4,
      malformed: 0,
      invalidIds: 0,
      stoppedEarly: true,
      newest: "2026-11-20 10:00:00.500000",
    });
  });

  test("knows how far the file reaches even when nothing in it is new", async () => {
    const file = await lambdaFile([
      `${LAMBDA_HEADER}\n`,
      row("0000-0002-1825-0097", "2026-11-18 10:00:00.25"),
      row("0000-0001-5109-3700", "2026-11-17 00:00:00"),
    ]);
    const stats = newLambdaStats();
    for await (const batch of lambdaChanges(chunks(file), "2026-11-20 00:00:00.000000", stats))
      expect(batch).toEqual([]);
    expect(stats).toMatchObject({ rows: 1, changed: 0, stoppedEarly: true, newest: "2026-11-18 10:00:00.250000" });
  });

  test("a line without an end is one malformed row, and is not gathered in memory", async () => {
    // 32 MB without a line break, then rows again.
    const file = await lambdaFile(
      [`${LAMBDA_HEADER}\n`, "x".repeat(1 << 20), "\n", row("0000-0002-1825-0097", "2026-11-20 10:00:00")],
      [1, 32, 1, 1],
    );
    // The pieces of an unfinished line are joined with Buffer.concat: watch how large that gets.
    const concat = vi.spyOn(Buffer, "concat");
    const stats = newLambdaStats();
    const ids: string[] = [];
    let largest = 0;
    try {
      for await (const batch of lambdaChanges(chunks(file), "2026-11-01 00:00:00.000000", stats)) ids.push(...batch);
    } finally {
      // Read before mockRestore, which forgets the calls.
      largest = Math.max(0, ...concat.mock.results.map((result) => (result.value as Buffer).length));
      concat.mockRestore();
    }
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(1 << 20);
    expect(ids).toEqual(["0000-0002-1825-0097"]);
    expect(stats).toMatchObject({ rows: 2, changed: 1, malformed: 1 });
    expect(stats.examples[0]).toMatch(/^row 1 \(line 2\): x{120}…$/);
  }, 30_000);

  /** The error a file makes lambdaChanges throw, or undefined. */
  async function failure(file: Buffer): Promise<unknown> {
    try {
      for await (const _ of lambdaChanges(chunks(file), "2026-11-01 00:00:00.000000")) {
        // read on
      }
      return undefined;
    } catch (error) {
      return error;
    }
  }

  const gzipOf = (bytes: Buffer) =>
    new Promise<Buffer>((resolve, reject) => {
      const gzip = createGzip();
      const out: Buffer[] = [];
      gzip
        .on("data", (c: Buffer) => out.push(c))
        .on("end", () => resolve(Buffer.concat(out)))
        .on("error", reject);
      gzip.end(bytes);
    });

  test.each([
    ["a file of no bytes", async () => Buffer.alloc(0), /not a gzip-compressed tar: unexpected end of file/],
    ["an empty gzip", () => gzipOf(Buffer.alloc(0)), /holds no last_modified\.csv \(it is empty\)/],
    ["an empty tar", () => gzipOf(Buffer.alloc(1024)), /holds no last_modified\.csv \(it is empty\)/],
    [
      "no last_modified.csv member",
      () => lambdaFile([`${LAMBDA_HEADER}\n`, row("0000-0002-1825-0097", "2026-11-20 10:00:00")], [1, 1], "other.csv"),
      /holds no last_modified\.csv \(it holds 'other\.csv'\)/,
    ],
    ["an empty member", () => lambdaFile([]), /last_modified\.csv is empty/],
    ["a header alone", () => lambdaFile([`${LAMBDA_HEADER}\n`]), /has a header and no rows/],
    [
      "no header",
      () => lambdaFile([row("0000-0002-1825-0097", "2026-11-20 10:00:00")]),
      /first line is not the header .*line 1: '0000-0002-1825-0097,/,
    ],
    [
      "another header",
      () => lambdaFile(["orcid,last_modified\n", "0000-0002-1825-0097,2026-11-20 10:00:00\n"]),
      /first line is not the header/,
    ],
    [
      "a header with a column more",
      () => lambdaFile([`${LAMBDA_HEADER},x\n`, row("0000-0002-1825-0097", "2026-11-20 10:00:00")]),
      /first line is not the header/,
    ],
    [
      "every row rejected",
      () => lambdaFile([`${LAMBDA_HEADER}\n`, "a,b,c,d\n", row("0000-0002-1825-0098", "2026-11-20 10:00:00")]),
      /none of its 2 rows could be read \(row 1 \(line 2\): a,b,c,d\)/,
    ],
    [
      "a gzip cut short",
      async () => {
        const whole = await lambdaFile(
          [`${LAMBDA_HEADER}\n`, row("0000-0002-1825-0097", "2026-11-20 10:00:00")],
          [1, 2000],
        );
        return whole.subarray(0, Math.floor(whole.length / 2));
      },
      /not a gzip-compressed tar: unexpected end of file|end of data/i,
    ],
  ])(
    'refuses %s: a LambdaFileError or a read error, never "nothing changed"',
    async (_label, make, message) => {
      const error = await failure(await make());
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(message);
    },
    30_000,
  );

  test("a wrong header is a LambdaFileError", async () => {
    expect(await failure(await lambdaFile(["orcid,last_modified\n"]))).toBeInstanceOf(LambdaFileError);
  });
});
