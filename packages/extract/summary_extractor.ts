/**
 * From one ORCID record summary (XML) to records, in one streaming pass of saxes' events: no tree
 * is built, so a summary of any size costs the memory of its records, not of its XML.
 */
import type {
  AffiliationRecord,
  AffiliationType,
  FundingRecord,
  GoneRecord,
  ItemExternalId,
  ItemSource,
  LinkRecord,
  PersonRecord,
  WorkRecord,
} from "@orcid-sync/core";
// The link rules alone: a worker thread runs this module and need not load the rest of core.
import { addDoiRelationships, classOf, DEFAULT_CLIENT_LABELS } from "@orcid-sync/core/link_rules";
import { SaxesParser } from "saxes";
import { type AttributeSource, type ScanHandler, scanXml, type TextSource } from "./fast_scanner.ts";

/** What a summary becomes: its opener (`person` or `gone`) first, then its items. */
export type ExtractedRecord = PersonRecord | WorkRecord | AffiliationRecord | FundingRecord | GoneRecord | LinkRecord;

/** Options for {@linkcode SummaryExtractor}. */
export interface ExtractOptions {
  /** Emit `link` records instead of `work`, `affiliation` and `funding`. Default false. */
  readonly links?: boolean;
  /** Client id → class label (rules 4–5 of the provenance classes). Default {@linkcode DEFAULT_CLIENT_LABELS}. */
  readonly clients?: ReadonlyMap<string, string>;
  /**
   * Track line and column for error messages. Default false: it costs a third of the parser's
   * time, so a failed summary is parsed again with it for the message.
   */
  readonly positions?: boolean;
}

/** Counts of what one summary held that the records do not show. */
export interface ExtractCounts {
  /** External ids of type `doi` in which no DOI was found. */
  doiless: number;
}

/** Thrown for a summary that is not well-formed, cut short, not a summary, or of another iD. */
export class SummaryError extends SyntaxError {
  override name = "SummaryError";
}

/** A {@linkcode SummaryError} from the XML parser: the document is not well-formed or is cut short. */
export class XmlSyntaxError extends SummaryError {
  override name = "XmlSyntaxError";
}

/** The element of each item summary, by local name, and what it becomes. */
const ITEMS: ReadonlyMap<string, "work" | "funding" | AffiliationType> = new Map([
  ["work-summary", "work"],
  ["funding-summary", "funding"],
  ["employment-summary", "employment"],
  ["education-summary", "education"],
  ["qualification-summary", "qualification"],
  ["invited-position-summary", "invited-position"],
  ["distinction-summary", "distinction"],
  ["membership-summary", "membership"],
  ["service-summary", "service"],
]);

// The part of a summary (a child of its root) an element is in: compared as numbers, not names.
const OTHER = 0;
const ACTIVITIES = 1;
const PERSON = 2;
const IDENTIFIER = 3;
const HISTORY = 4;
const SECTIONS: ReadonlyMap<string, number> = new Map([
  ["activities-summary", ACTIVITIES],
  ["person", PERSON],
  ["orcid-identifier", IDENTIFIER],
  ["history", HISTORY],
]);

/** The children of an item summary its record is made of: the others are skipped unread. */
const ITEM_FIELDS: ReadonlySet<string> = new Set([
  "source",
  "created-date",
  "last-modified-date",
  "external-ids",
  "type",
  "title",
  "journal-title",
  "url",
  "publication-date",
  "department-name",
  "role-title",
  "organization",
  "start-date",
  "end-date",
]);
/** The children of a work summary a link record needs (with --links). */
const LINK_FIELDS: ReadonlySet<string> = new Set(["source", "created-date", "last-modified-date", "external-ids"]);

/** Error codes of the error documents ORCID writes for records that are gone. */
const GONE_REASONS: ReadonlyMap<number, GoneRecord["reason"]> = new Map([
  [9007, "deprecated"],
  [9018, "locked"],
  [9044, "deactivated"],
]);
const REDIRECT = /refer to account:\s*(?:https?:\/\/(?:www\.|sandbox\.)?orcid\.org\/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])/i;

interface SourceFields {
  kind: "orcid" | "client" | null;
  id: string | null;
  name: string | null;
  originId: string | null;
  originName: string | null;
}

