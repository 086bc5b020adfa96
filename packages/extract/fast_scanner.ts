/**
 * A scanner for the plain XML ORCID writes — elements, attributes, text, the five entities and
 * character references, comments, CDATA, an XML declaration — several times faster than a general
 * parser. It gives up (returns false) on anything else or anything doubtful: a DOCTYPE, a
 * processing instruction, a carriage return, a control character, a non-ASCII name, a reference
 * that is not one of those (or any `&` in a comment or CDATA), a tag that does not match, bytes
 * that are not UTF-8. The caller then parses the document with saxes, which decides: so a document
 * is accepted, refused, and read exactly as saxes would, which the tests check on every fixture
 * and generated summary.
 *
 * Text is never cut out or decoded unless the handler asks for it: most of a summary is text no
 * record needs (and the indentation between tags).
 */
import { isAscii, isUtf8 } from "node:buffer";

/** The text since the last tag, cut out and decoded on demand (valid only during the call it is given to). */
export interface TextSource {
  text(): string;
}

/** The attributes of the element that opens, read on demand (valid only during the call they are given to). */
export interface AttributeSource {
  /** The value of attribute `name` (as written, with its prefix), decoded and normalized; undefined when absent. */
  attribute(name: string): string | undefined;
  /** Every attribute, in document order. */
  attributes(): Record<string, string>;
}

/** What the scanner reports, in document order. */
export interface ScanHandler {
  /**
   * An element opens (`name` as written, with its prefix); `before` is the text that precedes it.
   * Returns true to hear nothing more of the element (its content and its close are still checked).
   */
  open(name: string, attributes: AttributeSource, before: TextSource): boolean | undefined;
  /** The element opened last closes; `text` is the text since the tag before this one. */
  close(text: TextSource): void;
}

// Characters saxes refuses (or, for CR, normalizes): left to it.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const DOUBTFUL = /[\x00-\x08\x0B\x0C\x0E-\x1F\r\uFFFE\uFFFF]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const DOUBTFUL_ASCII = /[\x00-\x08\x0B\x0C\x0E-\x1F\r]/;
const NON_ASCII = /[\x80-\xFF]/;
const DECLARATION =
  /<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(?:\s+encoding\s*=\s*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>/y;
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/y;
const NAMED: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

// ASCII name characters: 1 may start a name, 2 may follow.
const NAME_CHARS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) NAME_CHARS[c] = 1;
  else if (/[-0-9.]/.test(ch)) NAME_CHARS[c] = 2;
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 9;

/** Where the name that starts at `i` ends; `i` itself when none starts there. */
function nameEnd(xml: string, i: number): number {
  const first = xml.charCodeAt(i);
  if (!(first < 128 && NAME_CHARS[first] === 1)) return i;
  let j = i + 1;
  for (;;) {
    const c = xml.charCodeAt(j);
    if (c < 128 && NAME_CHARS[c] !== 0) j++;
    else return j;
  }
}

/** The code point of a reference ENTITY matched, or -1 for one XML does not allow. */
function referenced(match: RegExpExecArray): number {
  const code = match[2] !== undefined ? Number.parseInt(match[2], 10) : Number.parseInt(match[3]!, 16);
  const allowed =
    code === 9 ||
    code === 10 ||
    code === 13 ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff);
  return allowed ? code : -1;
}

const NON_CHARACTERS = [Buffer.from("\uFFFE"), Buffer.from("\uFFFF")];

/** True when UTF-8 bytes hold U+FFFE or U+FFFF. */
function hasNonCharacter(bytes: Buffer): boolean {
  return bytes.indexOf(NON_CHARACTERS[0]!) >= 0 || bytes.indexOf(NON_CHARACTERS[1]!) >= 0;
}

/** True when every `&` of the document starts a reference the scanner decodes. */
function referencesAllowed(xml: string): boolean {
  for (let amp = xml.indexOf("&"); amp >= 0; amp = xml.indexOf("&", amp + 1)) {
    ENTITY.lastIndex = amp;
    const match = ENTITY.exec(xml);
    if (match === null || (match[1] === undefined && referenced(match) < 0)) return false;
  }
  return true;
}

/** Text with its references (already checked) decoded. */
function decode(text: string): string {
  let amp = text.indexOf("&");
  if (amp < 0) return text;
  let out = "";
  let from = 0;
  while (amp >= 0) {
    ENTITY.lastIndex = amp;
    const match = ENTITY.exec(text)!;
    out +=
      text.slice(from, amp) + (match[1] !== undefined ? NAMED[match[1]]! : String.fromCodePoint(referenced(match)));
    from = ENTITY.lastIndex;
    amp = text.indexOf("&", from);
  }
  return out + text.slice(from);
}

/** Reused by every scan (one at a time): grown, never shrunk. */
let attributeSpans = new Int32Array(256);

