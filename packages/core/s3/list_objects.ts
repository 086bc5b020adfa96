/**
 * Listing a bucket prefix page by page with ListObjectsV2 on the shared pool and our signer. A
 * listing is a hot path (a full download lists thousands of pages), the SDK's middleware and XML
 * parser cost more than the page (docs/architecture.md, "The hot path"), and this page format is
 * small and fixed.
 */
import { StringDecoder } from "node:string_decoder";
import { retryS3 } from "./s3_retry.ts";
import type { S3Access } from "./s3_client.ts";
import { s3ErrorFrom } from "./s3_response_error.ts";

/** One listed object. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  /** Without quotes. */
  readonly etag: string;
  /** ISO 8601 UTC. */
  readonly lastModified: string;
}

/** Options for {@linkcode listObjects}. */
export interface ListObjectsOptions {
  /** Keys per page, at most 1000. Default 1000. */
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
  /** Attempts per page. Default {@linkcode DEFAULT_ATTEMPTS}. */
  readonly attempts?: number;
  /** Start after this key (S3 `start-after`): `"097"` starts at the first key of folder `097/`. */
  readonly startAfter?: string;
  /**
   * End the listing before the first key at or after this one: the rest of that page is counted
   * (its KeyCount is still checked) but not parsed, and no further page is asked for.
   */
  readonly until?: string;
}

/** One page of a ListObjectsV2 response. */
export interface ListPage {
  readonly objects: ListedObject[];
  /** The token of the next page; undefined on the last. */
  readonly next: string | undefined;
}

/** Reads one listed object from its `<Contents>` (`xml` from `at` to `end`), its key already read. */
const readObject = (xml: string, at: number, end: number, key: string): ListedObject => ({
  key,
  size: Number(element(xml, "Size", at, end) ?? 0),
  etag: bareEtag(element(xml, "ETag", at, end)),
  lastModified: isoTime(element(xml, "LastModified", at, end)),
});

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (entity, name: string) => {
    if (name.startsWith("#x")) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name] ?? entity;
  });
}

function element(xml: string, name: string, from = 0, to = xml.length): string | undefined {
  const open = xml.indexOf(`<${name}>`, from);
  if (open === -1 || open >= to) return undefined;
  const start = open + name.length + 2;
  const end = xml.indexOf(`</${name}>`, start);
  return end === -1 || end > to ? undefined : xml.slice(start, end);
}

/** S3's own form of a time (`2026-11-20T10:00:00.000Z`), kept as it is rather than parsed again. */
const ISO_MILLIS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function isoTime(text: string | undefined): string {
  return text !== undefined && ISO_MILLIS.test(text) ? text : new Date(text ?? 0).toISOString();
}

/** An ETag without its quotes: S3 sends `&quot;…&quot;`, other servers `"…"`. */
function bareEtag(text: string | undefined): string {
  if (text === undefined) return "";
  if (text.startsWith("&quot;") && text.endsWith("&quot;") && text.indexOf("&", 6) === text.length - 6)
    return text.slice(6, -6).replaceAll('"', "");
  return unescapeXml(text).replaceAll('"', "");
}

/**
 * A string of its own: a slice of a listing page's text keeps the whole page alive (a listing keeps
 * every token it was given, to refuse one given twice; orcid-list keeps an iD while its group waits).
 */
export function ownCopy(text: string): string {
  return Buffer.from(text, "utf8").toString("utf8");
}

/**
 * Thrown for a listing page that is not whole: cut short, without its closing tag, truncated
 * without a token, a KeyCount that disagrees with its keys, a continuation token seen before. Such
 * a page is retried like a network error; a listing is never completed from it.
 */
export class IncompleteListingError extends Error {
  override name = "IncompleteListingError";
  /** The code in error records (retried by {@linkcode isRetriableError}). */
  readonly code = "IncompleteListing";
}

/**
 * Parses a ListObjectsV2 response body, refusing a page that is not whole
 * ({@linkcode IncompleteListingError}): no closing `</ListBucketResult>` (a body cut after a
 * `</Contents>`), no `<IsTruncated>`, `IsTruncated` true without a `NextContinuationToken`, or a
 * `KeyCount` other than the number of keys (and common prefixes) the page holds. With `until`, the
 * objects end before the first key at or after it, and so does the listing (`next` is undefined).
 *
 * @example
 * ```ts
 * parseListPage("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"); // { objects: [], next: undefined }
 * ```
 */
export function parseListPage(xml: string, until?: string): ListPage {
  return new PageReader(until).write(xml).end();
}

const CONTENTS = "<Contents>";
const CONTENTS_END = "</Contents>";

/**
 * A listing page read as its text comes, a piece at a time: objects are read from each whole
 * `<Contents>` as it arrives, and only the text around them is kept for the checks at the end. A
 * page is never one string (nor one buffer): a 1000-key page as one string is a large object,
 * which a collection that finds it still in use moves to the old generation, and there the pages
 * of a full listing, which come in bursts, wait for a full collection.
 */
