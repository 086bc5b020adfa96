/**
 * Summary key records encoded straight to bytes. A 30-day window is hundreds of thousands of them:
 * building an object, a line and a joined string for each, then encoding the string, took more of
 * the main thread than reading the lambda rows did.
 */

/** The iD in a template line; each line is this template with the iD's characters written in. */
const PLACEHOLDER = "0000-0000-0000-0000";
/**
 * Batches are cut from slabs this large: a buffer of its own for each batch of ~150 lines cost
 * more to allocate than to fill. Consecutive batches are contiguous, and RecordWriter joins them
 * without copying.
 */
const SLAB = 256 * 1024;

/**
 * Encodes the summary key records of iDs as NDJSON, the same bytes JSON.stringify writes for
 * `{ type: "key", bucket, key: "<last3>/<iD>.xml", orcid, kind: "summary" }`, one line each.
 *
 * @example
 * ```ts
 * const encoder = new SummaryLineEncoder("v3.0-summaries");
 * encoder.encode(["0000-0002-1825-0097"]).toString();
 * // {"type":"key","bucket":"v3.0-summaries","key":"097/0000-0002-1825-0097.xml","orcid":"0000-0002-1825-0097","kind":"summary"}\n
 * ```
 */
export class SummaryLineEncoder {
  readonly #template: Buffer;
  /** Byte offsets of the folder, of the iD in the key, and of the iD in `orcid`. */
  readonly #folderAt: number;
  readonly #keyIdAt: number;
  readonly #orcidAt: number;
  #slab = Buffer.alloc(0);
  #used = 0;

  constructor(bucket: string) {
    const head = `{"type":"key","bucket":${JSON.stringify(bucket)},"key":"`;
    const middle = `.xml","orcid":"`;
    this.#template = Buffer.from(
      `${head}${PLACEHOLDER.slice(-3)}/${PLACEHOLDER}${middle}${PLACEHOLDER}","kind":"summary"}\n`,
    );
    // The bucket's JSON may hold multi-byte characters: offsets are counted in bytes.
    this.#folderAt = Buffer.byteLength(head);
    this.#keyIdAt = this.#folderAt + 4;
    this.#orcidAt = this.#keyIdAt + PLACEHOLDER.length + Buffer.byteLength(middle);
  }

  /**
   * The lines of `ids`, which must be valid iDs (`isValidOrcidId`): their 19 characters are
   * written in as single bytes, with no escaping. The bytes are never written again.
   */
  encode(ids: readonly string[]): Buffer {
    const template = this.#template;
    const size = template.length;
    const length = size * ids.length;
    if (this.#used + length > this.#slab.length) {
      this.#slab = Buffer.allocUnsafeSlow(Math.max(SLAB, length));
      this.#used = 0;
    }
    const out = this.#slab.subarray(this.#used, this.#used + length);
    this.#used += length;
    for (let n = 0, at = 0; n < ids.length; n++, at += size) {
      const id = ids[n]!;
      out.set(template, at);
      const folder = at + this.#folderAt;
      const inKey = at + this.#keyIdAt;
      const inOrcid = at + this.#orcidAt;
      for (let i = 0; i < 19; i++) {
        const code = id.charCodeAt(i);
        out[inKey + i] = code;
        out[inOrcid + i] = code;
      }
      out[folder] = id.charCodeAt(16);
      out[folder + 1] = id.charCodeAt(17);
      out[folder + 2] = id.charCodeAt(18);
    }
    return out;
  }
}
