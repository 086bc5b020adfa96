// The README's pipelines that write the state, run verbatim (read from README.md, not copied here)
// with one stage failing: the state must not move. A stage that dies at a line boundary leaves the
// next one a clean end of input, so only the pipe's status can tell.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BIN_DIR, ROOT, runCommand, scratch, type SeededS3, startSeededS3 } from "./helpers.ts";

let s3: SeededS3;
const work = scratch("orcid-sync-recipes-");

beforeAll(async () => {
  // "now" is the real clock: the recipes' cutoff comes from orcid-state get.
  s3 = await startSeededS3({ records: 120, seed: 23, now: new Date() }, { golden: false });
});
afterAll(async () => {
  await s3?.close();
  work.remove();
});

/** Every recipe of README.md's sh blocks (the lines between blank lines) that saves the state. */
function stateRecipes(): string[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  return blocks.flatMap((block) => block.split(/\n\s*\n/)).filter((recipe) => /orcid-state set\b/.test(recipe));
}

/** Stand-ins for one tool on PATH: the real tool, with its output cut or its status changed. */
const FAILURES: [string, string, string][] = [
  ["orcid-list dies after 3 lines", "orcid-list", '"$BIN/orcid-list" "$@" | head -n 3\nexit 3'],
  ["orcid-fetch dies after 3 lines", "orcid-fetch", '"$BIN/orcid-fetch" "$@" | head -n 3\nexit 1'],
  ["orcid-fetch passes everything, then exits 1", "orcid-fetch", '"$BIN/orcid-fetch" "$@"\nexit 1'],
  ["orcid-place passes everything, then exits 1", "orcid-place", '"$BIN/orcid-place" "$@"\nexit 1'],
];

const SAVED = "2026-01-01 00:00:00.000000";

async function runRecipe(recipe: string, name: string, shim?: [string, string]) {
  const cwd = join(work.dir, name.replace(/\W+/g, "-"));
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, "last_ran.config"), SAVED);
  const shims = join(cwd, ".shims");
  mkdirSync(shims, { recursive: true });
  if (shim) {
    writeFileSync(join(shims, shim[0]), `#!/usr/bin/env bash\nBIN="${BIN_DIR}"\n${shim[1]}\n`);
    chmodSync(join(shims, shim[0]), 0o755);
  }
  // A plain non-interactive bash, as a user's script runs it: no pipefail unless the recipe sets it.
  const result = await runCommand("bash", ["-c", recipe], {
    cwd,
    env: { ...s3.env, TZ: "UTC", PATH: `${shims}:${BIN_DIR}:${process.env.PATH}` },
  });
  return { result, state: readFileSync(join(cwd, "last_ran.config"), "utf8") };
}

describe("README recipes that save the state", () => {
  test("there are some, and each saves the state when every stage succeeds", async () => {
    const recipes = stateRecipes();
    expect(recipes.length).toBeGreaterThan(0);
    for (const [i, recipe] of recipes.entries()) {
      const { result, state } = await runRecipe(recipe, `ok-${i}`);
      expect(result.code, result.stderr).toBe(0);
      expect(state).not.toBe(SAVED);
      expect(state).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    }
  }, 180_000);

  test.each(FAILURES)(
    "with %s, the pipe fails and last_ran.config does not move",
    async (label, tool, body) => {
      for (const [i, recipe] of stateRecipes().entries()) {
        const { result, state } = await runRecipe(recipe, `${label}-${i}`, [tool, body]);
        expect(result.code, `${recipe}\n${result.stderr}`).not.toBe(0);
        expect(state, recipe).toBe(SAVED);
      }
    },
    180_000,
  );
});
