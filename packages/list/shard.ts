/** The shard partition lives in core: orcid-place locks a mirror's shard by the same folders. */
export { folderInShard, parseShard, type Shard } from "@orcid-sync/core";
