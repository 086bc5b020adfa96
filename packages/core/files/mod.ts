/**
 * @module
 * Files: atomic writes, temp files, and the one owner of a mirror folder (checked paths, the rule
 * for "the file equals the object", writes, deletes, prunes and the dry run).
 */
export * from "./mirror.ts";
export * from "./mirror_files.ts";
export { UnsafePathError } from "./mirror_folders.ts";
export * from "./same_object.ts";
