import { spawnSync } from "node:child_process";
import { setFlagsFromString } from "node:v8";
import { describe, expect, test, vi } from "vitest";
import { keepWasmOnBaselineCompiler } from "./wasm_tiering.ts";

vi.mock("node:v8", () => ({ setFlagsFromString: vi.fn() }));

describe("keepWasmOnBaselineCompiler()", () => {
  test("keeps WebAssembly on the baseline compiler whatever the Node version", () => {
    keepWasmOnBaselineCompiler();
    expect(setFlagsFromString).toHaveBeenCalledWith("--liftoff-only");
    expect(setFlagsFromString).toHaveBeenCalledWith(expect.stringMatching(/^--wasm-tiering-budget=\d+$/));
  });

  test("sets flags this Node's V8 knows (an unknown one would print an error on every run, on stdout)", () => {
    // In a child: the real V8, not the mock above, and the module as built, as the tools load it.
    const built = new URL("../dist/pipe/wasm_tiering.js", import.meta.url).href;
    const script = `import(${JSON.stringify(built)}).then((m) => m.keepWasmOnBaselineCompiler())`;
    const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(run.status).toBe(0);
    // V8 prints an unknown flag's error on stdout, where a tool's records go.
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("");
  });
});
