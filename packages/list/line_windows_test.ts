import { describe, expect, test } from "vitest";
import { lineWindows } from "./line_windows.ts";

async function* pieces(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function windows(text: string, size: number, options: { window?: number; longestLine?: number } = {}) {
  const dropped: string[] = [];
  const out: string[] = [];
  for await (const window of lineWindows(pieces(text, size), {
    ...options,
    onOverlong: (head) => dropped.push(head.toString()),
  }))
    out.push(window);
  return { out, dropped };
}

describe("lineWindows()", () => {
  test("gives whole lines however the bytes are cut, multi-byte characters included", async () => {
    const text = "première,ligne\nzweite Zeile ü\r\n第三行\nno end";
    for (const size of [1, 2, 3, 7, 1000]) {
      const { out, dropped } = await windows(text, size);
      expect(out.join(""), `pieces of ${size}`).toBe(text);
      for (const window of out.slice(0, -1)) expect(window.endsWith("\n")).toBe(true);
      expect(out.at(-1)).toMatch(/no end$/);
      expect(dropped).toEqual([]);
    }
  });

  test("keeps windows near their size, and a longer line whole", async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join("");
    const { out } = await windows(`${lines}${"y".repeat(50)}\n`, 4096, { window: 64 });
    expect(out.join("")).toBe(`${lines}${"y".repeat(50)}\n`);
    expect(Math.max(...out.map((w) => w.length))).toBeLessThanOrEqual(64);
    const long = await windows(`${"z".repeat(300)}\nshort\n`, 4096, { window: 64 });
    expect(long.out.join("")).toBe(`${"z".repeat(300)}\nshort\n`);
  });

  test("drops a line longer than the limit, reports its start once, and goes on after it", async () => {
    const { out, dropped } = await windows(`a\n${"x".repeat(5000)}\nb\n${"q".repeat(3000)}`, 100, {
      longestLine: 1000,
    });
    expect(out.join("")).toBe("a\nb\n");
    expect(dropped).toEqual(["x".repeat(120), "q".repeat(120)]);
  });
});