class PageReader {
  readonly #until: string | undefined;
  readonly #objects: ListedObject[] = [];
  /** The text outside `<Contents>` elements, for the checks at the end. */
  readonly #outside: string[] = [];
  /** Text not read yet: the start of a `<Contents>` (or of its tag) that has not ended yet. */
  #pending = "";
  #start = "";
  #contents = 0;
  #ended = false;

  constructor(until: string | undefined) {
    this.#until = until;
  }

  /** Reads the next piece of the page's text. */
  write(text: string): this {
    if (this.#start.length < 80) this.#start = (this.#start + text).slice(0, 80);
    const xml = this.#pending + text;
    let at = 0;
    for (;;) {
      const open = xml.indexOf(CONTENTS, at);
      const end = open === -1 ? -1 : xml.indexOf(CONTENTS_END, open);
      if (end === -1) {
        // What may still become a <Contents> waits for the next piece.
        const keep = open === -1 ? Math.max(at, xml.length - CONTENTS.length + 1) : open;
        if (keep > at) this.#outside.push(xml.slice(at, keep));
        this.#pending = xml.slice(keep);
        return this;
      }
      if (open > at) this.#outside.push(xml.slice(at, open));
      this.#contents++;
      if (!this.#ended) {
        const text = element(xml, "Key", open, end);
        if (text === undefined) throw new SyntaxError("Cannot parse a listing: <Contents> without <Key>");
        const key = unescapeXml(text);
        // Past `until` the page is only counted, for the KeyCount check.
        if (this.#until !== undefined && key >= this.#until) this.#ended = true;
        else this.#objects.push(readObject(xml, open, end, key));
      }
      at = end + CONTENTS_END.length;
    }
  }

  /** The page, once its text has all been written; throws for a page that is not whole. */
  end(): ListPage {
    const rest = this.#outside.join("") + this.#pending;
    if (!rest.includes("<ListBucketResult"))
      throw new SyntaxError(`Cannot parse a listing: not a ListBucketResult: '${this.#start}'`);
    const close = rest.lastIndexOf("</ListBucketResult>");
    if (close === -1)
      throw new IncompleteListingError("Cannot use a listing page: it ends before </ListBucketResult> (cut short)");
    if (this.#pending.includes(CONTENTS))
      throw new IncompleteListingError("Cannot use a listing page: unterminated <Contents>");
    const truncated = element(rest, "IsTruncated", 0, close);
    if (truncated !== "true" && truncated !== "false")
      throw new IncompleteListingError("Cannot use a listing page: no <IsTruncated>true|false</IsTruncated>");
    const keyCount = element(rest, "KeyCount", 0, close);
    if (keyCount !== undefined) {
      const keys = this.#contents + rest.split("<CommonPrefixes>").length - 1;
      if (Number(keyCount) !== keys)
        throw new IncompleteListingError(`Cannot use a listing page: KeyCount ${keyCount}, but it holds ${keys} keys`);
    }
    const token = element(rest, "NextContinuationToken", 0, close);
    if (truncated === "true" && !token)
      throw new IncompleteListingError("Cannot use a listing page: IsTruncated without a NextContinuationToken");
    return {
      objects: this.#objects,
      next: truncated === "true" && !this.#ended ? ownCopy(unescapeXml(token!)) : undefined,
    };
  }
}

/** Reads a response body into a page, its text decoded a piece at a time. */
async function readPage(body: AsyncIterable<Uint8Array>, reader: PageReader): Promise<ListPage> {
  const decoder = new StringDecoder("utf8");
  for await (const chunk of body) reader.write(decoder.write(chunk as Buffer));
  return reader.write(decoder.end()).end();
}

/**
 * Yields the objects under `prefix` a page at a time, in key order. Each page is retried with
 * backoff on throttling, 5xx and network errors; what is left is thrown.
 *
 * @example
 * ```ts
 * for await (const page of listObjects(s3, "v3.0-activities-b", "097/0000-0002-1825-0097/")) …
 * ```
 */
export async function* listObjects(
  s3: S3Access,
  bucket: string,
  prefix: string,
  options: ListObjectsOptions = {},
): AsyncGenerator<ListedObject[]> {
  let token: string | undefined;
  // Every token this listing was given: one given again would list the same pages for ever.
  const seen = new Set<string>();
  do {
    const query: Record<string, string> = { "list-type": "2", prefix, "max-keys": String(options.pageSize ?? 1000) };
    if (token) query["continuation-token"] = token;
    else if (options.startAfter) query["start-after"] = options.startAfter;
    const page = await retryS3(
      async () => {
        const response = await s3.request(bucket, "", { query, ...(options.signal ? { signal: options.signal } : {}) });
        if (response.statusCode !== 200) throw await s3ErrorFrom(response, `Cannot list s3://${bucket}/${prefix}`);
        const parsed = await readPage(response.body, new PageReader(options.until));
        if (parsed.next !== undefined && (seen.has(parsed.next) || parsed.next === token)) {
          throw new IncompleteListingError(
            "Cannot use a listing page: its NextContinuationToken was given before (the listing would loop)",
          );
        }
        return parsed;
      },
      {
        ...(options.attempts ? { attempts: options.attempts } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    yield page.objects;
    if (token) seen.add(token);
    token = page.next;
  } while (token);
}