/** One document's scan; it is its own TextSource and AttributeSource. */
class Scan implements TextSource, AttributeSource {
  readonly #xml: string;
  /** The document's bytes, when it has any beyond ASCII: text with such bytes is decoded from them. */
  readonly #bytes: Buffer | undefined;
  readonly #handler: ScanHandler;
  /** The document is bytes read as latin1. */
  readonly #latin1: boolean;
  /** The pending text: what comments and CDATA interrupted, then the range [from, to). */
  #carried = "";
  #from = 0;
  #to = 0;
  /** The attributes of the element that opens, as [name start, name end, value start, value end) in the document. */
  #attributes = attributeSpans;
  #attributeCount = 0;

  constructor(xml: string, bytes: Buffer | undefined, handler: ScanHandler) {
    this.#xml = xml;
    // An ASCII document reads the same as latin1 and as UTF-8.
    this.#bytes = bytes === undefined || isAscii(bytes) ? undefined : bytes;
    this.#handler = handler;
    this.#latin1 = bytes !== undefined;
  }

  text(): string {
    const range = this.#to > this.#from ? decode(this.#raw(this.#from, this.#to)) : "";
    return this.#carried === "" ? range : this.#carried + range;
  }

  attribute(name: string): string | undefined {
    const xml = this.#xml;
    const spans = this.#attributes;
    for (let k = 0; k < this.#attributeCount * 4; k += 4) {
      const start = spans[k]!;
      if (spans[k + 1]! - start !== name.length) continue;
      let c = 0;
      while (c < name.length && xml.charCodeAt(start + c) === name.charCodeAt(c)) c++;
      if (c === name.length) return this.#value(k);
    }
    return undefined;
  }

  attributes(): Record<string, string> {
    const all: Record<string, string> = {};
    const spans = this.#attributes;
    for (let k = 0; k < this.#attributeCount * 4; k += 4)
      all[this.#xml.slice(spans[k]!, spans[k + 1]!)] = this.#value(k);
    return all;
  }

  #value(k: number): string {
    const raw = this.#raw(this.#attributes[k + 2]!, this.#attributes[k + 3]!);
    // Attribute-value normalization: a literal tab or newline is a space.
    return decode(raw.includes("\t") || raw.includes("\n") ? raw.replace(/[\t\n]/g, " ") : raw);
  }

  /** The characters of [from, to), decoded from UTF-8 when the document is bytes. */
  #raw(from: number, to: number): string {
    const raw = this.#xml.slice(from, to);
    return this.#bytes !== undefined && NON_ASCII.test(raw) ? this.#bytes.toString("utf8", from, to) : raw;
  }

