/** Capping V8's young generation: the garbage a streaming tool holds between two collections. */
import { PerformanceObserver } from "node:perf_hooks";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";

/**
 * The new space (both semi-spaces) the download's tools keep to, in MiB. V8 lets it grow to 32 MiB
 * (Node 20, 22) or 64 MiB (Node 24) when a run allocates fast; most of that is garbage, and it
 * counts in the RSS of every process of the pipe. Measurements in docs/node-versions.md.
 */
export const YOUNG_GENERATION_MIB = 8;

/**
 * V8 majors known to have `--semi-space-growth-factor` (Node 20, 22, 24). V8 prints an unknown
 * flag's error on stdout, where the records go, so another V8 keeps its default.
 */
const KNOWN_V8_MAJORS = new Set([11, 12, 13]);

function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === "new_space")?.space_size ?? 0;
}

/**
 * Keeps V8's new space at about `mib` MiB: lets it grow (doubling, V8's default) while it is
 * smaller, and stops its growth once it is that size. `--max-semi-space-size` would say it in one
 * flag, but V8 reads it only when Node starts, which a bin can ask only through its shebang, and
 * `env -S` is not in BusyBox (Alpine); the growth factor is read at each growth, so it can be set
 * here. Checked after each collection (V8's `gc` entries), it may overshoot by one doubling when
 * two collections pass before the check. Returns false, and changes nothing, on a V8 not known to
 * have the flag.
 *
 * @example
 * ```ts
 * capYoungGeneration(YOUNG_GENERATION_MIB);
 * ```
 */
export function capYoungGeneration(mib: number, v8Version = process.versions.v8): boolean {
  if (!KNOWN_V8_MAJORS.has(Number.parseInt(v8Version, 10))) return false;
  const cap = mib * 2 ** 20;
  let growing = true;
  const observer = new PerformanceObserver(() => {
    // V8 may also shrink the new space when a run idles: growth resumes below the cap.
    const grow = newSpaceBytes() < cap;
    if (grow === growing) return;
    growing = grow;
    setFlagsFromString(`--semi-space-growth-factor=${grow ? 2 : 1}`);
  });
  observer.observe({ entryTypes: ["gc"] });
  return true;
}
