import { Writable } from "node:stream";
import { describe, expect, test } from "vitest";
import { DownstreamClosedError, RecordWriter } from "./write_records.ts";

describe("RecordWriter", () => {
  test("writes one line per record with one write call each", async () => {
    const writes: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { writes.push(String(chunk)); done(); } });
    const out = new RecordWriter(sink);
    await out.write({ type: "a" });
    await out.write({ type: "b", n: 1 });
    await out.end();
    expect(writes).toEqual(['{"type":"a"}\n', '{"type":"b","n":1}\n']);
    expect(out.count).toBe(2);
  });

  test("waits for drain when the stream is full", async () => {
    let finish!: () => void;
    const sink = new Writable({ highWaterMark: 4, write(_chunk, _enc, done) { finish = done; } });
    const out = new RecordWriter(sink);
    const pending = out.write({ type: "long-enough" });
    expect(pending).toBeInstanceOf(Promise);
    let drained = false;
    void pending?.then(() => (drained = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    finish();
    await pending;
    expect(drained).toBe(true);
  });

  test("turns EPIPE into DownstreamClosedError", async () => {
    const sink = new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    const out = new RecordWriter(sink);
    const writeTwice = async () => {
      await out.write({ type: "a" });
      await new Promise((resolve) => setImmediate(resolve));
      await out.write({ type: "b" });
    };
    await expect(writeTwice()).rejects.toThrow(DownstreamClosedError);
  });
});
