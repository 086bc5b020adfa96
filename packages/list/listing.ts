/** Turning listings into key and manifest records: per iD, and per `<last3>` folder. */
import {
  activitiesPrefix,
  ALL_FOLDERS,
  attemptsMade,
  classifyError,
  describeError,
  type ErrorRecord,
  errorRecord,
  FatalError,
  InvalidKeyError,
  isKnownActivityType,
  isUnsafeKey,
  type CheckpointRecord,
  type KeyRecord,
  type ListedObject,
  listObjects,
  type ManifestRecord,
  ownCopy,
  parseKey,
  type PipelineRecord,
  type S3Access,
} from "@orcid-sync/core";

const TOOL = "orcid-list";

/** Something a listing met that is not a record: for a word on stderr. */
export type ListingNotice =
  /** A key that is not an ORCID key (`997-old/x.xml`): skipped. */
  | { readonly kind: "stray"; readonly bucket: string; readonly key: string; readonly reason: string }
  /** An activity key of a type not in ACTIVITY_TYPES: mirrored like the others. */
  | { readonly kind: "new-type"; readonly bucket: string; readonly key: string; readonly type: string };

/** What a listing needs. */
export interface ListingContext {
  readonly s3: S3Access;
  /** Keys per page (the reference's `-n`). */
  readonly pageSize: number;
  readonly signal?: AbortSignal;
  /** Told of each stray key and each key of a new activity type, as they are listed. */
  readonly notice?: (notice: ListingNotice) => void;
}

/** A listing that retrying could not fix, as an error record; a fatal one (access, no bucket) is thrown. */
export function listingFailure(error: unknown, bucket: string, prefix: string, orcid?: string): ErrorRecord {
  const { code, retryable, fatal } = classifyError(error);
  const detail = describeError(error);
  const message = detail.startsWith("Cannot list")
    ? detail
    : `Cannot list s3://${bucket}/${prefix}: ${code}${detail === code ? "" : ` (${detail})`}`;
  if (fatal) throw new FatalError(message);
  return errorRecord({
    tool: TOOL,
    op: "list",
    message,
    code,
    retryable,
    attempts: attemptsMade(error),
    bucket,
    key: prefix,
    orcid,
  });
}

/**
 * A listed object as a key record; an unsafe key (`isUnsafeKey`) as an error record; undefined for a
 * stray key — one that is not an ORCID key but harms nothing — which `context.notice` hears of.
 */
export function keyRecordOf(
  bucket: string,
  object: ListedObject,
  context?: Pick<ListingContext, "notice">,
): KeyRecord | ErrorRecord | undefined {
  try {
    const { orcid, kind } = parseKey(object.key);
    if (kind !== "summary" && !isKnownActivityType(kind))
      context?.notice?.({ kind: "new-type", bucket, key: object.key, type: kind });
    return {
      type: "key",
      bucket,
      key: object.key,
      orcid,
      kind,
      size: object.size,
      etag: object.etag,
      lastModified: object.lastModified,
    };
  } catch (error) {
    if (!(error instanceof InvalidKeyError)) throw error;
    if (isUnsafeKey(object.key)) {
      return errorRecord({
        tool: TOOL,
        op: "list",
        message: error.message,
        code: "InvalidKey",
        bucket,
        key: object.key,
      });
    }
    context?.notice?.({ kind: "stray", bucket, key: object.key, reason: error.message });
    return undefined;
  }
}

/**
 * The activity keys of one iD followed by its manifest (the complete set, maybe empty), or, when
 * the listing fails, only an error record: never a manifest from an incomplete listing.
 */
export async function activitiesOf(context: ListingContext, bucket: string, orcid: string): Promise<PipelineRecord[]> {
  const prefix = activitiesPrefix(orcid);
  const records: PipelineRecord[] = [];
  const keys: string[] = [];
  try {
    for await (const page of listObjects(context.s3, bucket, prefix, context)) {
      for (const object of page) {
        const record = keyRecordOf(bucket, object, context);
        if (record === undefined) continue;
        if (record.type === "key" && record.orcid !== orcid) {
          records.push({ ...keyMismatch(bucket, object.key, orcid) });
          continue;
        }
        records.push(record);
        if (record.type === "key") keys.push(record.key);
      }
    }
  } catch (error) {
    return [listingFailure(error, bucket, prefix, orcid)];
  }
  const manifest: ManifestRecord = { type: "manifest", bucket, orcid, keys };
  records.push(manifest);
  return records;
}

function keyMismatch(bucket: string, key: string, orcid: string): ErrorRecord {
  const message = `Invalid key: '${key}' is listed under ${orcid}'s prefix but names another iD`;
  return errorRecord({ tool: TOOL, op: "list", message, code: "InvalidKey", bucket, key });
}

