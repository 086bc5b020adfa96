// The tools that make no HTTP request leave undici out of their bundle: it is start-up every process
// of a pipe would pay (about 10 ms of CPU) for code it never runs.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.ts";

/** The bundle of a tool and its chunks, as one text. */
function bundleText(tool: string): string {
  const dist = join(ROOT, "packages", tool, "dist");
  const chunks = readdirSync(join(dist, "chunks"), { withFileTypes: true }).filter((entry) =>
    entry.name.endsWith(".js"),
  );
  return [join(dist, "main.bundle.js"), ...chunks.map((chunk) => join(dist, "chunks", chunk.name))]
    .map((path) => readFileSync(path, "utf8"))
    .join("\n");
}

describe("tool bundles", () => {
  it.each(["state", "place", "pack", "unpack", "extract", "db"])("orcid-%s carries no undici", (tool) => {
    expect(bundleText(tool)).not.toContain("node_modules/undici/");
  });

  it.each(["list", "fetch"])("orcid-%s, which makes requests, carries undici's agent", (tool) => {
    expect(bundleText(tool)).toContain("node_modules/undici/lib/dispatcher/agent.js");
  });
});

describe("the bundles' string-width stub (tools/narrow_width.mjs)", () => {
  const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(ROOT, path)).href)) as T;
  type Width = (text: string) => number;

  it("measures one-column text exactly as both string-width versions yargs uses do, and leaves the rest to them", async () => {
    const { narrowWidth } = await load<{ narrowWidth: (text: unknown) => number | undefined }>(
      "tools/narrow_width.mjs",
    );
    const widths = [
      (await load<{ default: Width }>("node_modules/cliui/node_modules/string-width/index.js")).default,
      (await load<{ default: Width }>("node_modules/string-width/index.js")).default,
    ];
    const narrow: string[] = [];
    for (let code = 0; code <= 0x2fff; code++) {
      const character = String.fromCharCode(code);
      const width = narrowWidth(character);
      if (width === undefined) continue;
      narrow.push(character);
      for (const stringWidth of widths) expect(stringWidth(character), `U+${code.toString(16)}`).toBe(width);
    }
    expect(narrow.length).toBeGreaterThan(700);
    const help = "  --log-level  Messages to show on stderr: error, warn — “info” … débogage ‘quoted’ • é";
    for (const stringWidth of widths) expect(narrowWidth(help)).toBe(stringWidth(help));
    // Text the stub does not measure: the real module does.
    for (const other of ["\t", "©", "®", "\u00ad", "e\u0301", "漢字", "😀", "\u001b[1mbold\u001b[22m", "\u200b"]) {
      expect(narrowWidth(other), JSON.stringify(other)).toBeUndefined();
    }
  });
});
