/**
 * Bundles a tool's compiled command line (dist/main.js) into dist/main.bundle.js: one file to read
 * and compile instead of some two hundred modules, which cuts a tool's start-up on Node 20 from about
 * 0.36 s to 0.26 s here — paid by every process of a pipe. The AWS SDK stays outside, loaded only
 * when a run needs it (credential chain, profile region); our module that wraps it becomes a chunk
 * of its own for the same reason.
 *
 *   node ../../tools/bundle.mjs [--external PATTERN …]   (from a tool's package folder, after tsc)
 *
 * A package with a native binary (orcid-db's @duckdb/node-bindings) cannot be bundled: name it with --external
 * and it is loaded from node_modules at run time.
 */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/**
 * yargs lays out --help with string-width (three copies here), whose modules build an
 * Intl.Segmenter and a Unicode emoji regex as they load: about 30 ms of start-up. yargs lays the
 * help out on every run of a subcommand (orcid-state's, orcid-db's verbs), not only for --help.
 * Each import of it becomes a stub that measures text of one-column characters itself
 * (narrow_width.mjs) and loads the real module on the first other text (a require() inside the
 * bundle is evaluated lazily).
 */
const narrowWidthModule = fileURLToPath(new URL("./narrow_width.mjs", import.meta.url));
const lazyStringWidth = {
  name: "lazy-string-width",
  setup(bundle) {
    bundle.onResolve({ filter: /^string-width$/ }, (args) =>
      args.namespace === "lazy-string-width" ? undefined : { path: args.resolveDir, namespace: "lazy-string-width" },
    );
    bundle.onLoad({ filter: /.*/, namespace: "lazy-string-width" }, (args) => ({
      resolveDir: args.path,
      contents: `import { narrowWidth } from ${JSON.stringify(narrowWidthModule)};
let real;
export default function stringWidth(text, options) {
  const narrow = options === undefined ? narrowWidth(text) : undefined;
  if (narrow !== undefined) return narrow;
  real ??= require("string-width").default;
  return real(text, options);
}`,
    }));
  },
};

const extraExternal = process.argv.slice(2).flatMap((arg, i, all) => (all[i - 1] === "--external" ? [arg] : []));

// Chunk names carry a hash: last build's would stay behind.
rmSync("dist/chunks", { recursive: true, force: true });

await build({
  entryPoints: ["dist/main.js"],
  outdir: "dist",
  entryNames: "[name].bundle",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["@aws-sdk/*", ...extraExternal],
  // CommonJS dependencies (undici) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  plugins: [lazyStringWidth],
  sourcemap: "linked",
  logLevel: "warning",
});