/**
 * Keys of one listing grouped by iD (listings come sorted, so an iD's keys are contiguous), as
 * encoded NDJSON lines. A whole listing can wait in memory for its merge: as bytes outside the
 * JavaScript heap it costs its size, where records (their fields slices that keep their page
 * alive) cost more than the page, and strings held that long make the collector copy them and
 * grow its young generation.
 */
type Grouped =
  | {
      readonly kind: "id";
      readonly folder: string;
      readonly orcid: string;
      /** The key records' lines, then, from an activities bucket, the manifest's (its complete set of the iD's keys). */
      readonly bytes: Buffer;
      readonly keys: number;
    }
  /** A refused key (the listing goes on) or a failed listing (`ends`: the listing stopped). */
  | { readonly kind: "error"; readonly record: ErrorRecord; readonly ends: boolean };

type IdGroup = Extract<Grouped, { kind: "id" }>;

const folderOfKey = (key: string) => {
  const slash = key.indexOf("/");
  return slash === -1 ? key : key.slice(0, slash);
};

/**
 * One iD's keys being gathered, already as lines: an iD whose keys run on into the next page must
 * not keep the page before alive while the next one is asked for.
 */
interface Gathering {
  readonly folder: string;
  readonly orcid: string;
  readonly lines: string[];
  /** Each key as a JSON string, for the manifest. */
  readonly keys: string[];
}

/**
 * One bucket's keys from the start of folder `first` to the end of folder `last`, grouped by iD, a
 * page's groups at a time (an iD whose keys run on into the next page comes with that page). With
 * `manifests`, each group ends with its manifest line.
 */
async function* groupedRange(
  context: ListingContext,
  bucket: string,
  first: string,
  last: string,
  manifests: boolean,
  started?: StartedListing,
): AsyncGenerator<Grouped[]> {
  let current: Gathering | undefined;
  let batch: Grouped[] = [];
  const bucketJson = JSON.stringify(bucket);
  const finish = ({ folder, orcid, lines, keys }: Gathering): IdGroup => {
    const count = lines.length;
    // What JSON.stringify gives a ManifestRecord, from keys already in JSON.
    if (manifests)
      lines.push(
        `{"type":"manifest","bucket":${bucketJson},"orcid":${JSON.stringify(orcid)},"keys":[${keys.join(",")}]}`,
      );
    return { kind: "id", folder, orcid, bytes: Buffer.from(`${lines.join("\n")}\n`), keys: count };
  };
  // A function of its own, not the generator's body: a generator keeps its variables (the last
  // object and record, slices of their page) alive while it waits for the next page.
  const gather = (page: ListedObject[]) => {
    for (const object of page) {
      const record = keyRecordOf(bucket, object, context);
      if (record === undefined) continue;
      if (record.type === "error") {
        batch.push({ kind: "error", record, ends: false });
        continue;
      }
      if (current && current.orcid !== record.orcid) {
        batch.push(finish(current));
        current = undefined;
      }
      current ??= { folder: folderOfKey(record.key), orcid: ownCopy(record.orcid), lines: [], keys: [] };
      current.lines.push(JSON.stringify(record));
      if (manifests) current.keys.push(JSON.stringify(record.key));
    }
    // The listing holds the array it yielded until asked for the next page: emptied, it holds nothing.
    page.length = 0;
  };
  const pages = started ? goOn(started) : rangeListing(context, bucket, first, last);
  try {
    for (;;) {
      const page = await nextPage(pages);
      if (page === undefined) break;
      gather(page);
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
    }
  } catch (error) {
    // The iD being gathered may be incomplete: it is dropped, so no manifest claims too little.
    yield [...batch, { kind: "error", record: listingFailure(error, bucket, `${first}/`), ends: true }];
    return;
  } finally {
    await pages.return(undefined);
  }
  if (current) yield [finish(current)];
}

/** The next page of a listing; undefined at its end. */
async function nextPage(pages: AsyncGenerator<ListedObject[]>): Promise<ListedObject[] | undefined> {
  const next = await pages.next();
  return next.done ? undefined : next.value;
}

/**
 * The listing of one bucket from the start of folder `first` to the end of folder `last`. One
 * folder: its prefix. Several: start-after "097" starts at the first key after "097" and the listing
 * stops past the keys of `last/`. In S3's byte order a stray key such as "997-old/x.xml" comes
 * before "997/…" ('-' < '/'): it is skipped, and only a key at or after "9970" — after every
 * "997/…" key, since '0' follows '/' — ends the listing.
 */
