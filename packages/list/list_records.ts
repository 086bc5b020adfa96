/** orcid-list's library: from a source of iDs or folders to groups of key, manifest and checkpoint records. */
import {
  checkpointId,
  activitiesBucket,
  ALL_FOLDERS,
  type BucketLayout,
  folderInShard,
  LAMBDA_KEY,
  type Shard,
  type ErrorRecord,
  errorRecord,
  formatLambdaMicros,
  isValidOrcidId,
  type KeyRecord,
  type LambdaRecord,
  last3,
  type Micros,
  type PipelineRecord,
  pooledMap,
  type S3Access,
  summaryKey,
} from "@orcid-sync/core";
import { lambdaChanges, type LambdaStats, newLambdaStats } from "./lambda_changes.ts";
import {
  activitiesOf,
  type ListedBatch,
  type ListingContext,
  type ListingNotice,
  probeBucket,
  type RangePlan,
  rangeGroups,
  runBuckets,
} from "./listing.ts";
import { objectChunks } from "./object_chunks.ts";
import { pooledMerge } from "./pooled_merge.ts";
import { SummaryLineEncoder } from "./summary_lines.ts";

/** What to list and how. */
export interface ListOptions {
  readonly s3: S3Access;
  readonly layout: BucketLayout;
  /** Emit summary keys. */
  readonly summaries: boolean;
  /** List activities and emit their keys and a manifest per iD. */
  readonly activities: boolean;
  /** Listings at once. */
  readonly concurrency: number;
  /** Keys per listing page. */
  readonly pageSize: number;
  readonly shard?: Shard;
  readonly signal?: AbortSignal;
  /** Told of each stray key (skipped) and of each new activity type the first time it is listed. */
  readonly onNotice?: (notice: ListingNotice) => void;
}

/** Where the iDs or folders come from. */
export type ListSource =
  /** iDs changed at or after a time, from the lambda file. */
  | { readonly mode: "since"; readonly cutoff: Micros }
  /** Given iDs, one a line (invalid ones are counted, not fatal). */
  | { readonly mode: "ids"; readonly lines: AsyncIterable<string> }
  /** Every folder of the buckets, less the `bucket/folder` pairs already done. */
  | { readonly mode: "all"; readonly done?: ReadonlySet<string> };

/** Counts for the summary line. */
export interface ListStats {
  ids: number;
  keys: number;
  manifests: number;
  errors: number;
  folders: number;
  skippedFolders: number;
  /** Bytes of the lambda file read. */
  lambdaBytes: number;
  /** Listed keys that are not ORCID keys, skipped. */
  strayKeys: number;
  /** Activity types listed that ACTIVITY_TYPES does not name. */
  readonly newTypes: Set<string>;
  readonly lambda: LambdaStats;
}

export function newListStats(): ListStats {
  return {
    ids: 0,
    keys: 0,
    manifests: 0,
    errors: 0,
    folders: 0,
    skippedFolders: 0,
    lambdaBytes: 0,
    strayKeys: 0,
    newTypes: new Set(),
    lambda: newLambdaStats(),
  };
}

/** The listing context of a run: stray keys counted, each new type told once. */
function listingContext(options: ListOptions, stats: ListStats): ListingContext {
  return {
    s3: options.s3,
    pageSize: options.pageSize,
    ...(options.signal ? { signal: options.signal } : {}),
    notice: (notice) => {
      if (notice.kind === "stray") stats.strayKeys++;
      else if (stats.newTypes.has(notice.type)) return;
      else stats.newTypes.add(notice.type);
      options.onNotice?.(notice);
    },
  };
}

/**
 * Yields the records to sync for iDs (`--since`, `--ids`) in groups that belong together (an iD's
 * keys and manifest), counting them in `stats`. A full listing is {@linkcode listAll}'s.
 *
 * @example
 * ```ts
 * for await (const group of listRecords(options, { mode: "since", cutoff }, stats)) for (const r of group) await out.write(r);
 * ```
 */
export async function* listRecords(
  options: ListOptions,
  source: Exclude<ListSource, { mode: "all" }>,
  stats: ListStats = newListStats(),
): AsyncGenerator<PipelineRecord[]> {
  for await (const group of perId(options, idsOf(options, source, stats), stats)) {
    for (const record of group) {
      if (record.type === "key") stats.keys++;
      else if (record.type === "manifest") stats.manifests++;
      else if (record.type === "error") stats.errors++;
    }
    yield group;
  }
}

