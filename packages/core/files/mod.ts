/**
 * @module
 * Files: atomic writes and temp files, lock files (the state lock, the mirror lock) and the
 * process identity they check, and the one owner of a mirror folder (checked paths, the rule for
 * "the file holds the object", writes, deletes, prunes and the dry run).
 */

export { atomicWrite } from "./atomic_write.ts";
export {
  CHECKPOINT_FILE,
  checkpointId,
  CheckpointJournal,
  clearCheckpoints,
  readCheckpoints,
} from "./checkpoints.ts";
export {
  type LockFileOptions,
  LockHeldError,
  type LockHolder,
  releaseLockFile,
  takeLockFile,
} from "./lock_file.ts";
export { DeleteLimitError, keyPath, Mirror, type MirrorOptions } from "./mirror.ts";
export { mirrorFiles } from "./mirror_files.ts";
export {
  acquireMirrorLock,
  MIRROR_LOCK_FOLDER,
  MirrorLock,
  releaseHeldLocks,
} from "./mirror_lock.ts";
export { type Liveness, processLiveness, processStart } from "./process_identity.ts";
export { parseReferenceToken, readReferenceTokens } from "./reference_tokens.ts";
export { fileMd5, mtimeOf } from "./same_object.ts";
export {
  removeIfOrphanedTemp,
  removeLiveTempFiles,
  tempPathFor,
  trackTempFile,
  untrackTempFile,
} from "./temp_files.ts";
export { UnsafePathError } from "./mirror_folders.ts";