function rangeListing(context: ListingContext, bucket: string, first: string, last: string) {
  const where = first === last ? { prefix: `${first}/`, options: {} } : { prefix: "", options: { startAfter: first } };
  return listObjects(context.s3, bucket, where.prefix, { ...context, ...where.options, until: `${last}0` });
}

/** A listing of folders `first` to `last` whose first page a probe has read: the run of those folders goes on from it. */
export interface StartedListing {
  readonly first: string;
  readonly last: string;
  readonly page: ListedObject[];
  readonly rest: AsyncGenerator<ListedObject[]>;
}

async function* goOn(started: StartedListing): AsyncGenerator<ListedObject[]> {
  try {
    yield started.page;
    yield* started.rest;
  } finally {
    await started.rest.return(undefined);
  }
}

/** A run of consecutive `<last3>` folders to list in one go. */
export interface RangePlan {
  /** Consecutive folders, in S3's order. */
  readonly folders: readonly string[];
  /** The summaries bucket, when summaries are wanted. */
  readonly summaries?: string;
  /** The activities bucket of a folder, when activities are wanted. */
  readonly activities?: (folder: string) => string;
  /** `bucket/folder` pairs already done (resume): their keys and checkpoints are not emitted again. */
  readonly done: ReadonlySet<string>;
  /** Listings of this run's buckets that a probe began, by bucket (see {@linkcode probeBucket}). */
  readonly started?: ReadonlyMap<string, StartedListing>;
}

/**
 * The buckets a run of folders lists, each with the first and the last of its folders in the run:
 * the summaries bucket first (all of them), then each activities bucket.
 */
export function runBuckets(
  plan: Pick<RangePlan, "folders" | "summaries" | "activities">,
): Map<string, { first: string; last: string }> {
  const ranges = new Map<string, { first: string; last: string }>();
  if (plan.summaries) ranges.set(plan.summaries, { first: plan.folders[0]!, last: plan.folders.at(-1)! });
  for (const folder of plan.activities ? plan.folders : []) {
    const bucket = plan.activities!(folder);
    ranges.set(bucket, { first: ranges.get(bucket)?.first ?? folder, last: folder });
  }
  return ranges;
}

/** What a bucket's first listing page tells. */
export interface BucketProbe {
  /**
   * How many `<last3>` folders (counted over all 1100) one listing page spans: Infinity when the
   * whole listing fits in one page. A bucket with few keys per folder is best listed in runs of
   * folders; a dense one, folder by folder.
   */
  readonly span: number;
  /** The listing the probe began, for a run of exactly its folders to go on from (close it otherwise). */
  readonly started?: StartedListing;
}

/**
 * Reads the first page of a bucket's listing from folder `first` to folder `last`, as a run of
 * those folders would ask for it, so that such a run need not ask for that page again.
 */
export async function probeBucket(
  context: ListingContext,
  bucket: string,
  first: string,
  last: string,
): Promise<BucketProbe> {
  const rest = rangeListing(context, bucket, first, last);
  try {
    const page = (await nextPage(rest)) ?? [];
    const started = { first, last, page, rest };
    if (page.length < context.pageSize) return { span: Number.POSITIVE_INFINITY, started };
    // Stray keys (no folder of ours) do not count: the first and the last key in a folder of ours.
    const folderIndex = (object: ListedObject) => ALL_FOLDERS.indexOf(folderOfKey(object.key));
    const firstKey = page.findIndex((object) => folderIndex(object) !== -1);
    if (firstKey === -1) return { span: 1, started };
    const lastKey = page.findLastIndex((object) => folderIndex(object) !== -1);
    return { span: Math.max(1, folderIndex(page[lastKey]!) - folderIndex(page[firstKey]!)), started };
  } catch (error) {
    await rest.return(undefined);
    listingFailure(error, bucket, "");
    return { span: 1 };
  }
}

/** One bucket's listing in a run: the page of groups at hand and where in it the merge is. */
interface RangeStream {
  readonly bucket: string;
  readonly iterator: AsyncGenerator<Grouped[]>;
  items: Grouped[];
  at: number;
  ended: boolean;
}

/**
 * Whole groups of records as encoded NDJSON lines, and how many of each kind they hold; or an
 * error record alone.
 */
export interface ListedBatch {
  /** Lines, each ending in a newline, in order. */
  readonly chunks: Buffer[];
  lines: number;
  keys: number;
  manifests: number;
  checkpoints: number;
  /** A refused key or a failed listing: a batch of its own, without lines. */
  readonly error?: ErrorRecord;
}

const noLines = (): ListedBatch => ({ chunks: [], lines: 0, keys: 0, manifests: 0, checkpoints: 0 });

