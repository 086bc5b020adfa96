/** The S3 objects a dataset puts in the buckets, and where a mirror keeps each. */
import { type BucketNames, DEFAULT_BUCKETS, type Dataset } from "./model.ts";
import { activityXml, errorXml, summaryXml } from "./xml.ts";

/** One object of the buckets. */
export interface BucketObject {
  readonly bucket: string;
  readonly key: string;
  readonly body: string;
  /** Whole milliseconds: what the server reports as LastModified. */
  readonly lastModified: Date;
  /** Path in the reference's mirror layout, relative to `ORCID_public_data_files/`. */
  readonly mirrorPath: string;
}

/** The checksum folder: the iD's last three characters. */
export function folderOf(orcid: string): string {
  return orcid.slice(-3);
}

/** `-a` for 0–3, `-b` for 4–7, `-c` for 8, 9, X. */
export function activitiesBucketOf(orcid: string, base: string): string {
  const last = orcid.slice(-1);
  const suffix = "0123".includes(last) ? "a" : "4567".includes(last) ? "b" : "c";
  return `${base}-${suffix}`;
}

/** Every summary and activity object of a dataset; unclaimed records have none. */
export function* datasetObjects(dataset: Dataset, buckets: BucketNames = DEFAULT_BUCKETS): Generator<BucketObject> {
  for (const record of dataset.records) {
    if (record.state === "unclaimed") continue;
    const folder = folderOf(record.orcid);
    const summaryKey = `${folder}/${record.orcid}.xml`;
    yield {
      bucket: buckets.summaries,
      key: summaryKey,
      body: record.state === "active" ? summaryXml(record) : errorXml(record),
      lastModified: new Date(Math.floor(record.lastModified / 1000)),
      mirrorPath: `summaries/${summaryKey}`,
    };
    const bucket = activitiesBucketOf(record.orcid, buckets.activitiesBase);
    for (const activity of record.activities) {
      const key = `${folder}/${record.orcid}/${activity.type}/${record.orcid}_${activity.type}_${activity.putCode}.xml`;
      yield {
        bucket,
        key,
        body: activityXml(record, activity),
        lastModified: new Date(Math.floor(activity.lastModified / 1000)),
        mirrorPath: `activities/${key}`,
      };
    }
  }
}
