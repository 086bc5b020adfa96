/** Telling on stderr which items a run failed on, and why: the error records are on stdout. */
import type { Logger } from "./logger.ts";

/** How many failed items a tool names on stderr before it only counts them. */
export const ITEM_ERRORS_SHOWN = 5;

interface ErrorFields {
  tool?: unknown;
  message?: unknown;
  code?: unknown;
  bucket?: unknown;
  key?: unknown;
  orcid?: unknown;
}

/**
 * One line for an error record: what failed (`s3://bucket/key`, or the iD), why, and its code.
 *
 * @example
 * ```ts
 * describeItemError({ message: "Body does not match its ETag (after 5 attempts)", code: "Integrity", bucket: "b", key: "097/x.xml" });
 * // "s3://b/097/x.xml: Body does not match its ETag (after 5 attempts) [Integrity]"
 * ```
 */
export function describeItemError(record: ErrorFields): string {
  const message = String(record.message ?? "failed");
  const key = typeof record.key === "string" ? record.key : undefined;
  const what =
    key !== undefined
      ? `${typeof record.bucket === "string" ? `s3://${record.bucket}/` : ""}${key}`
      : typeof record.orcid === "string"
        ? record.orcid
        : undefined;
  const where = what !== undefined && !message.includes(key ?? what) ? `${what}: ` : "";
  return `${where}${message}${typeof record.code === "string" ? ` [${record.code}]` : ""}`;
}

/**
 * Names the first {@linkcode ITEM_ERRORS_SHOWN} failed items of a tool on stderr as the tool
 * writes their error records, and counts the rest. Records an earlier tool of the pipe wrote are
 * not repeated: that tool named them.
 */
export class ItemErrorLog {
  readonly #tool: string;
  readonly #log: Logger;
  #count = 0;

  constructor(tool: string, log: Logger) {
    this.#tool = tool;
    this.#log = log;
  }

  /** Failed items of this tool so far. */
  get count(): number {
    return this.#count;
  }

  /** An error record's line, as written to stdout. */
  add(line: string): void {
    let record: ErrorFields;
    try {
      record = JSON.parse(line) as ErrorFields;
    } catch {
      return;
    }
    if (record.tool !== this.#tool) return;
    this.#count++;
    if (this.#count <= ITEM_ERRORS_SHOWN) this.#log.error(describeItemError(record));
  }

  /** The closing line, when more items failed than were named. */
  finish(): void {
    const more = this.#count - ITEM_ERRORS_SHOWN;
    if (more > 0)
      this.#log.error(
        `… and ${more} more failed item${more === 1 ? "" : "s"}: ${this.#count} in all, each an error record on stdout`,
      );
  }
}
