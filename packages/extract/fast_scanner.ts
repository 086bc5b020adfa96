/**
 * A scanner for the plain XML ORCID writes — elements, attributes, text, the five entities and
 * character references, comments, CDATA, an XML declaration — several times faster than a general
 * parser. It gives up (returns false) on anything else or anything doubtful: a DOCTYPE, a
 * processing instruction, a carriage return, a control character, a non-ASCII name, an unknown
 * entity, a tag that does not match. The caller then parses the document with saxes, which decides:
 * so a document is accepted, refused, and read exactly as saxes would, which the tests check on
 * every fixture and generated summary.
 */

/** What the scanner reports, in document order. */
export interface ScanHandler {
  open(name: string, attributes: Record<string, string>): void;
  close(): void;
  text(text: string): void;
}

// Characters saxes refuses (or, for CR, normalizes): left to it.
const DOUBTFUL = /[\x00-\x08\x0B\x0C\x0E-\x1F\r\uFFFE\uFFFF]/;
const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const DECLARATION = /<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(?:\s+encoding\s*=\s*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>/y;
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/y;
const NAMED: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

const isSpace = (c: number) => c === 32 || c === 10 || c === 9;

/** Text with its references decoded, or null for one the scanner leaves to saxes. */
function decode(text: string): string | null {
  let amp = text.indexOf("&");
  if (amp < 0) return text;
  let out = "";
  let from = 0;
  while (amp >= 0) {
    ENTITY.lastIndex = amp;
    const match = ENTITY.exec(text);
    if (match === null) return null;
    let char: string;
    if (match[1] !== undefined) char = NAMED[match[1]]!;
    else {
      const code = match[2] !== undefined ? Number.parseInt(match[2], 10) : Number.parseInt(match[3]!, 16);
      const allowed = code === 9 || code === 10 || code === 13 || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
      if (!allowed) return null;
      char = String.fromCodePoint(code);
    }
    out += text.slice(from, amp) + char;
    from = ENTITY.lastIndex;
    amp = text.indexOf("&", from);
  }
  return out + text.slice(from);
}

/**
 * Scans a whole document, reporting its elements and text to `handler`. Returns false when it
 * gives up; what it reported until then is to be discarded.
 */
export function scanXml(xml: string, handler: ScanHandler): boolean {
  if (DOUBTFUL.test(xml)) return false;
  const length = xml.length;
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (xml.startsWith("<?xml", i)) {
    DECLARATION.lastIndex = i;
    if (!DECLARATION.test(xml)) return false;
    i = DECLARATION.lastIndex;
  }
  const open: string[] = [];
  let root = false;
  // Where the next "]]>" is: it may not appear in text.
  let cdataEnd = xml.indexOf("]]>");
  while (i < length) {
    const lt = xml.indexOf("<", i);
    const end = lt < 0 ? length : lt;
    if (end > i) {
      if (cdataEnd >= 0 && cdataEnd < i) cdataEnd = xml.indexOf("]]>", i);
      if (cdataEnd >= 0 && cdataEnd + 3 <= end) return false;
      if (open.length === 0) {
        for (let k = i; k < end; k++) if (!isSpace(xml.charCodeAt(k))) return false;
      } else {
        const text = decode(xml.slice(i, end));
        if (text === null) return false;
        handler.text(text);
      }
    }
    if (lt < 0) break;
    const next = xml.charCodeAt(lt + 1);
    if (next === 47 /* / */) {
      NAME.lastIndex = lt + 2;
      const name = NAME.exec(xml)?.[0];
      if (name === undefined) return false;
      let j = lt + 2 + name.length;
      while (isSpace(xml.charCodeAt(j))) j++;
      if (xml.charCodeAt(j) !== 62 /* > */ || open.pop() !== name) return false;
      handler.close();
      i = j + 1;
      continue;
    }
    if (next === 33 /* ! */) {
      if (xml.startsWith("<!--", lt)) {
        const close = xml.indexOf("-->", lt + 4);
        // "--" may not appear inside a comment (nor "--->" end it).
        if (close < 0 || xml.indexOf("--", lt + 4) !== close) return false;
        i = close + 3;
        continue;
      }
      if (open.length > 0 && xml.startsWith("<![CDATA[", lt)) {
        const close = xml.indexOf("]]>", lt + 9);
        if (close < 0) return false;
        handler.text(xml.slice(lt + 9, close));
        i = close + 3;
        if (cdataEnd >= 0 && cdataEnd < i) cdataEnd = xml.indexOf("]]>", i);
        continue;
      }
      return false;
    }
    NAME.lastIndex = lt + 1;
    const name = NAME.exec(xml)?.[0];
    if (name === undefined || (open.length === 0 && root)) return false;
    let j = lt + 1 + name.length;
    const attributes: Record<string, string> = {};
    let selfClosing: boolean;
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
      NAME.lastIndex = j;
      const attribute = NAME.exec(xml)?.[0];
      if (attribute === undefined || Object.hasOwn(attributes, attribute)) return false;
      j += attribute.length;
      while (isSpace(xml.charCodeAt(j))) j++;
      if (xml.charCodeAt(j) !== 61 /* = */) return false;
      j++;
      while (isSpace(xml.charCodeAt(j))) j++;
      const quote = xml.charCodeAt(j);
      if (quote !== 34 && quote !== 39) return false;
      const close = xml.indexOf(quote === 34 ? '"' : "'", j + 1);
      if (close < 0) return false;
      const raw = xml.slice(j + 1, close);
      if (raw.includes("<")) return false;
      // Attribute-value normalization: a literal tab or newline is a space.
      const value = decode(raw.replace(/[\t\n]/g, " "));
      if (value === null) return false;
      attributes[attribute] = value;
      j = close + 1;
    }
    root = true;
    handler.open(name, attributes);
    if (selfClosing) handler.close();
    else open.push(name);
    i = j;
  }
  return root && open.length === 0;
}
