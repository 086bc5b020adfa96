/** Keeping short runs on Node 20 from paying for a second compilation of undici's HTTP parser. */
import { setFlagsFromString } from "node:v8";

/**
 * On Node 20 (V8 11.3), the first request compiles undici's HTTP parser (WebAssembly) with the
 * baseline compiler and then again, whole, with the optimising one on background threads, and the
 * process cannot exit before that is done: measured here, ~150 ms of wall time and ~35 MB of RSS
 * on every run (an `orcid-list --since` with nothing to emit: 0.38 s and 96 MB, 0.25 s and 60 MB
 * without it), while the per-GET cost over 4,000 GETs did not grow. Node 22 and later optimise
 * only the parser's hot functions and are left alone. Call before the first request.
 *
 * @returns whether the flag was set
 * @example
 * ```ts
 * keepWasmOnBaselineCompiler(); // true on Node 20
 * ```
 */
export function keepWasmOnBaselineCompiler(nodeVersion: string = process.versions.node): boolean {
  if (nodeVersion.split(".")[0] !== "20") return false;
  setFlagsFromString("--liftoff-only");
  return true;
}
