/** Which bucket holds what: the current generation's split activities, or one unsplit bucket. */
import { activitiesBucketFor } from "./orcid_id.ts";

/** Bucket names, overridable with the reference's meanings. */
export interface BucketLayout {
  readonly summaries: string;
  /** The base of the split activities buckets (`v3.0-activities` → `-a`, `-b`, `-c`). */
  readonly activitiesBase: string;
  /** One unsplit activities bucket (the v2.0 generation); overrides the base. */
  readonly activitiesSingle?: string;
  readonly lambda: string;
}

export const DEFAULT_LAYOUT: BucketLayout = {
  summaries: "v3.0-summaries",
  activitiesBase: "v3.0-activities",
  lambda: "orcid-lambda-file",
};

/** The object key of the lambda file. */
export const LAMBDA_KEY = "last_modified.csv.tar";

/** The activities bucket of an iD, or of a `<last3>` folder (its last character decides). */
export function activitiesBucket(layout: BucketLayout, orcidOrFolder: string): string {
  return layout.activitiesSingle ?? activitiesBucketFor(orcidOrFolder, layout.activitiesBase);
}
