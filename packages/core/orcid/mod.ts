/**
 * @module
 * ORCID facts: iDs and their check digit, keys and the gate from a key to a path (`parseKey`), the
 * buckets and their layout, the mirror's folder layout, shards of `<last3>` folders, and ORCID's
 * link rules (DOI normaliser, provenance classes, relationship precedence).
 */

export {
  activitiesBucket,
  type BucketLayout,
  DEFAULT_LAYOUT,
  LAMBDA_KEY,
} from "./bucket_layout.ts";
export { findDoi } from "./doi.ts";
export { classOf, CROSSREF_CLIENT, DATACITE_CLIENT, DEFAULT_CLIENT_LABELS } from "./link_class.ts";
export { addDoiRelationships } from "./link_relationship.ts";
export { activitiesFolder, keyPathOf, mirrorPath } from "./mirror_layout.ts";
export {
  ALL_FOLDERS,
  checkCharacter,
  isValidOrcidId,
  isValidOrcidIdAt,
  last3,
} from "./orcid_id.ts";
export {
  activitiesPrefix,
  InvalidKeyError,
  isActivityType,
  isKnownActivityType,
  isRecordKind,
  isUnsafeKey,
  parseKey,
  type RecordKind,
  summaryKey,
} from "./orcid_key.ts";
export { folderInShard, parseShard, type Shard, shardsOverlap } from "./shard.ts";
