/** Putting a dataset where the tools and tests need it: the server's store, an expected mirror. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { testBedPath } from "../paths.ts";
import { generateDataset } from "./generate.ts";
import { evolveDataset } from "./evolve.ts";
import { lambdaCsv, lambdaTarGz } from "./lambda.ts";
import { type BucketNames, type Dataset, DEFAULT_BUCKETS, LAMBDA_KEY } from "./model.ts";
import { datasetObjects } from "./objects.ts";
import { type StoredObject, type StoreSync, syncStore } from "./store.ts";
import { withVariety } from "./variety.ts";

/** Options for {@linkcode buildDay}. */
export interface DayOptions {
  readonly records: number;
  readonly seed: number;
  /** Day 1's "now"; day N is N-1 days later. */
  readonly now: Date;
  /** 1 for the first dataset, 2 for it evolved once, … */
  readonly day: number;
  /** Add the variety orcid-extract's tests need (generator/variety.ts). Default false. */
  readonly variety?: boolean;
}

/** A dataset on a given day, with the iDs changed on that day (empty on day 1). */
export function buildDay(options: DayOptions): { dataset: Dataset; changed: readonly string[] } {
  let dataset = generateDataset(options);
  let changed: readonly string[] = [];
  for (let day = 2; day <= options.day; day++) ({ dataset, changed } = evolveDataset(dataset));
  return { dataset: options.variety ? withVariety(dataset) : dataset, changed };
}

/** The hand-written golden objects in test/golden/buckets (no code generated them). */
export function goldenObjects(): StoredObject[] {
  const root = testBedPath("golden", "buckets");
  const objects: StoredObject[] = [];
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) visit(path);
      else {
        const [bucket, ...key] = relative(root, path).split("/");
        objects.push({ bucket: bucket!, key: key.join("/"), body: readFileSync(path), lastModified: GOLDEN_DATE });
      }
    }
  };
  if (statSync(root, { throwIfNoEntry: false })) visit(root);
  return objects;
}

/** LastModified of every golden object. */
export const GOLDEN_DATE = new Date("2026-01-15T12:00:00.000Z");

/** Where a golden object sits in a mirror. */
export function goldenMirrorPath(object: StoredObject, buckets: BucketNames = DEFAULT_BUCKETS): string {
  return `${object.bucket === buckets.summaries ? "summaries" : "activities"}/${object.key}`;
}

/** Options for {@linkcode seedStore}. */
export interface SeedOptions {
  readonly buckets?: BucketNames;
  /** Bad rows in the lambda file. Default false. */
  readonly noise?: boolean;
  /** Add the golden objects. Default true. */
  readonly golden?: boolean;
}

/** All bucket names a dataset uses. */
export function allBuckets(buckets: BucketNames = DEFAULT_BUCKETS): string[] {
  return [buckets.summaries, ...["a", "b", "c"].map((s) => `${buckets.activitiesBase}-${s}`), buckets.lambda];
}

/** Makes the server's data folder hold exactly this dataset (plus the golden objects) and its lambda file. */
export async function seedStore(directory: string, dataset: Dataset, options: SeedOptions = {}): Promise<StoreSync> {
  const buckets = options.buckets ?? DEFAULT_BUCKETS;
  const lambda = await lambdaTarGz(lambdaCsv(dataset, { noise: options.noise ?? false }));
  const objects: StoredObject[] = [
    ...datasetObjects(dataset, buckets),
    ...(options.golden === false ? [] : goldenObjects()),
    { bucket: buckets.lambda, key: LAMBDA_KEY, body: lambda, lastModified: new Date(dataset.now / 1000) },
  ];
  return syncStore(directory, allBuckets(buckets), objects);
}

/** The files a correct mirror holds for this dataset (plus the golden objects), by relative path. */
export function* expectedMirror(
  dataset: Dataset,
  options: SeedOptions = {},
): Generator<{ path: string; body: string | Buffer }> {
  const buckets = options.buckets ?? DEFAULT_BUCKETS;
  for (const object of datasetObjects(dataset, buckets)) yield { path: object.mirrorPath, body: object.body };
  if (options.golden !== false) {
    for (const object of goldenObjects()) yield { path: goldenMirrorPath(object, buckets), body: object.body };
  }
}
