import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { capYoungGeneration, YOUNG_GENERATION_MIB } from "./young_generation.ts";

/** A run that allocates fast and keeps a window of its objects alive, as a download does; prints its new space in MiB. */
function newSpaceAfterRun(cap: boolean): { mib: number; stdout: string; stderr: string } {
  // In a child: a fresh heap, and the module as built, as the tools load it.
  const built = new URL("../dist/pipe/young_generation.js", import.meta.url).href;
  const script = `
    const { getHeapSpaceStatistics } = await import("node:v8");
    const { capYoungGeneration } = await import(${JSON.stringify(built)});
    if (${cap}) capYoungGeneration(${YOUNG_GENERATION_MIB});
    const window = [];
    // Turns of the event loop, so the collections' entries reach the observer as a tool's would.
    for (let turn = 0; turn < 40; turn++) {
      for (let i = 0; i < 10000; i++) {
        window.push({ body: Buffer.alloc(64), key: "summaries/097/" + turn + "-" + i, at: [turn, i] });
        if (window.length > 3000) window.shift();
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    const space = getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
    console.log("new space " + space.space_size / 2 ** 20);
  `;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  expect(run.status).toBe(0);
  return { mib: Number(/new space (\S+)/.exec(run.stdout)?.[1]), stdout: run.stdout, stderr: run.stderr };
}

describe("capYoungGeneration()", () => {
  test("keeps the new space of a fast-allocating run within one doubling of the cap; V8's default lets it grow past", () => {
    const capped = newSpaceAfterRun(true);
    // Nothing else printed: V8 prints an unknown flag's error on stdout, where the records go.
    expect(capped.stdout).toBe(`new space ${capped.mib}\n`);
    expect(capped.stderr).toBe("");
    expect(capped.mib).toBeGreaterThan(0);
    expect(capped.mib).toBeLessThanOrEqual(2 * YOUNG_GENERATION_MIB);
    expect(newSpaceAfterRun(false).mib).toBeGreaterThan(2 * YOUNG_GENERATION_MIB);
  });

  test("changes nothing on a V8 not known to have the flag", () => {
    expect(capYoungGeneration(YOUNG_GENERATION_MIB, "14.1.2")).toBe(false);
    expect(capYoungGeneration(YOUNG_GENERATION_MIB, "not a version")).toBe(false);
  });
});
