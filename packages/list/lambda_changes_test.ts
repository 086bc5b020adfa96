import { createGzip } from "node:zlib";
import { pack } from "tar-stream";
import { describe, expect, test, vi } from "vitest";
import { lambdaChanges, newLambdaStats } from "./lambda_changes.ts";
import { LAMBDA_HEADER } from "./lambda_rows.ts";

const row = (id: string, date: string) => `${id},http://orcid.org/${id},2020-01-01 00:00:00,${date}\n`;

/** A gzip-compressed tar holding last_modified.csv made of `parts`, each repeated `times[i]` times. */
async function lambdaFile(parts: string[], times: number[] = parts.map(() => 1)): Promise<Buffer> {
  const size = parts.reduce((n, part, i) => n + Buffer.byteLength(part) * times[i]!, 0);
  const tar = pack();
  const compressed: Buffer[] = [];
  const gzip = tar.pipe(createGzip());
  gzip.on("data", (chunk: Buffer) => compressed.push(chunk));
  const ended = new Promise((resolve) => gzip.on("end", resolve));
  const entry = tar.entry({ name: "last_modified.csv", size });
  for (const [i, part] of parts.entries()) {
    const bytes = Buffer.from(part);
    for (let k = 0; k < times[i]!; k++) if (!entry.write(bytes)) await new Promise((resolve) => entry.once("drain", resolve));
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
    expect(stats).toMatchObject({ rows: 5, changed: 2, malformed: 1, invalidIds: 1, stoppedEarly: true });
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
    expect(stats.examples[0]).toMatch(/^line 2: x{120}…$/);
  }, 30_000);
});
