/**
 * A second, independent reading of the generated summaries: a plain tree (built here from saxes in
 * its namespace-aware mode, which the extractor does not use) walked by namespace and name, with
 * the rules of the issue written again. Every summary must give the same records both ways.
 */
import { SaxesParser } from "saxes";
import { describe, expect, test } from "vitest";
import { buildDay } from "../../test/generator/dataset_files.ts";
import { datasetObjects } from "../../test/generator/objects.ts";
import { SummaryExtractor } from "./summary_extractor.ts";

interface XmlNode {
  readonly ns: string;
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlNode[];
  text: string;
}

function parseTree(xml: string): XmlNode {
  const parser = new SaxesParser({ xmlns: true });
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  parser.on("opentag", (tag) => {
    const attributes: Record<string, string> = {};
    for (const [name, attribute] of Object.entries(tag.attributes)) attributes[name] = attribute.value;
    const node: XmlNode = { ns: tag.uri, name: tag.local, attributes, children: [], text: "" };
    stack.at(-1)?.children.push(node);
    root ??= node;
    stack.push(node);
  });
  parser.on("closetag", () => void stack.pop());
  parser.on("text", (text) => {
    const top = stack.at(-1);
    if (top) top.text += text;
  });
  parser.on("cdata", (text) => (stack.at(-1)!.text += text));
  parser.write(xml).close();
  return root!;
}

const NS = "http://www.orcid.org/ns/";
/** The children of `node` that are `ns:name`. */
const all = (node: XmlNode | undefined, ns: string, name: string) =>
  (node?.children ?? []).filter((c) => c.ns === NS + ns && c.name === name);
const one = (node: XmlNode | undefined, ns: string, name: string) => all(node, ns, name)[0];
/** Follows `ns:name` steps from `node`. */
const path = (node: XmlNode | undefined, ...steps: string[]) =>
  steps.reduce<XmlNode | undefined>((at, step) => one(at, step.split(":")[0]!, step.split(":")[1]!), node);
const text = (node: XmlNode | undefined): string | null => (node && node.text.trim() !== "" ? node.text.trim() : null);
const int = (value: string | null) => (value === null ? null : Number.parseInt(value, 10));

