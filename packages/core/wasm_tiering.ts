/** Keeping undici's HTTP parser on V8's baseline WebAssembly compiler. */
import { setFlagsFromString } from "node:v8";

/**
 * The first request compiles undici's HTTP parser (WebAssembly) with V8's baseline compiler; V8
 * then compiles it again with the optimising one on background threads. On Node 20 (V8 11.3) that
 * is the whole module, and the process cannot exit before it is done: ~150 ms of wall time and
 * ~35 MB of RSS on every run (an `orcid-list --since` with nothing to emit: 0.38 s and 96 MB,
 * 0.25 s and 60 MB without it). Node 22 optimises only the hot functions and exits at once, but
 * still holds ~13 MB more while a run lasts (`orcid-list --since` over 30 days: 104 → 91 MiB) and
 * spends more CPU per GET (4,726 GETs: 333–393 µs each against 285–320 with the flag). On Node
 * 24 the call made no measurable difference (the flag helps there only on the command line).
 * Call before the first request.
 *
 * @example
 * ```ts
 * keepWasmOnBaselineCompiler();
 * ```
 */
export function keepWasmOnBaselineCompiler(): void {
  setFlagsFromString("--liftoff-only");
}
