// One vitest configuration for every workspace; each package runs it from its own folder.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*_test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