/**
 * A full listing (`--all`): the folders of the shard not done yet, as encoded NDJSON lines of key,
 * manifest and checkpoint records, several whole groups to a batch, and error records each in a
 * batch of its own; counted in `stats`.
 *
 * @example
 * ```ts
 * for await (const batch of listAll(options, new Set(), stats)) if (!batch.error) await out.writeEncoded(Buffer.concat(batch.chunks), batch.lines);
 * ```
 */
export async function* listAll(
  options: ListOptions,
  done: ReadonlySet<string>,
  stats: ListStats = newListStats(),
): AsyncGenerator<ListedBatch> {
  for await (const batch of allFolders(options, done, stats)) {
    stats.keys += batch.keys;
    stats.manifests += batch.manifests;
    if (batch.error) stats.errors++;
    stats.folders += batch.checkpoints;
    yield batch;
  }
}

/** Lines already encoded, and how many. */
export interface EncodedLines {
  readonly bytes: Buffer;
  readonly lines: number;
}

/**
 * Summary keys alone, from the lambda file or given iDs: what `listRecords` yields for them, as
 * encoded NDJSON lines (`SummaryLineEncoder`), one batch of iDs at a time, without an object or a
 * string per key. For `-s` without `-a`, the common sync, whose 30-day window is ~670,000 keys.
 *
 * @example
 * ```ts
 * for await (const { bytes, lines } of summaryLines(options, { mode: "since", cutoff }, stats)) await out.writeEncoded(bytes, lines);
 * ```
 */
export async function* summaryLines(
  options: ListOptions,
  source: ListSource,
  stats: ListStats = newListStats(),
): AsyncGenerator<EncodedLines> {
  if (source.mode === "all") throw new Error("summaryLines() takes iDs, not a full listing");
  const encoder = new SummaryLineEncoder(options.layout.summaries);
  for await (const batch of idsOf(options, source, stats)) {
    stats.ids += batch.length;
    stats.keys += batch.length;
    yield { bytes: encoder.encode(batch), lines: batch.length };
  }
}

/** Batches of iDs from the source, in the shard. */
async function* idsOf(options: ListOptions, source: ListSource, stats: ListStats): AsyncGenerator<string[]> {
  if (source.mode === "since") {
    const download = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, download.signal]) : download.signal;
    const bytes = objectChunks(options.s3, options.layout.lambda, LAMBDA_KEY, {
      signal,
      onBytes: (n) => (stats.lambdaBytes = n),
    });
    try {
      for await (const batch of lambdaChanges(bytes, formatLambdaMicros(source.cutoff), stats.lambda)) {
        yield options.shard ? batch.filter((id) => folderInShard(last3(id), options.shard)) : batch;
      }
    } finally {
      // Past the cutoff: stop the download rather than read the rest of the file.
      download.abort();
      await bytes.return(undefined);
    }
  } else if (source.mode === "ids") {
    let line = 0;
    for await (const text of source.lines) {
      line++;
      const id = text.trim();
      if (id.length === 0 || id.startsWith("#")) continue;
      if (!isValidOrcidId(id)) {
        stats.lambda.invalidIds++;
        if (stats.lambda.examples.length < 5) stats.lambda.examples.push(`line ${line}: ${id.slice(0, 60)}`);
        continue;
      }
      if (folderInShard(last3(id), options.shard)) yield [id];
    }
  }
}

/**
 * After a `--since` run: how far the lambda file reaches (its newest `last_modified` read), for
 * the state; undefined when no valid row was read.
 *
 * @example
 * ```ts
 * const record = lambdaRecord(layout, stats); // {type: "lambda", …, newest: "2026-11-20T10:00:00.123456Z"}
 * ```
 */
export function lambdaRecord(layout: BucketLayout, stats: ListStats): LambdaRecord | undefined {
  const newest = stats.lambda.newest;
  if (newest === "") return undefined;
  return { type: "lambda", bucket: layout.lambda, key: LAMBDA_KEY, newest: `${newest.replace(" ", "T")}Z` };
}

/**
 * An error record for the lambda file's bad rows (malformed, or an invalid iD) when there are more
 * than `allowed`: the run is not complete, so the state must not move past it.
 */
export function badRowsError(layout: BucketLayout, stats: ListStats, allowed: number): ErrorRecord | undefined {
  const bad = stats.lambda.malformed + stats.lambda.invalidIds;
  if (bad <= allowed) return undefined;
  const message = `${bad} bad rows in the lambda file (${stats.lambda.malformed} malformed, ${stats.lambda.invalidIds} invalid iDs), more than --allow-bad-rows ${allowed}; first: ${stats.lambda.examples[0] ?? ""}`;
  return errorRecord({
    tool: "orcid-list",
    op: "lambda",
    message,
    code: "BadLambdaRows",
    bucket: layout.lambda,
    key: LAMBDA_KEY,
  });
}