  /** True when the attribute at `k` has the name of one before it. */
  #repeats(k: number): boolean {
    const xml = this.#xml;
    const spans = this.#attributes;
    const start = spans[k]!;
    const length = spans[k + 1]! - start;
    next: for (let other = 0; other < k; other += 4) {
      const otherStart = spans[other]!;
      if (spans[other + 1]! - otherStart !== length) continue;
      for (let c = length - 1; c >= 0; c--)
        if (xml.charCodeAt(start + c) !== xml.charCodeAt(otherStart + c)) continue next;
      return true;
    }
    return false;
  }

  run(): boolean {
    const xml = this.#xml;
    const handler = this.#handler;
    const bytes = this.#bytes;
    if (bytes !== undefined && (!isUtf8(bytes) || hasNonCharacter(bytes))) return false;
    // (An ASCII or latin1 reading holds no U+FFFE or U+FFFF: the shorter class is a little faster.)
    if ((this.#latin1 ? DOUBTFUL_ASCII : DOUBTFUL).test(xml)) return false;
    if (!referencesAllowed(xml)) return false;
    const length = xml.length;
    let i = this.#latin1 ? (xml.startsWith("\xEF\xBB\xBF") ? 3 : 0) : xml.charCodeAt(0) === 0xfeff ? 1 : 0;
    if (xml.startsWith("<?xml", i)) {
      DECLARATION.lastIndex = i;
      if (!DECLARATION.test(xml)) return false;
      i = DECLARATION.lastIndex;
    }
    // The open elements' names.
    const names: string[] = [];
    let depth = 0;
    /** The depth the scan returns to when the element the handler skips closes; -1 when none. */
    let skipTo = -1;
    let root = false;
    // Where the next "]]>" is: it may not appear in text.
    let cdataEnd = xml.indexOf("]]>");
    while (i < length) {
      const lt = xml.indexOf("<", i);
      const end = lt < 0 ? length : lt;
      if (end > i) {
        if (cdataEnd >= 0 && cdataEnd < i) cdataEnd = xml.indexOf("]]>", i);
        if (cdataEnd >= 0 && cdataEnd + 3 <= end) return false;
        if (depth === 0) {
          for (let k = i; k < end; k++) if (!isSpace(xml.charCodeAt(k))) return false;
        }
      }
      if (lt < 0) break;
      this.#to = lt;
      const next = xml.charCodeAt(lt + 1);
      if (next === 47 /* / */) {
        if (depth === 0) return false;
        const name = names[--depth]!;
        // (Faster than startsWith or a loop; a mismatch, which ends the scan, may search on.)
        if (xml.indexOf(name, lt + 2) !== lt + 2) return false;
        let j = lt + 2 + name.length;
        const after = xml.charCodeAt(j);
        if (after < 128 && NAME_CHARS[after] !== 0) return false;
        while (isSpace(xml.charCodeAt(j))) j++;
        if (xml.charCodeAt(j) !== 62 /* > */) return false;
        if (skipTo < 0) handler.close(this);
        else if (depth === skipTo) skipTo = -1;
        i = j + 1;
        this.#carried = "";
        this.#from = i;
        continue;
      }
      if (next === 33 /* ! */) {
        if (xml.startsWith("<!--", lt)) {
          const close = xml.indexOf("-->", lt + 4);
          // "--" may not appear inside a comment (nor "--->" end it).
          if (close < 0 || xml.indexOf("--", lt + 4) !== close) return false;
          if (depth > 0 && skipTo < 0) this.#carried = this.text();
          i = close + 3;
          this.#from = i;
          continue;
        }
        if (depth > 0 && xml.startsWith("<![CDATA[", lt)) {
          const close = xml.indexOf("]]>", lt + 9);
          if (close < 0) return false;
          if (skipTo < 0) this.#carried = this.text() + this.#raw(lt + 9, close);
          i = close + 3;
          this.#from = i;
          if (cdataEnd >= 0 && cdataEnd < i) cdataEnd = xml.indexOf("]]>", i);
          continue;
        }
        return false;
      }
      const nameStop = nameEnd(xml, lt + 1);
      if (nameStop === lt + 1 || (depth === 0 && root)) return false;
      let j = nameStop;
      let count = 0;
      let selfClosing: boolean;
      // No attribute value may hold a "<": none may reach past the next one.
      let nextLt = -1;
      for (;;) {
        const before = j;
        while (isSpace(xml.charCodeAt(j))) j++;
        const c = xml.charCodeAt(j);
        if (c === 62 /* > */) {
          selfClosing = false;
          j++;
          break;
        }
        if (c === 47 /* / */) {
          if (xml.charCodeAt(j + 1) !== 62) return false;
          selfClosing = true;
          j += 2;
          break;
        }
        if (j === before) return false;
        const attributeStop = nameEnd(xml, j);
        if (attributeStop === j) return false;
        if (4 * count + 4 > this.#attributes.length) {
          attributeSpans = new Int32Array(this.#attributes.length * 2);
          attributeSpans.set(this.#attributes);
          this.#attributes = attributeSpans;
        }
        const spans = this.#attributes;
        spans[4 * count] = j;
        spans[4 * count + 1] = attributeStop;
        if (count > 0 && this.#repeats(4 * count)) return false;
        j = attributeStop;
        while (isSpace(xml.charCodeAt(j))) j++;
        if (xml.charCodeAt(j) !== 61 /* = */) return false;
        j++;
        while (isSpace(xml.charCodeAt(j))) j++;
        const quote = xml.charCodeAt(j);
        if (quote !== 34 && quote !== 39) return false;
        const close = xml.indexOf(quote === 34 ? '"' : "'", j + 1);
        if (close < 0) return false;
        if (nextLt < j) nextLt = xml.indexOf("<", j + 1);
        if (nextLt >= 0 && nextLt < close) return false;
        spans[4 * count + 2] = j + 1;
        spans[4 * count + 3] = close;
        count++;
        j = close + 1;
      }
      if (depth === 0) {
        // Nothing before the root is text.
        this.#carried = "";
        this.#from = lt;
      }
      root = true;
      const name = xml.slice(lt + 1, nameStop);
      let skip = false;
      if (skipTo < 0) {
        this.#attributeCount = count;
        skip = handler.open(name, this, this) === true;
        this.#attributeCount = 0;
      }
      this.#carried = "";
      this.#from = j;
      if (selfClosing) {
        this.#to = j;
        if (skipTo < 0 && !skip) handler.close(this);
      } else {
        if (skip) skipTo = depth;
        names[depth++] = name;
      }
      i = j;
    }
    return root && depth === 0;
  }
}

/**
 * Scans a whole document, reporting its elements to `handler`. Returns false when it gives up;
 * what it reported until then is to be discarded.
 *
 * `bytes`: the document as UTF-8 bytes, `xml` then being their latin1 reading (one character per
 * byte, `bytes.toString("latin1")`): the scan runs on one-byte characters and only the text asked
 * for is decoded from UTF-8.
 */
export function scanXml(xml: string, handler: ScanHandler, bytes?: Buffer): boolean {
  return new Scan(xml, bytes, handler).run();
}
