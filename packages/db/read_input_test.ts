import { describe, expect, it } from "vitest";
import { readRecords } from "@orcid-sync/core";
import { readTextRecords } from "./read_input.ts";

const CHECKPOINT = '{"type":"checkpoint","bucket":"b","folder":"097"}';

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

describe("readTextRecords()", () => {
  it("gives each record with its line as read, across chunks, CRLF and a last line without a newline", async () => {
    const second = '{"type":"checkpoint","bucket":"b","folder":"é98"}';
    const read = await all(
      readTextRecords(chunks(`${CHECKPOINT}\r\n\n  \n${second.slice(0, 30)}`, second.slice(30), "\n", CHECKPOINT), {
        source: "in.ndjson",
      }),
    );
    expect(read.map(({ text, line, source }) => ({ text, line, source }))).toEqual([
      { text: CHECKPOINT, line: 1, source: "in.ndjson" },
      { text: second, line: 4, source: "in.ndjson" },
      { text: CHECKPOINT, line: 5, source: "in.ndjson" },
    ]);
    expect(read.map((r) => r.record)).toEqual([JSON.parse(CHECKPOINT), JSON.parse(second), JSON.parse(CHECKPOINT)]);
    expect(read.map((r) => Buffer.from(r.bytes).toString())).toEqual([CHECKPOINT, second, CHECKPOINT]);
  });

  it.each([
    ["a line that is not JSON", `${CHECKPOINT}\n{"type":`],
    ["a record of a known type with a bad field", `${CHECKPOINT}\n{"type":"checkpoint","bucket":1,"folder":"097"}\n`],
    ["a line that is not an object", `${CHECKPOINT}\n[1]\n`],
  ])("refuses %s with core's readRecords message", async (_, input) => {
    const expected = await all(readRecords(chunks(input))).catch((error: Error) => error.message);
    expect(expected).toMatch(/^Cannot (parse|use) record on stdin:2: /);
    await expect(all(readTextRecords(chunks(input)))).rejects.toThrow(expected as string);
  });
});
