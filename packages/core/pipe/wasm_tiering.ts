/** Keeping undici's HTTP parser on V8's baseline WebAssembly compiler. */
import { setFlagsFromString } from "node:v8";

/** A tier-up budget (roughly, work done in a function before it is optimised) no run reaches. */
const NEVER = 2_000_000_000;

/**
 * Keeps undici's WebAssembly HTTP parser on V8's baseline compiler, so the optimising compiler
 * never recompiles it on background threads (which, on Node 20, a process must wait for before it
 * can exit): sets `--liftoff-only`, and, for Node 24, which honours that only on the command line,
 * a tier-up budget no function ever spends. Call before the first request. The measurements on
 * each Node version are in docs/node-versions.md ("undici's WebAssembly parser").
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