interface DateParts {
  year: string | null;
  month: string | null;
  day: string | null;
}

/** An item summary being read. */
interface Item {
  readonly kind: "work" | "funding" | AffiliationType;
  readonly depth: number;
  readonly putCode: number | null;
  readonly visibility: string | null;
  created: string | null;
  lastModified: string | null;
  title: string | null;
  itemType: string | null;
  journal: string | null;
  url: string | null;
  department: string | null;
  role: string | null;
  published: DateParts;
  start: DateParts;
  end: DateParts;
  orgName: string | null;
  orgCity: string | null;
  orgRegion: string | null;
  orgCountry: string | null;
  orgIdSource: string | null;
  orgId: string | null;
  externalIds: ItemExternalId[];
  source: SourceFields | null;
}

function localName(name: string): string {
  const colon = name.indexOf(":");
  return colon < 0 ? name : name.slice(colon + 1);
}

/** Trimmed text, or null for nothing. */
function clean(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === "" ? null : trimmed;
}

function toInteger(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : null;
}

/** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, from the parts as written. */
function fuzzyDate(parts: DateParts): string | null {
  if (parts.year === null) return null;
  if (parts.month === null) return parts.year;
  return parts.day === null ? `${parts.year}-${parts.month}` : `${parts.year}-${parts.month}-${parts.day}`;
}

/** The id of a `source-orcid`-like element: its `path`, else the last segment of its `uri`. */
function idFrom(path: string | null, uri: string | null): string | null {
  if (path !== null) return path;
  if (uri === null) return null;
  return clean(uri.slice(uri.lastIndexOf("/") + 1));
}

const noDate = (): DateParts => ({ year: null, month: null, day: null });

/**
 * Reads one summary at a time, fed in chunks, into records: `begin`, `write`…, `end`. Reusable.
 *
 * @example
 * ```ts
 * const extractor = new SummaryExtractor({ links: true });
 * extractor.begin("0000-0002-1825-0097");
 * extractor.write(xml);
 * const records = extractor.end(); // [{ type: "person", … }, { type: "link", … }, …]
 * ```
 */
export class SummaryExtractor {
  readonly #links: boolean;
  readonly #clients: ReadonlyMap<string, string>;
  readonly #positions: boolean;
  #parser: SaxesParser<{ xmlns: false; position: boolean }> | undefined;
  #orcid = "";
  #counts: ExtractCounts = { doiless: 0 };

  // Where the parser is.
  #depth = 0;
  #names: string[] = [];
  #text = "";
  #root = "";
  #rootPath: string | null = null;
  /** The section (OTHER, ACTIVITIES…) of the root's child the parser is in. */
  #section = OTHER;

