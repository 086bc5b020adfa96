/** Reading a folder tree and comparing it with what it should hold. */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** Every file under a folder: relative path → content. */
export function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) visit(path);
      else files.set(relative(dir, path), readFileSync(path));
    }
  };
  visit(dir);
  return files;
}

/** Paths that differ between two trees (missing, extra or changed), sorted. */
export function treeDifferences(actual: Map<string, Buffer>, expected: Map<string, Buffer>): string[] {
  const differences: string[] = [];
  for (const [path, body] of expected) {
    const got = actual.get(path);
    if (!got) differences.push(`missing ${path}`);
    else if (!got.equals(body)) differences.push(`changed ${path}`);
  }
  for (const path of actual.keys()) if (!expected.has(path)) differences.push(`extra ${path}`);
  return differences.sort();
}
