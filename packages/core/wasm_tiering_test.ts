import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { keepWasmOnBaselineCompiler } from "./wasm_tiering.ts";

describe("keepWasmOnBaselineCompiler()", () => {
  test("leaves Node 22 and later alone", () => {
    expect(keepWasmOnBaselineCompiler("22.12.0")).toBe(false);
    expect(keepWasmOnBaselineCompiler("24.21.0")).toBe(false);
  });

  test("sets a flag this Node's V8 knows (an unknown one would print an error on every run)", () => {
    const script = `import("node:v8").then((v8) => v8.setFlagsFromString("--liftoff-only"))`;
    const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
  });
});
