// One vitest configuration for every workspace; each package runs it from its own folder.
import type { Reporter, TestModule } from "vitest/node";
import { defineConfig } from "vitest/config";

/** Ends each run with a plain `tests: N passed, N failed` line that CI adds up across workspaces. */
const plainSummary: Reporter = {
  onTestRunEnd(modules: readonly TestModule[]) {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed" || state === "failed" || state === "skipped") counts[state]++;
      }
      if (module.state() === "failed" && [...module.children.allTests()].length === 0) counts.failed++;
    }
    console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  },
};

export default defineConfig({
  test: {
    include: ["**/*_test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    reporters: ["default", plainSummary],
    // End-to-end tests start servers and run whole pipelines.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
