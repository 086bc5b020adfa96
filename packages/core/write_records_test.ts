import { Writable } from "node:stream";
import { describe, expect, test } from "vitest";
import { DownstreamClosedError, RecordWriter } from "./write_records.ts";

describe("RecordWriter", () => {
  test("writes whole lines, gathered into few writes", async () => {
    const writes: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { writes.push(String(chunk)); done(); } });
    const out = new RecordWriter(sink);
    await out.write({ type: "a" });
    await out.write({ type: "b", n: 1 });
    await out.end();
    expect(writes.join("")).toBe('{"type":"a"}\n{"type":"b","n":1}\n');
    expect(writes.length).toBe(1);
    expect(out.count).toBe(2);
  });

  test("never splits a line across writes", async () => {
    const writes: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { writes.push(String(chunk)); done(); } });
    const out = new RecordWriter(sink);
    for (let i = 0; i < 5000; i++) await out.write({ type: "key", key: `${i}`.repeat(10) });
    await out.end();
    expect(writes.length).toBeGreaterThan(1);
    for (const chunk of writes) expect(chunk.endsWith("\n")).toBe(true);
    expect(writes.join("").split("\n")).toHaveLength(5001);
  });

  test("sends what is pending on the next turn of the event loop, without end()", async () => {
    const writes: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { writes.push(String(chunk)); done(); } });
    const out = new RecordWriter(sink);
    await out.write({ type: "a" });
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(['{"type":"a"}\n']);
  });

  test("makes the producer wait while the stream is full", async () => {
    let finish!: () => void;
    const sink = new Writable({ highWaterMark: 4, write(_chunk, _enc, done) { finish = done; } });
    const out = new RecordWriter(sink);
    await out.write({ type: "long-enough" });
    await new Promise((resolve) => setImmediate(resolve));
    const pending = out.write({ type: "next" });
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