const DOI = /(10\.[0-9a-zA-Z]+\/(?:(?!["&'])\S)+)\b/;
const RANK: Record<string, number> = { self: 0, "version-of": 1, "part-of": 2 };
const CLASSES: Record<string, string> = { "0000-0001-9884-1913": "crossref", "0000-0001-8099-6984": "datacite" };

function sourceOf(item: XmlNode) {
  const source = one(item, "common", "source");
  if (!source) return null;
  const id = (step: string) => text(path(source, step, "common:path"));
  const orcid = one(source, "common", "source-orcid");
  const client = one(source, "common", "source-client-id");
  return {
    kind: orcid ? "orcid" : client ? "client" : null,
    id: orcid ? id("common:source-orcid") : client ? id("common:source-client-id") : null,
    name: text(one(source, "common", "source-name")),
    originId: id("common:assertion-origin-orcid") ?? id("common:assertion-origin-client-id"),
    originName: text(one(source, "common", "assertion-origin-name")),
  };
}

function externalIdsOf(item: XmlNode) {
  return all(one(item, "common", "external-ids"), "common", "external-id").map((id) => ({
    type: text(one(id, "common", "external-id-type")),
    value: text(one(id, "common", "external-id-value")),
    normalized: text(one(id, "common", "external-id-normalized")),
    url: text(one(id, "common", "external-id-url")),
    relationship: text(one(id, "common", "external-id-relationship")),
  }));
}

function dateOf(node: XmlNode | undefined): string | null {
  const [y, m, d] = ["year", "month", "day"].map((part) => text(one(node, "common", part)));
  return y === null ? null : m === null ? y : d === null ? `${y}-${m}` : `${y}-${m}-${d}`;
}

/** The records of a summary, read the plain way. */
function oracle(orcid: string, xml: string, links: boolean): unknown[] {
  const root = parseTree(xml);
  if (root.name === "error") {
    const code = int(text(one(root, "error", "error-code")));
    const message = `${text(one(root, "error", "developer-message"))} ${text(one(root, "error", "user-message"))}`;
    const reason = code === 9007 ? "deprecated" : code === 9018 ? "locked" : code === 9044 ? "deactivated" : "error";
    return [
      {
        type: "gone",
        orcid,
        reason,
        redirect: /refer to account: (?:https:\/\/orcid\.org\/)?([\d-]{18}[\dX])/.exec(message)?.[1] ?? null,
        code,
      },
    ];
  }
  const person = one(root, "person", "person");
  const name = one(person, "person", "name");
  const history = one(root, "history", "history");
  const list = (group: string, item: string, leaf: string) =>
    all(path(person, group), group.split(":")[0]!, item)
      .map((n) => text(path(n, leaf)))
      .filter((v) => v !== null);
  const records: unknown[] = [
    {
      type: "person",
      orcid,
      givenNames: text(one(name, "personal-details", "given-names")),
      familyName: text(one(name, "personal-details", "family-name")),
      creditName: text(one(name, "personal-details", "credit-name")),
      otherNames: list("other-name:other-names", "other-name", "other-name:content"),
      biography: text(path(person, "person:biography", "personal-details:content")),
      keywords: list("keyword:keywords", "keyword", "keyword:content"),
      researcherUrls: all(path(person, "researcher-url:researcher-urls"), "researcher-url", "researcher-url").map(
        (u) => ({
          name: text(one(u, "researcher-url", "url-name")),
          url: text(one(u, "researcher-url", "url")),
        }),
      ),
      externalIds: all(
        path(person, "external-identifier:external-identifiers"),
        "external-identifier",
        "external-identifier",
      ).map((e) => ({
        type: text(one(e, "common", "external-id-type")),
        value: text(one(e, "common", "external-id-value")),
        url: text(one(e, "common", "external-id-url")),
      })),
      emails: list("email:emails", "email", "email:email"),
      created: text(one(history, "history", "submission-date")),
      lastModified: text(one(history, "common", "last-modified-date")),
    },
  ];
  const activities = one(root, "activities", "activities-summary");
  for (const section of activities?.children ?? []) {
    for (const group of section.children) {
      for (const item of group.children) {
        const kind = item.name.replace(/-summary$/, "");
        if (!item.name.endsWith("-summary") || kind === "peer-review" || kind === "research-resource") continue;
        const putCode = int(item.attributes["put-code"] ?? null);
        const source = sourceOf(item);
        const org = one(item, "common", "organization");
        const disambiguated = one(org, "common", "disambiguated-organization");
        if (kind === "work") {
          const externalIds = externalIdsOf(item);
          const dois = new Map<string, string>();
          for (const id of externalIds) {
            if (id.type?.toLowerCase() !== "doi") continue;
            const doi = id.normalized?.toLowerCase() ?? DOI.exec(id.value?.toLowerCase() ?? "")?.[1];
            if (!doi) continue;
            const relationship = id.relationship?.toLowerCase() ?? "self";
            if (!dois.has(doi) || (RANK[relationship] ?? 3) < (RANK[dois.get(doi)!] ?? 3)) dois.set(doi, relationship);
          }
          const created = text(one(item, "common", "created-date"));
          const lastModified = text(one(item, "common", "last-modified-date"));
          if (links) {
            const klass =
              source?.kind === "orcid"
                ? source.id === orcid
                  ? "self"
                  : "other-person"
                : source?.originId === orcid
                  ? "self-via-member"
                  : (CLASSES[source?.id ?? ""] ?? "member");
            for (const [doi, relationship] of dois) {
              records.push({
                type: "link",
                doi,
                orcid,
                putCode,
                relationship,
                class: klass,
                sourceId: source?.id ?? null,
                sourceName: source?.name ?? null,
                originId: source?.originId ?? null,
                originName: source?.originName ?? null,
                created,
                lastModified,
              });
            }
            continue;
          }
          const published = one(item, "common", "publication-date");
          records.push({
            type: "work",
            orcid,
            putCode,
            title: text(path(item, "work:title", "common:title")),
            workType: text(one(item, "work", "type")),
            journal: text(one(item, "work", "journal-title")),
            year: int(text(one(published, "common", "year"))),
            month: int(text(one(published, "common", "month"))),
            day: int(text(one(published, "common", "day"))),
            url: text(one(item, "common", "url")),
            externalIds,
            dois: [...dois.keys()],
            source,
            created,
            lastModified,
            visibility: item.attributes.visibility ?? null,
          });
        } else if (!links && kind === "funding") {
          records.push({
            type: "funding",
            orcid,
            putCode,
            title: text(path(item, "funding:title", "common:title")),
            fundingType: text(one(item, "funding", "type")),
            orgName: text(one(org, "common", "name")),
            orgIdSource: text(one(disambiguated, "common", "disambiguation-source")),
            orgId: text(one(disambiguated, "common", "disambiguated-organization-identifier")),
            externalIds: externalIdsOf(item),
            startDate: dateOf(one(item, "common", "start-date")),
            endDate: dateOf(one(item, "common", "end-date")),
            source,
          });
        } else if (!links) {
          const address = one(org, "common", "address");
          records.push({
            type: "affiliation",
            orcid,
            affiliationType: kind,
            putCode,
            department: text(one(item, "common", "department-name")),
            role: text(one(item, "common", "role-title")),
            startDate: dateOf(one(item, "common", "start-date")),
            endDate: dateOf(one(item, "common", "end-date")),
            orgName: text(one(org, "common", "name")),
            orgCity: text(one(address, "common", "city")),
            orgRegion: text(one(address, "common", "region")),
            orgCountry: text(one(address, "common", "country")),
            orgIdSource: text(one(disambiguated, "common", "disambiguation-source")),
            orgId: text(one(disambiguated, "common", "disambiguated-organization-identifier")),
            source,
          });
        }
      }
    }
  }
  return records;
}

describe("SummaryExtractor against a plain tree walk", () => {
  const { dataset } = buildDay({
    records: 400,
    seed: 18,
    now: new Date("2026-11-20T00:00:00Z"),
    day: 1,
    variety: true,
  });
  const summaries = [...datasetObjects(dataset)].filter((o) => o.mirrorPath.startsWith("summaries/"));

  test.each([false, true])("every generated summary gives the same records (links: %s)", (links) => {
    const extractor = new SummaryExtractor({ links });
    const seen = new Set<string>();
    for (const { key, body } of summaries) {
      const orcid = key.split("/")[1]!.replace(/\.xml$/, "");
      extractor.begin(orcid);
      extractor.write(body);
      const records = extractor.end();
      expect(records, key).toEqual(oracle(orcid, body, links));
      for (const record of records) seen.add(record.type === "link" ? `link ${record.class}` : record.type);
    }
    // The generated set is varied enough to hold every type and class.
    const expected = links
      ? [
          "person",
          "gone",
          "link self",
          "link other-person",
          "link self-via-member",
          "link crossref",
          "link datacite",
          "link member",
        ]
      : ["person", "gone", "work", "affiliation", "funding"];
    for (const what of expected) expect(seen, what).toContain(what);
  });
});
