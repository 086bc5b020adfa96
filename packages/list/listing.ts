/** Turning listings into key and manifest records: per iD, and per `<last3>` folder. */
import {
  activitiesPrefix,
  classifyError,
  describeError,
  type ErrorRecord,
  FatalError,
  InvalidKeyError,
  type KeyRecord,
  type ListedObject,
  listObjects,
  type ManifestRecord,
  parseKey,
  type PipelineRecord,
  type S3Access,
} from "@orcid-sync/core";

const TOOL = "orcid-list";

/** What a listing needs. */
export interface ListingContext {
  readonly s3: S3Access;
  /** Keys per page (the reference's `-n`). */
  readonly pageSize: number;
  readonly signal?: AbortSignal;
}

/** A listing that retrying could not fix, as an error record; a fatal one (access, no bucket) is thrown. */
export function listingFailure(error: unknown, bucket: string, prefix: string, orcid?: string): ErrorRecord {
  const { code, retryable, fatal } = classifyError(error);
  const detail = describeError(error);
  const message = detail.startsWith("Cannot list") ? detail : `Cannot list s3://${bucket}/${prefix}: ${code}${detail === code ? "" : ` (${detail})`}`;
  if (fatal) throw new FatalError(message);
  return { type: "error", tool: TOOL, op: "list", message, code, retryable, attempts: 5, bucket, key: prefix, ...(orcid ? { orcid } : {}) };
}

/** A listed object as a key record, or an error record when its key is not a well-formed ORCID key. */
export function keyRecordOf(bucket: string, object: ListedObject): KeyRecord | ErrorRecord {
  try {
    const { orcid, kind } = parseKey(object.key);
    return { type: "key", bucket, key: object.key, orcid, kind, size: object.size, etag: object.etag, lastModified: object.lastModified };
  } catch (error) {
    if (!(error instanceof InvalidKeyError)) throw error;
    return { type: "error", tool: TOOL, op: "list", message: error.message, code: "InvalidKey", retryable: false, attempts: 1, bucket, key: object.key };
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
        const record = keyRecordOf(bucket, object);
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
  return {
    type: "error",
    tool: TOOL,
    op: "list",
    message: `Invalid key: '${key}' is listed under ${orcid}'s prefix but names another iD`,
    code: "InvalidKey",
    retryable: false,
    attempts: 1,
    bucket,
    key,
  };
}

/** Keys of one listing grouped by iD (listings come sorted, so an iD's keys are contiguous). */
type Grouped =
  | { readonly kind: "id"; readonly orcid: string; readonly keys: KeyRecord[] }
  /** A refused key (the listing goes on) or a failed listing (`ends`: the listing stopped). */
  | { readonly kind: "error"; readonly record: ErrorRecord; readonly ends: boolean };

async function* groupedByOrcid(context: ListingContext, bucket: string, prefix: string): AsyncGenerator<Grouped> {
  let current: { kind: "id"; orcid: string; keys: KeyRecord[] } | undefined;
  try {
    for await (const page of listObjects(context.s3, bucket, prefix, context)) {
      for (const object of page) {
        const record = keyRecordOf(bucket, object);
        if (record.type === "error") {
          yield { kind: "error", record, ends: false };
          continue;
        }
        if (current && current.orcid !== record.orcid) {
          yield current;
          current = undefined;
        }
        current ??= { kind: "id", orcid: record.orcid, keys: [] };
        current.keys.push(record);
      }
    }
  } catch (error) {
    // The iD being gathered may be incomplete: it is dropped, so no manifest claims too little.
    yield { kind: "error", record: listingFailure(error, bucket, prefix), ends: true };
    return;
  }
  if (current) yield current;
}

/** What to list in a folder. */
export interface FolderPlan {
  readonly folder: string;
  /** The summaries bucket, when summaries are wanted. */
  readonly summaries?: string;
  /** The folder's activities bucket, when activities are wanted. */
  readonly activities?: string;
}

async function* nothing(): AsyncGenerator<Grouped> {}

/**
 * Lists one `<last3>` folder and yields groups of records, one group per iD (its summary key, its
 * activity keys, its manifest), then the folder's checkpoints. Summaries and activities are listed
 * side by side and joined by iD, so an iD with a summary and no activities gets an empty manifest.
 * A listing that fails yields an error record and ends the folder without checkpoints.
 */
export async function* folderGroups(context: ListingContext, plan: FolderPlan): AsyncGenerator<PipelineRecord[]> {
  const prefix = `${plan.folder}/`;
  const summaries = plan.summaries ? groupedByOrcid(context, plan.summaries, prefix) : nothing();
  const activities = plan.activities ? groupedByOrcid(context, plan.activities, prefix) : nothing();
  const pull = async (iterator: AsyncGenerator<Grouped>) => (await iterator.next()).value as Grouped | undefined;
  try {
    let s = await pull(summaries);
    let a = await pull(activities);
    while (s !== undefined || a !== undefined) {
      const failed = s?.kind === "error" ? s : a?.kind === "error" ? a : undefined;
      if (failed) {
        yield [failed.record];
        if (failed.ends) return;
        if (failed === s) s = await pull(summaries);
        else a = await pull(activities);
        continue;
      }
      const summary = s as Extract<Grouped, { kind: "id" }> | undefined;
      const activity = a as Extract<Grouped, { kind: "id" }> | undefined;
      const takeSummary = summary !== undefined && (activity === undefined || summary.orcid <= activity.orcid);
      const takeActivities = activity !== undefined && (summary === undefined || activity.orcid <= summary.orcid);
      const orcid = takeSummary ? summary.orcid : activity!.orcid;
      const group: PipelineRecord[] = [];
      if (takeSummary) group.push(...summary.keys);
      if (takeActivities) group.push(...activity.keys);
      if (plan.activities) {
        group.push({ type: "manifest", bucket: plan.activities, orcid, keys: takeActivities ? activity.keys.map((k) => k.key) : [] });
      }
      yield group;
      if (takeSummary) s = await pull(summaries);
      if (takeActivities) a = await pull(activities);
    }
  } finally {
    await summaries.return(undefined);
    await activities.return(undefined);
  }
  const checkpoints: PipelineRecord[] = [];
  for (const bucket of [plan.summaries, plan.activities]) {
    if (bucket) checkpoints.push({ type: "checkpoint", bucket, folder: plan.folder });
  }
  yield checkpoints;
}
