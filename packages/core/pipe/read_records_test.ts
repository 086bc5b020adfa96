import { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import { readLines } from "./read_lines.ts";
import { readRecords, readRecordsOnly, RecordSyntaxError } from "./read_records.ts";
import { collect } from "../testdata/collect.ts";

describe("readLines()", () => {
  test("joins lines split across chunks and numbers them", async () => {
    const input = Readable.from([Buffer.from('{"a"'), Buffer.from(':1}\n{"b":2}\r\n\n'), Buffer.from("last")]);
    const lines = await collect(readLines(input));
    expect(lines.map(({ text, line }) => ({ text, line }))).toEqual([
      { text: '{"a":1}', line: 1 },
      { text: '{"b":2}', line: 2 },
      { text: "", line: 3 },
      { text: "last", line: 4 },
    ]);
    // The bytes of each line, its ending trimmed, whether it lay in one chunk or across three.
    expect(lines.map(({ bytes }) => bytes.toString())).toEqual(['{"a":1}', '{"b":2}', "", "last"]);
  });

  test("keeps a multi-byte character split between chunks intact", async () => {
    const bytes = Buffer.from("Zoë\n");
    const input = Readable.from([bytes.subarray(0, 3), bytes.subarray(3)]);
    expect((await collect(readLines(input)))[0]?.text).toBe("Zoë");
  });

  test("refuses a line longer than the limit", async () => {
    const input = Readable.from([Buffer.alloc(100, 0x61)]);
    await expect(collect(readLines(input, { maxLineBytes: 10 }))).rejects.toThrow(
      "stdin:1: line is longer than 10 bytes",
    );
  });

  test("yields a line before the input ends", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow() {
      yield Buffer.from("first\nsec");
      await gate;
      yield Buffer.from("ond\n");
    }
    const iterator = readLines(slow());
    expect((await iterator.next()).value).toMatchObject({ text: "first", line: 1 });
    release();
    expect((await iterator.next()).value).toMatchObject({ text: "second", line: 2 });
  });
});

describe("readRecords()", () => {
  test("parses records, skips blank lines and keeps line numbers", async () => {
    const input = Readable.from(['{"type":"checkpoint","bucket":"b","folder":"097"}\n\n{"type":"other"}\n']);
    const records = await collect(readRecords(input));
    expect(records.map((r) => [r.record.type, r.line])).toEqual([
      ["checkpoint", 1],
      ["other", 3],
    ]);
  });

  test("reports malformed JSON with stdin:LINE and the start of the line", async () => {
    const input = Readable.from(['{"type":"other"}\n{"type":"key", "bucket": \n']);
    const error = await collect(readRecords(input)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordSyntaxError);
    expect((error as Error).message).toMatch(
      /^Cannot parse record on stdin:2: .*\(line starts: '\{"type":"key", "bucket": '\)$/,
    );
  });

  test("reports a known type with a missing field", async () => {
    const input = Readable.from(['{"type":"manifest","bucket":"b","orcid":"x"}\n']);
    await expect(collect(readRecords(input, { source: "in.ndjson" }))).rejects.toThrow(
      "Cannot use record on in.ndjson:1: Invalid manifest record: missing 'keys'",
    );
  });

  test("cuts a long malformed line when showing it", async () => {
    const input = Readable.from([`{${"x".repeat(500)}\n`]);
    const error = (await collect(readRecords(input)).catch((e: unknown) => e)) as Error;
    expect(error.message.length).toBeLessThan(250);
    expect(error.message).toContain("…'");
  });
});

describe("readRecordsOnly()", () => {
  const pieces = [
    Buffer.from('{"type":"checkpoint","bucket":"b","fol'),
    Buffer.from('der":"097"}\r\n\n{"type":"other","name":"Zo'),
    Buffer.from("ë"),
    Buffer.from('"}\n   \n{"type":"other"}'),
  ];

  test("gives the records readRecords gives, lines split across pieces, blank lines and CRLF included", async () => {
    const only = await collect(readRecordsOnly([], Readable.from(pieces)));
    const sourced = await collect(readRecords(Readable.from(pieces)));
    expect(only).toEqual(sourced.map(({ record }) => record));
    expect(only).toHaveLength(3);
    expect(only[1]).toEqual({ type: "other", name: "Zoë" });
  });

  test("names the line of a malformed record as readRecords does, the last line without a newline too", async () => {
    for (const text of ['{"type":"other"}\n\n{"type":"key", "bucket": \n', '{"type":"other"}\n{"type":"manifest"}']) {
      const expected = (await collect(readRecords(Readable.from([text]))).catch((e: unknown) => e)) as Error;
      const error = (await collect(readRecordsOnly([], Readable.from([text]))).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(RecordSyntaxError);
      expect(error.message).toBe(expected.message);
    }
  });

  test("refuses a line longer than the limit", async () => {
    await expect(
      collect(readRecordsOnly([], Readable.from([Buffer.alloc(100, 0x61)]), { maxLineBytes: 10 })),
    ).rejects.toThrow("stdin:1: line is longer than 10 bytes");
  });
});
