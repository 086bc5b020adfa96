import { describe, expect, test } from "vitest";
import { runBin } from "./helpers.ts";

const TOOLS = ["orcid-list", "orcid-fetch", "orcid-place", "orcid-pack", "orcid-state", "orcid-unpack"];

describe("every bin", () => {
  test.each(TOOLS)("%s --help prints its usage and exits 0", async (tool) => {
    const result = await runBin(tool, ["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(tool);
    expect(result.stdout).toContain("--log-level");
    expect(result.stderr).toBe("");
  });

  test.each(TOOLS)("%s --version prints the package version", async (tool) => {
    const result = await runBin(tool, ["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  test.each(TOOLS)("%s refuses an unknown flag with exit 2 and one clear message", async (tool) => {
    // Otherwise valid arguments, so the unknown flag is what is refused.
    const valid: Record<string, string[]> = { "orcid-state": ["get"], "orcid-place": ["/nonexistent/mirror"] };
    const result = await runBin(tool, [...(valid[tool] ?? []), "--no-such-flag"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${tool}: error: Unknown argument`);
    expect(result.stderr).not.toContain("    at ");
    expect(result.stdout).toBe("");
  });
});
