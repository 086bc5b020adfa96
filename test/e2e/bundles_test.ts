// The tools that make no HTTP request leave undici out of their bundle: it is start-up every process
// of a pipe would pay (about 10 ms of CPU) for code it never runs.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
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
