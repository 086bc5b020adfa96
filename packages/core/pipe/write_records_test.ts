import { Writable } from "node:stream";
import { describe, expect, test } from "vitest";
import { DownstreamClosedError, RecordWriter } from "./write_records.ts";

describe("RecordWriter", () => {
  test("writes whole lines, gathered into few writes", async () => {
    const writes: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        writes.push(String(chunk));
        done();
      },
    });
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
    const sink = new Writable({
      write(chunk, _enc, done) {
        writes.push(String(chunk));
        done();
      },
    });
    const out = new RecordWriter(sink);
    for (let i = 0; i < 5000; i++) await out.write({ type: "key", key: `${i}`.repeat(10) });
    await out.end();
    expect(writes.length).toBeGreaterThan(1);
    for (const chunk of writes) expect(chunk.endsWith("\n")).toBe(true);
    expect(writes.join("").split("\n")).toHaveLength(5001);
  });

  test("sends what is pending on the next turn of the event loop, without end()", async () => {
    const writes: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        writes.push(String(chunk));
        done();
      },
    });
    const out = new RecordWriter(sink);
    await out.write({ type: "a" });
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(['{"type":"a"}\n']);
  });

  test("makes the producer wait while the stream is full", async () => {
    let finish!: () => void;
    let held = false;
    // The first write is held until the test lets it finish; later ones finish on their own.
    const sink = new Writable({
      highWaterMark: 4,
      write(_chunk, _enc, done) {
        if (held) setImmediate(done);
        else {
          held = true;
          finish = done;
        }
      },
    });
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

describe("RecordWriter under a slow reader", () => {
  test("delivers every line, in order, whatever the timing", async () => {
    const received: string[] = [];
    const sink = new Writable({
      highWaterMark: 1024,
      write(chunk, _enc, done) {
        received.push(String(chunk));
        setTimeout(done, Math.random() < 0.1 ? 2 : 0);
      },
    });
    const out = new RecordWriter(sink);
    for (let i = 0; i < 20_000; i++) {
      const pending = out.write({ type: "key", i });
      if (i % 7 === 0) await pending;
      if (i % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await out.end();
    await new Promise((resolve) => sink.end(resolve));
    const lines = received.join("").trim().split("\n");
    expect(lines).toHaveLength(20_000);
    expect(lines.map((line) => (JSON.parse(line) as { i: number }).i)).toEqual(
      Array.from({ length: 20_000 }, (_, i) => i),
    );
  });
});

describe("RecordWriter.writeEncoded()", () => {
  test("keeps encoded lines and serialised ones in the order they were given", async () => {
    const writes: Buffer[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        writes.push(Buffer.from(chunk));
        done();
      },
    });
    const out = new RecordWriter(sink);
    await out.write({ n: 1 });
    await out.writeEncoded(Buffer.from('{"n":2}\n{"n":3}\n'), 2);
    await out.write({ n: 4 });
    await out.writeEncoded(Buffer.from('{"n":5}\n'), 1);
    await out.end();
    expect(Buffer.concat(writes).toString()).toBe('{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n{"n":5}\n');
    expect(writes.length).toBe(1);
    expect(out.count).toBe(5);
  });

  test("sends consecutive pieces of one buffer as one view of it, without a copy", async () => {
    const writes: Buffer[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        writes.push(chunk as Buffer);
        done();
      },
    });
    const out = new RecordWriter(sink);
    const text = '{"n":1}\n{"n":2}\n{"n":3}\n';
    const slab = Buffer.allocUnsafeSlow(text.length);
    slab.write(text);
    await out.writeEncoded(slab.subarray(0, 8), 1);
    await out.writeEncoded(slab.subarray(8, 24), 2);
    await out.end();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.buffer).toBe(slab.buffer);
    expect(writes[0]!.toString()).toBe(text);
  });

  test("gathers small chunks into batches, every line whole, none lost under a slow reader", async () => {
    const writes: Buffer[] = [];
    const sink = new Writable({
      highWaterMark: 1024,
      write(chunk, _enc, done) {
        writes.push(Buffer.from(chunk));
        setTimeout(done, Math.random() < 0.1 ? 2 : 0);
      },
    });
    const out = new RecordWriter(sink);
    for (let i = 0; i < 10_000; i++) await out.writeEncoded(Buffer.from(`{"i":${i}}\n{"i":${i}}\n`), 2);
    await out.end();
    expect(writes.length).toBeGreaterThan(1);
    expect(writes.length).toBeLessThan(100);
    for (const chunk of writes) expect(chunk.at(-1)).toBe(10);
    const lines = Buffer.concat(writes).toString().trim().split("\n");
    expect(lines).toHaveLength(20_000);
    expect(lines.map((line) => (JSON.parse(line) as { i: number }).i)).toEqual(
      Array.from({ length: 20_000 }, (_, i) => i >> 1),
    );
  });
});

describe("RecordWriter.end()", () => {
  test("waits until the stream has written the last line out, not just accepted it", async () => {
    const received: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        setTimeout(() => {
          received.push(String(chunk));
          done();
        }, 20);
      },
    });
    const out = new RecordWriter(sink);
    await out.write({ type: "last" });
    await out.end();
    expect(received.join("")).toBe('{"type":"last"}\n');
  });
});
