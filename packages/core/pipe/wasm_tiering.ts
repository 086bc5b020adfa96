/** Keeping undici's HTTP parser on V8's baseline WebAssembly compiler. */
import { setFlagsFromString } from "node:v8";

/** A tier-up budget (roughly, work done in a function before it is optimised) no run reaches. */
const NEVER = 2_000_000_000;

/**
 * The first request compiles undici's HTTP parser (WebAssembly) with V8's baseline compiler; V8
 * then compiles it again with the optimising one on background threads. On Node 20 (V8 11.3) that
 * is the whole module, and the process cannot exit before it is done: ~150 ms of wall time and
 * ~35 MB of RSS on every run (an `orcid-list --since` with nothing to emit: 0.38 s and 96 MB,
 * 0.25 s and 60 MB without it). Node 22 optimises only the hot functions and exits at once, but
 * still holds ~13 MB more while a run lasts (`orcid-list --since` over 30 days: 104 → 91 MiB) and
 * spends more CPU per GET (4,726 GETs: 333–393 µs each against 285–320 with the flag). Node 24
 * honours `--liftoff-only` only on the command line; a tier-up budget no function ever spends
 * does the same there once running (30 days: 111–115 → 93 MiB; 4,726 GETs: 224–240 µs each
 * against 213–224). Call before the first request.
 *
 * @example
 * ```ts
 * keepWasmOnBaselineCompiler();
 * ```
 */
export function keepWasmOnBaselineCompiler(): void {
  setFlagsFromString("--liftoff-only");
  setFlagsFromString(`--wasm-tiering-budget=${NEVER}`);
}
