/**
 * @module
 * Files: atomic writes and temp files, lock files (the state lock, the mirror lock) and the
 * process identity they check, and the one owner of a mirror folder (checked paths, the rule for
 * "the file holds the object", writes, deletes, prunes and the dry run).
 */
export * from "./atomic_write.ts";
export * from "./checkpoints.ts";
export * from "./lock_file.ts";
export * from "./mirror.ts";
export * from "./mirror_files.ts";
export { UnsafePathError } from "./mirror_folders.ts";
export * from "./mirror_lock.ts";
export * from "./process_identity.ts";
export * from "./reference_tokens.ts";
export * from "./same_object.ts";
export * from "./temp_files.ts";
