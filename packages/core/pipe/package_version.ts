/** Reading a tool's version from its package.json. */
import { readFileSync } from "node:fs";

/**
 * The `version` of the package.json one folder above the calling module (a tool's `dist/main.js`).
 *
 * @example
 * ```ts
 * const version = packageVersion(import.meta.url);
 * ```
 */
export function packageVersion(moduleUrl: string): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", moduleUrl), "utf8")) as { version?: string };
  return manifest.version ?? "0.0.0";
}
