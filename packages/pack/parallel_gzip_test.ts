import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { ParallelGzip } from "./parallel_gzip.ts";
import { scratchDir } from "../core/testdata/scratch_dir.ts";

async function compress(input: Buffer, options: ConstructorParameters<typeof ParallelGzip>[0]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const source = Readable.from(
    (function* () {
      for (let i = 0; i < input.length; i += 7777) yield input.subarray(i, i + 7777);
    })(),
  );
  for await (const chunk of source.pipe(new ParallelGzip(options))) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe("ParallelGzip", () => {
  const input = Buffer.concat([randomBytes(200_000), Buffer.from("text ".repeat(100_000))]);

  test("writes gzip members that zlib and gunzip read back as the input", async () => {
    const output = await compress(input, { workers: 3, blockBytes: 64 * 1024 });
    expect(gunzipSync(output).equals(input)).toBe(true);
    const path = join(scratchDir("pgzip-"), "x.gz");
    writeFileSync(path, output);
    expect(execFileSync("gunzip", ["-c", path], { maxBuffer: 10e6 }).equals(input)).toBe(true);
  });

  test("gives the same bytes for the same input, whatever the number of workers", async () => {
    const one = await compress(input, { workers: 1, blockBytes: 64 * 1024 });
    const four = await compress(input, { workers: 4, blockBytes: 64 * 1024 });
    expect(four.equals(one)).toBe(true);
  });

  test("writes a valid empty gzip for empty input", async () => {
    expect(gunzipSync(await compress(Buffer.alloc(0), {})).length).toBe(0);
  });
});
