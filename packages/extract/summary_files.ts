/** The summaries of a mirror folder, as work for orcid-extract. */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, sep } from "node:path";
import { UnsafePathError } from "@orcid-sync/core";
import { type ExtractInput, invalidKey, refusedPath, summaryOrcid } from "./extract_records.ts";
import type { SummaryTask } from "./summary_task.ts";

/** Options for {@linkcode summaryFileInputs}. */
export interface SummaryFileOptions {
  /** Files per batch sent to a worker. Default 32: a message per summary costs more than a small summary. */
  readonly batch?: number;
}

/** Orders names as bytes, as S3 lists keys, whatever the locale. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The summary files under `folder` — a mirror (its `summaries/` folder is read) or a `summaries/`
 * folder itself — `<last3>/<iD>.xml` in byte order, in batches. orcid-place's temp files are
 * skipped; any other file whose name is not a summary key becomes an error record, and so does a
 * `<last3>` folder or a file that is a symlink (UnsafePath, never read: orcid-place never makes one,
 * and the mirror owner refuses to read through one), so nothing is left out without a word.
 *
 * @example
 * ```ts
 * for await (const out of extractInputs(summaryFileInputs("./ORCID_public_data_files"), { threads: 4 })) { … }
 * ```
 */
export function* summaryFileInputs(folder: string, options: SummaryFileOptions = {}): Generator<ExtractInput> {
  const batchSize = options.batch ?? 32;
  const nested = join(folder, "summaries");
  const root = existsSync(nested) && statSync(nested).isDirectory() ? nested : folder;
  let batch: SummaryTask[] = [];
  for (const last3 of readdirSync(root, { withFileTypes: true }).sort((a, b) => byteOrder(a.name, b.name))) {
    if (last3.isSymbolicLink()) {
      if (batch.length > 0) yield { tasks: batch };
      batch = [];
      yield { pass: symlinkRefused(root, `${last3.name}/`) };
      continue;
    }
    if (!last3.isDirectory()) continue;
    const dir = join(root, last3.name);
    for (const file of readdirSync(dir, { withFileTypes: true }).sort((a, b) => byteOrder(a.name, b.name))) {
      if (file.name.includes(".orcid-sync-tmp.")) continue;
      const key = `${last3.name}/${file.name}`;
      if (file.isSymbolicLink()) {
        if (batch.length > 0) yield { tasks: batch };
        batch = [];
        yield { pass: symlinkRefused(root, key) };
        continue;
      }
      if (!file.isFile()) continue;
      const orcid = summaryOrcid(key);
      if (typeof orcid !== "string") {
        if (batch.length > 0) yield { tasks: batch };
        batch = [];
        yield { pass: invalidKey(orcid, key) };
        continue;
      }
      // (dir is already joined and a file name holds no separator: no join's normalizing per file.)
      batch.push({ orcid, key, path: `${dir}${sep}${file.name}` });
      if (batch.length >= batchSize) {
        yield { tasks: batch };
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield { tasks: batch };
}

/** The error record of a `<last3>` folder or summary file of the folder read that is a symlink. */
function symlinkRefused(root: string, key: string): ReturnType<typeof refusedPath> {
  const error = new UnsafePathError(`Refusing to read '${join(root, key)}': it is a symlink`);
  return refusedPath(error, key);
}
