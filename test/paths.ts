/** Locating the test bed's own files whether running from source (vitest) or from dist/. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The test workspace's folder (the one holding its package.json). */
export const TEST_BED_ROOT = (() => {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, "package.json"))) folder = dirname(folder);
  return folder;
})();

/** A path inside the test workspace. */
export function testBedPath(...parts: string[]): string {
  return join(TEST_BED_ROOT, ...parts);
}
