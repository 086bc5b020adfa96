/**
 * The reference download.py's resume files, `summary_next_continuation_token.config` and
 * `activities_next_continuation_token.config` in the current directory:
 *
 *     bucket_name: v3.0-summaries
 *     continuation_token: 1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

export const REFERENCE_TOKEN_FILES = {
  summaries: "summary_next_continuation_token.config",
  activities: "activities_next_continuation_token.config",
} as const;

/** Where the reference's listing of one kind stopped. */
export interface ReferenceToken {
  readonly bucket: string;
  /** The next page's token; null when the bucket was listed to its end. */
  readonly token: string | null;
}

/** Parses one file's text, or undefined when it is not in the reference's form. */
export function parseReferenceToken(text: string): ReferenceToken | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([a-z_]+):\s*(.*?)\s*$/.exec(line);
    if (match) fields.set(match[1]!, match[2]!.replace(/^(['"])(.*)\1$/, "$2"));
  }
  const bucket = fields.get("bucket_name");
  const token = fields.get("continuation_token");
  if (!bucket || token === undefined) return undefined;
  return { bucket, token: token === "null" || token === "~" || token === "" ? null : token };
}

/** Reads the reference's two resume files from a folder; a missing or unreadable file gives undefined. */
export async function readReferenceTokens(
  folder: string,
): Promise<{ summaries?: ReferenceToken; activities?: ReferenceToken }> {
  const read = async (name: string) => {
    try {
      return parseReferenceToken(await readFile(join(folder, name), "utf8"));
    } catch {
      return undefined;
    }
  };
  const summaries = await read(REFERENCE_TOKEN_FILES.summaries);
  const activities = await read(REFERENCE_TOKEN_FILES.activities);
  return { ...(summaries ? { summaries } : {}), ...(activities ? { activities } : {}) };
}
