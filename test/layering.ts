/**
 * The layering the docs state (docs/architecture.md, "Where each concern lives"), checked on the
 * source tree: no tool package imports another tool; core imports no tool; a tool's code reaches
 * core only by its package name; a core concern folder imports another only through that folder's mod.ts,
 * and only the folders the table below allows.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

/** The tool packages under packages/ (everything there but core). */
export const TOOLS = ["list", "fetch", "place", "pack", "state", "unpack", "extract", "db"] as const;

/** Core's concern folders, what each may import at run time, and what it may import for types only. */
export const CORE_LAYERS: Readonly<
  Record<string, { readonly uses: readonly string[]; readonly typesFrom?: readonly string[] }>
> = {
  async: { uses: [] },
  orcid: { uses: [], typesFrom: ["pipe"] },
  files: { uses: ["orcid", "async"], typesFrom: ["pipe"] },
  pipe: { uses: ["orcid", "files", "async"] },
  s3: { uses: ["pipe", "async"] },
};

/** One import of a source file. */
interface ImportLine {
  readonly specifier: string;
  readonly typeOnly: boolean;
}

/** The imports (static, re-exports and dynamic) of a TypeScript source. */
export function importsOf(source: string): ImportLine[] {
  const found: ImportLine[] = [];
  for (const match of source.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']/gm)) {
    found.push({ specifier: match[3]!, typeOnly: Boolean(match[2]) });
  }
  for (const match of source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g))
    found.push({ specifier: match[1]!, typeOnly: false });
  return found;
}

/** The .ts files below a folder (dist and node_modules left out), relative to `root`. */
function sources(root: string, folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === "dist" || name === "node_modules") continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts")) out.push(relative(root, path));
    }
  };
  walk(join(root, folder));
  return out;
}

/** The tool a package specifier names (`@orcid-sync/fetch` → fetch), if it names one. */
function toolOf(specifier: string): string | undefined {
  const match = /^@orcid-sync\/([a-z-]+)/.exec(specifier);
  return match && (TOOLS as readonly string[]).includes(match[1]!) ? match[1] : undefined;
}

/**
 * Every break of the layering in the repository at `root`, one line each (`file: what`); empty
 * when the tree keeps it.
 *
 * @example
 * ```ts
 * layeringViolations(repoRoot); // []
 * ```
 */
export function layeringViolations(root: string): string[] {
  const violations: string[] = [];
  for (const tool of TOOLS) {
    for (const file of sources(root, join("packages", tool))) {
      for (const { specifier } of importsOf(readFileSync(join(root, file), "utf8"))) {
        const other = toolOf(specifier);
        if (other !== undefined && other !== tool)
          violations.push(`${file}: a tool imports another tool (${specifier})`);
        // Tests may use the test bed and core's testdata by path; the tool's own code may not.
        if (
          !file.endsWith("_test.ts") &&
          specifier.startsWith(".") &&
          normalize(join(dirname(file), specifier)).split("/")[1] !== tool
        ) {
          violations.push(`${file}: reaches outside its package (${specifier}); import core by its package name`);
        }
      }
    }
    const manifest = JSON.parse(readFileSync(join(root, "packages", tool, "package.json"), "utf8")) as Record<
      string,
      Record<string, string> | undefined
    >;
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) {
      const other = toolOf(name);
      if (other !== undefined && other !== tool)
        violations.push(`packages/${tool}/package.json: depends on another tool (${name})`);
    }
  }
  for (const file of sources(root, join("packages", "core"))) {
    const inCore = relative(join("packages", "core"), file).split("/");
    const folder = inCore.length > 1 ? inCore[0]! : undefined;
    for (const { specifier, typeOnly } of importsOf(readFileSync(join(root, file), "utf8"))) {
      if (specifier.startsWith("@orcid-sync/")) {
        violations.push(`${file}: core imports a workspace package (${specifier})`);
        continue;
      }
      if (!specifier.startsWith(".")) continue;
      const target = relative(join("packages", "core"), normalize(join(dirname(file), specifier))).split("/");
      if (target[0] === "..") {
        violations.push(`${file}: core reaches outside core (${specifier})`);
        continue;
      }
      const targetFolder = target.length > 1 ? target[0]! : undefined;
      if (folder === undefined || targetFolder === undefined || targetFolder === folder || !(folder in CORE_LAYERS))
        continue;
      if (!(targetFolder in CORE_LAYERS)) continue; // testdata, schema
      if (target.slice(1).join("/") !== "mod.ts")
        violations.push(
          `${file}: imports a private file of ${targetFolder}/ (${specifier}); use ${targetFolder}/mod.ts`,
        );
      const rule = CORE_LAYERS[folder]!;
      const allowed = rule.uses.includes(targetFolder) || (typeOnly && (rule.typesFrom ?? []).includes(targetFolder));
      if (!allowed)
        violations.push(
          `${file}: ${folder}/ may not import ${targetFolder}/${typeOnly ? " (even for types)" : ""} (${specifier})`,
        );
    }
  }
  return violations;
}
