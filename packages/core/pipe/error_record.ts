/** The one builder of error records, so every tool writes them alike. */
import type { ErrorRecord } from "./records.ts";

/** What an error record says; `retryable` defaults to false and `attempts` to 1. */
export interface ErrorRecordFields {
  readonly tool: string;
  readonly op: string;
  readonly message: string;
  readonly code: string;
  readonly retryable?: boolean;
  readonly attempts?: number;
  readonly bucket?: string | undefined;
  readonly key?: string | undefined;
  readonly orcid?: string | undefined;
}

/**
 * An error record, its fields in the protocol's order; an empty bucket or iD, or an undefined
 * field, is left out.
 *
 * @example
 * ```ts
 * errorRecord({ tool: "orcid-pack", op: "pack", message: "Invalid key: '../x'", code: "InvalidKey", bucket: "b", key: "../x" });
 * // { type: "error", tool: "orcid-pack", op: "pack", message: "Invalid key: '../x'", code: "InvalidKey", retryable: false, attempts: 1, bucket: "b", key: "../x" }
 * ```
 */
export function errorRecord(fields: ErrorRecordFields): ErrorRecord {
  return {
    type: "error",
    tool: fields.tool,
    op: fields.op,
    message: fields.message,
    code: fields.code,
    retryable: fields.retryable ?? false,
    attempts: fields.attempts ?? 1,
    ...(fields.bucket ? { bucket: fields.bucket } : {}),
    ...(fields.key !== undefined ? { key: fields.key } : {}),
    ...(fields.orcid ? { orcid: fields.orcid } : {}),
  };
}