function summaryRecord(layout: BucketLayout, orcid: string): KeyRecord {
  return { type: "key", bucket: layout.summaries, key: summaryKey(orcid), orcid, kind: "summary" };
}

/**
 * A record as its NDJSON line. Summary keys alone go through `SummaryLineEncoder` instead; with
 * `-a` or `--all`, each iD or page costs a listing request, and JSON.stringify is not what counts.
 */
export function recordLine(record: PipelineRecord): string {
  return JSON.stringify(record);
}

/** Per iD: the summary key, then (listed) the activity keys and the manifest; in input order. */
async function* perId(
  options: ListOptions,
  batches: AsyncIterable<string[]>,
  stats: ListStats,
): AsyncGenerator<PipelineRecord[]> {
  const { layout } = options;
  if (!options.activities) {
    for await (const batch of batches) {
      stats.ids += batch.length;
      yield batch.map((orcid) => summaryRecord(layout, orcid));
    }
    return;
  }
  const context = listingContext(options, stats);
  const ids = (async function* () {
    for await (const batch of batches) yield* batch;
  })();
  yield* pooledMap(options.concurrency, ids, async (orcid) => {
    stats.ids++;
    const listed = await activitiesOf(context, activitiesBucket(layout, orcid), orcid);
    return options.summaries ? [summaryRecord(layout, orcid), ...listed] : listed;
  });
}

/**
 * The folders of the shard not yet done, in runs of consecutive folders listed `concurrency` at a
 * time, groups as they come. A probe of each bucket's first page tells how many folders a page
 * spans: a small bucket is listed a run at a time, a bigger one in runs about one page long, a
 * dense one folder by folder.
 */
async function* allFolders(
  options: ListOptions,
  done: ReadonlySet<string>,
  stats: ListStats,
): AsyncGenerator<ListedBatch> {
  const { layout } = options;
  const context = listingContext(options, stats);
  const activities = options.activities ? (folder: string) => activitiesBucket(layout, folder) : undefined;
  const needed = (folder: string) =>
    (options.summaries && !done.has(checkpointId(layout.summaries, folder))) ||
    (activities !== undefined && !done.has(checkpointId(activities(folder), folder)));
  // Consecutive folders that need listing, in S3's order.
  const runs: string[][] = [];
  let previous = -2;
  ALL_FOLDERS.forEach((folder, index) => {
    if (!folderInShard(folder, options.shard)) return;
    if (!needed(folder)) {
      stats.skippedFolders++;
      return;
    }
    if (index !== previous + 1 || runs.length === 0) runs.push([]);
    runs.at(-1)!.push(folder);
    previous = index;
  });
  if (runs.length === 0) return;
  const buckets = {
    ...(options.summaries ? { summaries: layout.summaries } : {}),
    ...(activities ? { activities } : {}),
  };
  // Each bucket's first page, as a listing of the first run asks for it.
  const probed = await Promise.all(
    [...runBuckets({ folders: runs[0]!, ...buckets })].map(
      async ([bucket, range]) => [bucket, await probeBucket(context, bucket, range.first, range.last)] as const,
    ),
  );
  const span = Math.min(...probed.map(([, probe]) => probe.span));
  // A bucket of at most `concurrency` pages is listed a run at a time, the probes' pages the first
  // run's first: runs cut to a page each would each read a page past their end, and ask for the
  // probe's page again. A bigger one is cut into runs about a page long, listed side by side.
  const oneGo = ALL_FOLDERS.length / span <= options.concurrency;
  const size = oneGo ? ALL_FOLDERS.length : Math.max(1, Math.floor(span * 0.9));
  const started = new Map(probed.flatMap(([bucket, probe]) => (probe.started ? [[bucket, probe.started]] : [])));
  if (!oneGo) {
    for (const listing of started.values()) await listing.rest.return(undefined);
    started.clear();
  }
  const plans: RangePlan[] = runs.flatMap((run, index) => {
    const pieces: RangePlan[] = [];
    for (let i = 0; i < run.length; i += size) {
      pieces.push({
        folders: run.slice(i, i + size),
        ...buckets,
        done,
        ...(index === 0 && oneGo ? { started } : {}),
      });
    }
    return pieces;
  });
  yield* pooledMerge(options.concurrency, plans, (plan) => rangeGroups(context, plan));
}