  // The record.
  #identifierPath: string | null = null;
  #person!: {
    givenNames: string | null;
    familyName: string | null;
    creditName: string | null;
    otherNames: string[];
    biography: string | null;
    keywords: string[];
    researcherUrls: { name: string | null; url: string | null }[];
    externalIds: { type: string | null; value: string | null; url: string | null }[];
    emails: string[];
    created: string | null;
    lastModified: string | null;
  };
  #personUrl: { name: string | null; url: string | null } | null = null;
  #personId: { type: string | null; value: string | null; url: string | null } | null = null;
  #error!: { code: string | null; developerMessage: string | null; userMessage: string | null };
  #items: ExtractedRecord[] = [];
  readonly #events: ScanHandler = {
    open: (name, attributes) => this.#open(localName(name), attributes),
    close: (text) => this.#close(text),
  };
  /** saxes' text since the last tag, and the attributes of the tag it opens. */
  readonly #parsedText: TextSource = { text: () => this.#text };
  #parsedAttributes: Record<string, string> = {};
  readonly #parsedAttributeSource: AttributeSource = {
    attribute: (name) => this.#parsedAttributes[name],
    attributes: () => this.#parsedAttributes,
  };

  // The item being read.
  #item: Item | null = null;
  #sourceDepth = -1;
  #sourceUri: string | null = null;
  #sourcePath: string | null = null;
  #externalId: {
    type: string | null;
    value: string | null;
    normalized: string | null;
    url: string | null;
    relationship: string | null;
  } | null = null;

  constructor(options: ExtractOptions = {}) {
    this.#links = options.links ?? false;
    this.#clients = options.clients ?? DEFAULT_CLIENT_LABELS;
    this.#positions = options.positions ?? false;
  }

  /** Counts of the last summary (valid after `end`). */
  get counts(): Readonly<ExtractCounts> {
    return this.#counts;
  }

  /**
   * Reads a whole summary of `orcid`: with the fast scanner when it can, else (or when it gives up)
   * with saxes, which has the last word. Throws as {@linkcode SummaryExtractor.end} does.
   */
  extract(orcid: string, xml: string): ExtractedRecord[] {
    this.#reset(orcid);
    if (scanXml(xml, this.#events)) return this.#finish();
    this.begin(orcid);
    this.write(xml);
    return this.end();
  }

  /**
   * {@linkcode SummaryExtractor.extract} of a summary as UTF-8 bytes: the fast scanner reads them
   * one byte a character and decodes only the text it keeps; saxes, when it gives up, the whole.
   */
  extractBytes(orcid: string, bytes: Buffer): ExtractedRecord[] {
    this.#reset(orcid);
    if (scanXml(bytes.toString("latin1"), this.#events, bytes)) return this.#finish();
    this.begin(orcid);
    this.write(bytes.toString("utf8"));
    return this.end();
  }

  /** Starts reading the summary of `orcid` (the iD its key names) with saxes, fed by `write`. */
  begin(orcid: string): void {
    this.#reset(orcid);
    // A parser that failed is left mid-document: every summary gets a fresh one.
    const parser = new SaxesParser<{ xmlns: false; position: boolean }>({ xmlns: false, position: this.#positions });
    // Inside an element #open skipped: how deep (its own close included), as the fast scanner does.
    let skipping = 0;
    parser.on("opentag", (tag) => {
      if (skipping > 0) skipping++;
      else {
        this.#parsedAttributes = tag.attributes;
        if (this.#open(localName(tag.name), this.#parsedAttributeSource)) skipping = 1;
      }
      this.#text = "";
    });
    parser.on("closetag", () => {
      if (skipping > 0) skipping--;
      else this.#close(this.#parsedText);
      this.#text = "";
    });
    parser.on("text", (text) => (this.#text += text));
    parser.on("cdata", (text) => (this.#text += text));
    parser.on("error", (error) => {
      throw new XmlSyntaxError(error.message);
    });
    this.#parser = parser;
  }

  #reset(orcid: string): void {
    this.#orcid = orcid;
    this.#counts = { doiless: 0 };
    this.#depth = 0;
    this.#names = [];
    this.#text = "";
    this.#root = "";
    this.#rootPath = null;
    this.#section = OTHER;
    this.#identifierPath = null;
    this.#person = {
      givenNames: null,
      familyName: null,
      creditName: null,
      otherNames: [],
      biography: null,
      keywords: [],
      researcherUrls: [],
      externalIds: [],
      emails: [],
      created: null,
      lastModified: null,
    };
    this.#personUrl = null;
    this.#personId = null;
    this.#error = { code: null, developerMessage: null, userMessage: null };
    this.#items = [];
    this.#item = null;
    this.#sourceDepth = -1;
    this.#externalId = null;
  }

  /** Feeds the next piece of the document. Throws {@linkcode SummaryError} for XML that is not well-formed. */
  write(chunk: string): void {
    this.#parser!.write(chunk);
  }

  /**
   * Ends the document and returns its records: `gone` for an error document, else `person`
   * followed by the items. Throws {@linkcode SummaryError} for a document cut short, one that is
   * not a summary, or one of another iD.
   */
  end(): ExtractedRecord[] {
    this.#parser!.close();
    this.#parser = undefined;
    return this.#finish();
  }

  #finish(): ExtractedRecord[] {
    if (this.#root === "error") return [this.#gone()];
    if (this.#root !== "record")
      throw new SummaryError(`Not an ORCID record summary: the root element is '${this.#root}'`);
    const own = this.#identifierPath ?? (this.#rootPath === null ? null : clean(this.#rootPath.replace(/^\//, "")));
    if (own !== null && own !== this.#orcid) {
      throw new SummaryError(`The summary is of iD '${own}', not of '${this.#orcid}' its key names`);
    }
    const p = this.#person;
    const person: PersonRecord = {
      type: "person",
      orcid: this.#orcid,
      givenNames: p.givenNames,
      familyName: p.familyName,
      creditName: p.creditName,
      otherNames: p.otherNames,
      biography: p.biography,
      keywords: p.keywords,
      researcherUrls: p.researcherUrls,
      externalIds: p.externalIds,
      emails: p.emails,
      created: p.created,
      lastModified: p.lastModified,
    };
    return [person, ...this.#items];
  }

  #gone(): GoneRecord {
    const code = toInteger(this.#error.code);
    const message = `${this.#error.developerMessage ?? ""}\n${this.#error.userMessage ?? ""}`;
    return {
      type: "gone",
      orcid: this.#orcid,
      reason: (code !== null && GONE_REASONS.get(code)) || "error",
      redirect: REDIRECT.exec(message)?.[1] ?? null,
      code,
    };
  }

  /**
   * An element opens: `name` is its local name. Returns true when nothing in it makes a record
   * (an item's contributors or description; with --links also affiliations, fundings, a work's
   * title and dates): the parser then reports nothing more of it, not even its close.
   */
  #open(name: string, attributes: AttributeSource): boolean {
    const depth = ++this.#depth;
    this.#names[depth] = name;
    if (depth === 1) {
      this.#root = name;
      this.#rootPath = attributes.attribute("path") ?? null;
      return false;
    }
    if (depth === 2) this.#section = SECTIONS.get(name) ?? OTHER;
    const item = this.#item;
    if (item !== null) {
      const level = depth - item.depth;
      if (level === 1 && !(this.#links ? LINK_FIELDS : ITEM_FIELDS).has(name)) {
        this.#depth--;
        return true;
      }
      if (level === 1 && name === "source") {
        this.#sourceDepth = depth;
        item.source = { kind: null, id: null, name: null, originId: null, originName: null };
      } else if (level === 2 && name === "external-id" && this.#names[depth - 1] === "external-ids") {
        this.#externalId = { type: null, value: null, normalized: null, url: null, relationship: null };
      } else if (this.#sourceDepth > 0 && depth === this.#sourceDepth + 1) {
        this.#sourceUri = null;
        this.#sourcePath = null;
      }
      return false;
    }
    const section = this.#section;
    if (section === ACTIVITIES) {
      // Every item's element name ends in "-summary": most others need no look-up.
      const kind = name.charCodeAt(name.length - 1) === 121 /* y */ ? ITEMS.get(name) : undefined;
      if (kind !== undefined) {
        if (this.#links && kind !== "work") {
          this.#depth--;
          return true;
        }
        this.#item = newItem(kind, depth, attributes);
      }
    } else if (section === PERSON && depth === 4) {
      const group = this.#names[3];
      if (group === "researcher-urls" && name === "researcher-url") this.#personUrl = { name: null, url: null };
      else if (group === "external-identifiers" && name === "external-identifier")
        this.#personId = { type: null, value: null, url: null };
    }
    return false;
  }

  /** The innermost element closes; `text` gives what it holds since its last child (read only when needed). */
  #close(text: TextSource): void {
    const depth = this.#depth--;
    const name = this.#names[depth]!;
    const item = this.#item;
    if (item !== null) {
      this.#closeInItem(item, depth, name, text);
      return;
    }
    const section = this.#section;
    if (section === PERSON) this.#closeInPerson(depth, name, text);
    else if (depth === 3) {
      if (section === IDENTIFIER && name === "path") this.#identifierPath = clean(text.text());
      else if (section === HISTORY) {
        if (name === "submission-date") this.#person.created = clean(text.text());
        else if (name === "last-modified-date") this.#person.lastModified = clean(text.text());
      }
    } else if (depth === 2 && this.#root === "error") {
      if (name === "error-code") this.#error.code = clean(text.text());
      else if (name === "developer-message") this.#error.developerMessage = clean(text.text());
      else if (name === "user-message") this.#error.userMessage = clean(text.text());
    }
  }

  #closeInPerson(depth: number, name: string, text: TextSource): void {
    const names = this.#names;
    const person = this.#person;
    const group = names[3];
    if (depth === 4) {
      if (group === "name") {
        if (name === "given-names") person.givenNames = clean(text.text());
        else if (name === "family-name") person.familyName = clean(text.text());
        else if (name === "credit-name") person.creditName = clean(text.text());
      } else if (group === "biography" && name === "content") person.biography = clean(text.text());
      else if (group === "researcher-urls" && name === "researcher-url" && this.#personUrl) {
        person.researcherUrls.push(this.#personUrl);
        this.#personUrl = null;
      } else if (group === "external-identifiers" && name === "external-identifier" && this.#personId) {
        person.externalIds.push(this.#personId);
        this.#personId = null;
      }
    } else if (depth === 5) {
      if (name === "content" && (group === "other-names" || group === "keywords")) {
        const value = clean(text.text());
        if (value !== null) (group === "keywords" ? person.keywords : person.otherNames).push(value);
      } else if (group === "emails" && name === "email") {
        const value = clean(text.text());
        if (value !== null) person.emails.push(value);
      } else if (group === "researcher-urls" && this.#personUrl) {
        if (name === "url-name") this.#personUrl.name = clean(text.text());
        else if (name === "url") this.#personUrl.url = clean(text.text());
      } else if (group === "external-identifiers" && this.#personId) {
        if (name === "external-id-type") this.#personId.type = clean(text.text());
        else if (name === "external-id-value") this.#personId.value = clean(text.text());
        else if (name === "external-id-url") this.#personId.url = clean(text.text());
      }
    }
  }

  #closeInItem(item: Item, depth: number, name: string, text: TextSource): void {
    const level = depth - item.depth;
    if (level === 0) {
      this.#item = null;
      this.#sourceDepth = -1;
      this.#externalId = null;
      this.#finishItem(item);
      return;
    }
    const sourceDepth = this.#sourceDepth;
    if (sourceDepth > 0 && depth > sourceDepth) {
      this.#closeInSource(item.source!, depth - sourceDepth, name, text);
      return;
    }
    const names = this.#names;
    if (level === 1) {
      switch (name) {
        case "source":
          this.#sourceDepth = -1;
          break;
        case "created-date":
          item.created = clean(text.text());
          break;
        case "last-modified-date":
          item.lastModified = clean(text.text());
          break;
        case "type":
          item.itemType = clean(text.text());
          break;
        case "journal-title":
          item.journal = clean(text.text());
          break;
        case "url":
          item.url = clean(text.text());
          break;
        case "department-name":
          item.department = clean(text.text());
          break;
        case "role-title":
          item.role = clean(text.text());
          break;
      }
    } else if (level === 2) {
      const parent = names[depth - 1];
      if (parent === "title") {
        if (name === "title") item.title = clean(text.text());
      } else if (parent === "external-ids") {
        if (name === "external-id" && this.#externalId) {
          item.externalIds.push(this.#externalId);
          this.#externalId = null;
        }
      } else if (parent === "organization") {
        if (name === "name") item.orgName = clean(text.text());
      } else {
        const parts =
          parent === "publication-date"
            ? item.published
            : parent === "start-date"
              ? item.start
              : parent === "end-date"
                ? item.end
                : null;
        if (parts !== null) {
          if (name === "year") parts.year = clean(text.text());
          else if (name === "month") parts.month = clean(text.text());
          else if (name === "day") parts.day = clean(text.text());
        }
      }
    } else if (level === 3) {
      const parent = names[depth - 1];
      if (parent === "external-id") {
        const id = this.#externalId;
        if (id === null) return;
        if (name === "external-id-type") id.type = clean(text.text());
        else if (name === "external-id-value") id.value = clean(text.text());
        else if (name === "external-id-normalized") id.normalized = clean(text.text());
        else if (name === "external-id-url") id.url = clean(text.text());
        else if (name === "external-id-relationship") id.relationship = clean(text.text());
      } else if (names[depth - 2] === "organization") {
        if (parent === "address") {
          if (name === "city") item.orgCity = clean(text.text());
          else if (name === "region") item.orgRegion = clean(text.text());
          else if (name === "country") item.orgCountry = clean(text.text());
        } else if (parent === "disambiguated-organization") {
          if (name === "disambiguated-organization-identifier") item.orgId = clean(text.text());
          else if (name === "disambiguation-source") item.orgIdSource = clean(text.text());
        }
      }
    }
  }

  /** `level` 1: a child of `source`; 2: a child of its `source-orcid`, `source-client-id`, `assertion-origin-…`. */
  #closeInSource(source: SourceFields, level: number, name: string, text: TextSource): void {
    if (level === 2) {
      if (name === "path") this.#sourcePath = clean(text.text());
      else if (name === "uri") this.#sourceUri = clean(text.text());
      return;
    }
    if (level !== 1) return;
    switch (name) {
      case "source-orcid":
      case "source-client-id":
        source.kind = name === "source-orcid" ? "orcid" : "client";
        source.id = idFrom(this.#sourcePath, this.#sourceUri);
        break;
      case "assertion-origin-orcid":
      case "assertion-origin-client-id":
        source.originId = idFrom(this.#sourcePath, this.#sourceUri);
        break;
      case "source-name":
        source.name = clean(text.text());
        break;
      case "assertion-origin-name":
        source.originName = clean(text.text());
        break;
    }
  }

  #finishItem(item: Item): void {
    const orcid = this.#orcid;
    const source: ItemSource | null = item.source;
    if (item.kind === "work") {
      const dois = new Map<string, string>();
      this.#counts.doiless += addDoiRelationships(item.externalIds, dois);
      if (this.#links) {
        const klass = classOf(orcid, source, this.#clients);
        for (const [doi, relationship] of dois) {
          this.#items.push({
            type: "link",
            doi,
            orcid,
            putCode: item.putCode,
            relationship,
            class: klass,
            sourceId: source?.id ?? null,
            sourceName: source?.name ?? null,
            originId: source?.originId ?? null,
            originName: source?.originName ?? null,
            created: item.created,
            lastModified: item.lastModified,
          });
        }
        return;
      }
      this.#items.push({
        type: "work",
        orcid,
        putCode: item.putCode,
        title: item.title,
        workType: item.itemType,
        journal: item.journal,
        year: toInteger(item.published.year),
        month: toInteger(item.published.month),
        day: toInteger(item.published.day),
        url: item.url,
        externalIds: item.externalIds,
        dois: [...dois.keys()],
        source,
        created: item.created,
        lastModified: item.lastModified,
        visibility: item.visibility,
      });
      return;
    }
    if (this.#links) return;
    if (item.kind === "funding") {
      this.#items.push({
        type: "funding",
        orcid,
        putCode: item.putCode,
        title: item.title,
        fundingType: item.itemType,
        orgName: item.orgName,
        orgIdSource: item.orgIdSource,
        orgId: item.orgId,
        externalIds: item.externalIds,
        startDate: fuzzyDate(item.start),
        endDate: fuzzyDate(item.end),
        source,
      });
      return;
    }
    this.#items.push({
      type: "affiliation",
      orcid,
      affiliationType: item.kind,
      putCode: item.putCode,
      department: item.department,
      role: item.role,
      startDate: fuzzyDate(item.start),
      endDate: fuzzyDate(item.end),
      orgName: item.orgName,
      orgCity: item.orgCity,
      orgRegion: item.orgRegion,
      orgCountry: item.orgCountry,
      orgIdSource: item.orgIdSource,
      orgId: item.orgId,
      source,
    });
  }
}

function newItem(kind: Item["kind"], depth: number, attributes: AttributeSource): Item {
  return {
    kind,
    depth,
    putCode: toInteger(attributes.attribute("put-code")),
    visibility: clean(attributes.attribute("visibility") ?? ""),
    created: null,
    lastModified: null,
    title: null,
    itemType: null,
    journal: null,
    url: null,
    department: null,
    role: null,
    published: noDate(),
    start: noDate(),
    end: noDate(),
    orgName: null,
    orgCity: null,
    orgRegion: null,
    orgCountry: null,
    orgIdSource: null,
    orgId: null,
    externalIds: [],
    source: null,
  };
}
