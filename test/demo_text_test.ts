import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { collectText, preview, stepCounts } from "./demo_text.ts";

describe("collectText", () => {
  it("decodes a character whose bytes arrive in two chunks", async () => {
    const stream = new PassThrough();
    const text = collectText(stream);
    const bytes = Buffer.from("Zoë 😀");
    stream.write(bytes.subarray(0, 3)); // "Zo" and the first byte of "ë"
    stream.write(bytes.subarray(3, 7)); // the rest of "ë", a space and half of the emoji
    stream.end(bytes.subarray(7));
    await new Promise((resolve) => stream.on("end", resolve));
    expect(text()).toBe("Zoë 😀");
  });

  it("hands each decoded piece to onText", async () => {
    const stream = new PassThrough();
    const pieces: string[] = [];
    collectText(stream, (piece) => pieces.push(piece));
    const bytes = Buffer.from("é");
    stream.write(bytes.subarray(0, 1));
    stream.end(bytes.subarray(1));
    await new Promise((resolve) => stream.on("end", resolve));
    expect(pieces.join("")).toBe("é");
    expect(pieces.join("")).not.toContain("\uFFFD");
  });
});

describe("preview", () => {
  it("cuts between characters, not inside a surrogate pair", () => {
    const shown = preview(`a${"😀".repeat(70)}`, 60) as string;
    expect(shown).toBe(`a${"😀".repeat(59)}…`);
    expect(Buffer.from(shown).toString()).toBe(shown); // a lone surrogate would come back as U+FFFD
  });

  it("leaves short text and other values as they are", () => {
    expect(preview("short", 60)).toBe("short");
    expect(preview(42, 60)).toBe(42);
    expect(preview(undefined, 60)).toBeUndefined();
  });
});

describe("stepCounts", () => {
  const into = (objects: number, unchanged: number, written: number, deleted: number) =>
    `orcid-fetch: ${objects} objects (4.6 MB, 307/s), ${unchanged} unchanged, 0 missing, 0 retries, 0 failed; ${written} written, ${unchanged} unchanged, ${deleted} deleted, 0 failed in /m in 3.6 s`;

  it("reads what orcid-fetch --into filed, on fetch's own line", () => {
    expect(stepCounts(`orcid-list: 9 keys\n${into(83, 87, 83, 31)}\n`)).toEqual({
      fetched: 83,
      unchanged: 87,
      written: 83,
      deleted: 31,
    });
  });

  it("adds up every fetch of a script (summaries, then activities)", () => {
    expect(stepCounts(`${into(100, 0, 100, 0)}\n${into(1000, 5, 1000, 2)}\n`)).toEqual({
      fetched: 1100,
      unchanged: 5,
      written: 1100,
      deleted: 2,
    });
  });

  it("reads orcid-place's line when a script pipes fetch into place", () => {
    const stderr =
      "orcid-fetch: 12 objects (0.1 MB, 50/s), 3 unchanged, 0 missing, 0 retries, 0 failed\n" +
      "orcid-place: 12 written, 3 unchanged, 4 deleted, 0 failed in 0.2 s\n";
    expect(stepCounts(stderr)).toEqual({ fetched: 12, unchanged: 3, written: 12, deleted: 4 });
  });
});