/**
 * Lists a run of folders — the summaries bucket and each activities bucket from the run's first
 * folder to its last, side by side — and yields groups of records joined by iD, as encoded NDJSON
 * lines: its summary key, its activity keys, its manifest (empty for an iD with a summary and no
 * activities); after the last group of each folder, the folder's checkpoints. Whole groups come
 * several to a batch: all that a run can give before it waits for a listing page. A run of folders
 * costs a few listing pages where a listing per folder would cost one each. A listing that fails
 * yields an error record and ends the run there, without checkpoints for the folders it did not
 * finish.
 */
export async function* rangeGroups(context: ListingContext, plan: RangePlan): AsyncGenerator<ListedBatch> {
  const streams: RangeStream[] = [];
  for (const [bucket, range] of runBuckets(plan)) {
    const started = plan.started?.get(bucket);
    const goesOn = started?.first === range.first && started.last === range.last;
    // An activities bucket's groups end with their manifests.
    const manifests = bucket !== plan.summaries;
    streams.push({
      bucket,
      iterator: groupedRange(context, bucket, range.first, range.last, manifests, goesOn ? started : undefined),
      items: [],
      at: 0,
      ended: false,
    });
  }
  const summaries = plan.summaries ? streams[0] : undefined;
  const current = (s: RangeStream) => (s.at < s.items.length ? s.items[s.at] : undefined);
  // Asked for every iD: a fresh listing has nothing done, and a folder's activities bucket is named once.
  const isDone =
    plan.done.size === 0 ? () => false : (bucket: string, folder: string) => plan.done.has(`${bucket}/${folder}`);
  const named = new Map(plan.activities ? plan.folders.map((f) => [f, plan.activities!(f)]) : []);
  const activitiesOf = (folder: string) => named.get(folder) ?? plan.activities?.(folder);
  let checkpointed = 0;
  const line = (out: ListedBatch, record: CheckpointRecord | ManifestRecord) => {
    out.chunks.push(Buffer.from(`${JSON.stringify(record)}\n`));
    out.lines++;
  };
  const checkpointsBefore = (folder: string | undefined, out: ListedBatch): void => {
    while (checkpointed < plan.folders.length && (folder === undefined || plan.folders[checkpointed]! < folder)) {
      const done = plan.folders[checkpointed++]!;
      for (const bucket of [plan.summaries, activitiesOf(done)]) {
        if (bucket && !isDone(bucket, done)) {
          line(out, { type: "checkpoint", bucket, folder: done });
          out.checkpoints++;
        }
      }
    }
  };
  // Lines of whole groups, handed on before the run waits for a page.
  let out = noLines();
  try {
    for (;;) {
      for (const s of streams) {
        while (s.at >= s.items.length && !s.ended) {
          if (out.lines > 0) {
            yield out;
            out = noLines();
          }
          // The page at hand is done with: let it go while the next one is awaited.
          s.items = [];
          s.at = 0;
          const page = await s.iterator.next();
          if (page.done) s.ended = true;
          else s.items = page.value;
        }
      }
      const failed = streams.find((s) => current(s)?.kind === "error");
      if (failed) {
        const { record, ends } = current(failed) as Extract<Grouped, { kind: "error" }>;
        if (out.lines > 0) {
          yield out;
          out = noLines();
        }
        yield { ...noLines(), error: record };
        if (ends) return;
        failed.at++;
        continue;
      }
      let next: IdGroup | undefined;
      for (const s of streams) {
        const item = current(s) as IdGroup | undefined;
        if (item && (!next || item.folder < next.folder || (item.folder === next.folder && item.orcid < next.orcid)))
          next = item;
      }
      if (!next) break;
      const { orcid, folder } = next;
      checkpointsBefore(folder, out);
      let listed = false;
      for (const s of streams) {
        const item = current(s);
        if (item?.kind !== "id" || item.orcid !== orcid) continue;
        // An activities bucket's group ends with its manifest, which its bucket's checkpoint covers.
        const activity = s !== summaries;
        if (!isDone(s.bucket, folder)) {
          out.chunks.push(item.bytes);
          out.keys += item.keys;
          out.lines += item.keys + (activity ? 1 : 0);
          if (activity) out.manifests++;
        }
        listed ||= activity;
        s.at++;
      }
      const activities = activitiesOf(folder);
      if (activities && !listed && plan.summaries && !isDone(activities, folder)) {
        line(out, { type: "manifest", bucket: activities, orcid, keys: [] });
        out.manifests++;
      }
    }
  } finally {
    for (const s of streams) await s.iterator.return(undefined);
  }
  checkpointsBefore(undefined, out);
  if (out.lines > 0) yield out;
}
