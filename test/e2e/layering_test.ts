import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { scratchDir } from "../../packages/core/testdata/scratch_dir.ts";
import { importsOf, layeringViolations } from "../layering.ts";

const REPO = join(import.meta.dirname, "..", "..");

/** A tree holding `files` (path → text), with an empty package.json for every tool. */
function tree(files: Record<string, string>): string {
  const root = scratchDir("layering-");
  for (const tool of ["list", "fetch", "place", "pack", "state", "unpack", "extract", "db"]) {
    mkdirSync(join(root, "packages", tool), { recursive: true });
    writeFileSync(join(root, "packages", tool, "package.json"), "{}");
  }
  mkdirSync(join(root, "packages", "core"), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("layeringViolations()", () => {
  test("finds none in this repository", () => {
    expect(layeringViolations(REPO)).toEqual([]);
  });

  test("reports a tool that imports another tool, in its source or its package.json", () => {
    const root = tree({
      "packages/unpack/main.ts": 'import { DEFAULT_LAYOUT } from "@orcid-sync/list";\n',
      "packages/list/package.json": '{ "dependencies": { "@orcid-sync/core": "0.1.0", "@orcid-sync/state": "0.1.0" } }',
    });
    expect(layeringViolations(root).sort()).toEqual([
      "packages/list/package.json: depends on another tool (@orcid-sync/state)",
      "packages/unpack/main.ts: a tool imports another tool (@orcid-sync/list)",
    ]);
  });

  test("reports a tool reaching into core by path, and core importing a tool", () => {
    const root = tree({
      "packages/fetch/x.ts": 'import { retry } from "../core/async/retry.ts";\n',
      "packages/core/pipe/cli_runner.ts": 'import { placeRecords } from "@orcid-sync/place";\n',
    });
    expect(layeringViolations(root).sort()).toEqual([
      "packages/core/pipe/cli_runner.ts: core imports a workspace package (@orcid-sync/place)",
      "packages/fetch/x.ts: reaches outside its package (../core/async/retry.ts); import core by its package name",
    ]);
  });

  test("reports a concern folder importing a folder the table does not allow, or a private file", () => {
    const root = tree({
      "packages/core/async/pooled_map.ts": 'import { Mirror } from "../files/mod.ts";\n',
      "packages/core/files/mirror.ts":
        'import { FatalError } from "../pipe/mod.ts";\nimport type { ObjectRecord } from "../pipe/mod.ts";\n',
      "packages/core/s3/s3_retry.ts": 'import { retry } from "../async/retry.ts";\n',
    });
    expect(layeringViolations(root).sort()).toEqual([
      "packages/core/async/pooled_map.ts: async/ may not import files/ (../files/mod.ts)",
      "packages/core/files/mirror.ts: files/ may not import pipe/ (../pipe/mod.ts)",
      "packages/core/s3/s3_retry.ts: imports a private file of async/ (../async/retry.ts); use async/mod.ts",
    ]);
  });
});

describe("importsOf()", () => {
  test("finds static, type-only, re-exported and dynamic imports", () => {
    const source =
      'import { a } from "./a.ts";\nimport type { B } from "../b/mod.ts";\nexport * from "./c.ts";\nconst d = await import("./d.ts");\nimport "./e.ts";\n';
    expect(importsOf(source)).toEqual([
      { specifier: "./a.ts", typeOnly: false },
      { specifier: "../b/mod.ts", typeOnly: true },
      { specifier: "./c.ts", typeOnly: false },
      { specifier: "./e.ts", typeOnly: false },
      { specifier: "./d.ts", typeOnly: false },
    ]);
  });
});
