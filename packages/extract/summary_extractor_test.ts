import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { SummaryError, SummaryExtractor, XmlSyntaxError } from "./summary_extractor.ts";

const testdata = (path: string) => new URL(`./testdata/${path}`, import.meta.url);
const read = (path: string) => readFileSync(testdata(path), "utf8");
const expected = (name: string) =>
  read(`expected/${name}`)
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));

/** The golden summaries in byte order of their keys, as `--from` reads them. */
function goldenSummaries(): { orcid: string; xml: string }[] {
  const summaries = [];
  for (const folder of readdirSync(testdata("summaries")).sort()) {
    for (const file of readdirSync(testdata(`summaries/${folder}`)).sort()) {
      summaries.push({ orcid: file.replace(/\.xml$/, ""), xml: read(`summaries/${folder}/${file}`) });
    }
  }
  return summaries;
}

function extract(
  orcid: string,
  xml: string,
  options: ConstructorParameters<typeof SummaryExtractor>[0] = {},
  chunk = xml.length,
) {
  const extractor = new SummaryExtractor(options);
  extractor.begin(orcid);
  for (let i = 0; i < xml.length; i += chunk) extractor.write(xml.slice(i, i + chunk));
  return extractor.end();
}

describe("SummaryExtractor", () => {
  test("gives the hand-written records of the golden summaries", () => {
    const records = goldenSummaries().flatMap(({ orcid, xml }) => extract(orcid, xml));
    expect(records).toEqual(expected("records.ndjson"));
  });

  test("with links, gives the hand-written link records of the golden summaries", () => {
    const records = goldenSummaries().flatMap(({ orcid, xml }) => extract(orcid, xml, { links: true }));
    expect(records).toEqual(expected("links.ndjson"));
  });

  test("gives the same records fed a few characters at a time", () => {
    const { orcid, xml } = goldenSummaries()[0]!;
    expect(extract(orcid, xml, { links: true }, 7)).toEqual(extract(orcid, xml, { links: true }));
  });

  test("counts DOI ids in which no DOI was found", () => {
    const { orcid, xml } = goldenSummaries()[0]!;
    const extractor = new SummaryExtractor();
    extractor.begin(orcid);
    extractor.write(xml);
    extractor.end();
    expect(extractor.counts.doiless).toBe(1);
  });

  test.each(["record-3.0.xml", "record-no-city-country-for-professional-activities-3.0.xml"])(
    "extracts ORCID's sample %s",
    (name) => {
      const records = extract("8888-8888-8888-8880", read(`orcid-model/${name}`));
      expect(records[0]).toMatchObject({
        type: "person",
        orcid: "8888-8888-8888-8880",
        givenNames: "give-names",
        familyName: "family-name",
        creditName: "credit-name",
      });
      const types = records.map((r) => (r.type === "affiliation" ? r.affiliationType : r.type));
      expect(types).toEqual([
        "person",
        "distinction",
        "education",
        "employment",
        "funding",
        "invited-position",
        "membership",
        "qualification",
        "service",
        "work",
      ]);
      const work = records.at(-1)!;
      expect(work).toMatchObject({
        type: "work",
        putCode: 0,
        title: "common:title",
        workType: "artistic-performance",
        year: 1948,
        month: 2,
        day: 2,
        dois: [],
      });
      expect(work).toHaveProperty("source", {
        kind: "client",
        id: "8888-8888-8888-8880",
        name: null,
        originId: null,
        originName: null,
      });
    },
  );

  test("the sample without cities has null city, region and country", () => {
    const records = extract(
      "8888-8888-8888-8880",
      read("orcid-model/record-no-city-country-for-professional-activities-3.0.xml"),
    );
    const distinction = records.find((r) => r.type === "affiliation" && r.affiliationType === "distinction");
    expect(distinction).toMatchObject({ orgName: null, orgCity: null, orgCountry: null, orgId: null });
    const service = records.find((r) => r.type === "affiliation" && r.affiliationType === "service");
    expect(service).toMatchObject({ orgName: "service-org", orgCity: null, orgRegion: null, orgCountry: null });
  });

  test("ORCID's sample error document is gone with reason error", () => {
    expect(extract("8888-8888-8888-8880", read("orcid-model/error-3.0.xml"))).toEqual([
      { type: "gone", orcid: "8888-8888-8888-8880", reason: "error", redirect: null, code: 0 },
    ]);
  });

  test.each([
    ["bad/998/0000-0002-9999-9998.xml", "0000-0002-9999-9998", XmlSyntaxError, /close tag/],
    ["bad/115/0000-0002-1111-1115.xml", "0000-0002-1111-1115", XmlSyntaxError, /unclosed tag/],
    [
      "bad/227/0009-0000-2222-2227.xml",
      "0009-0000-2222-2227",
      SummaryError,
      /of iD '0000-0002-1825-0097', not of '0009-0000-2222-2227'/,
    ],
  ])("refuses %s", (path, orcid, kind, message) => {
    expect(() => extract(orcid, read(path))).toThrow(kind);
    expect(() => extract(orcid, read(path))).toThrow(message);
  });

  test("refuses an empty document, a document that is not a summary, and an undefined entity", () => {
    expect(() => extract("0000-0002-1825-0097", "")).toThrow(XmlSyntaxError);
    expect(() => extract("0000-0002-1825-0097", "<work:work/>")).toThrow(
      "Not an ORCID record summary: the root element is 'work'",
    );
    expect(() => extract("0000-0002-1825-0097", "<record><x>&nbsp;</x></record>")).toThrow(XmlSyntaxError);
  });

  test("a record without an iD inside is taken as its key's; with the root path only, that is checked", () => {
    expect(extract("0000-0002-1825-0097", "<record/>")[0]).toMatchObject({
      type: "person",
      orcid: "0000-0002-1825-0097",
      givenNames: null,
      otherNames: [],
    });
    expect(() => extract("0000-0002-1825-0097", '<record path="/0000-0002-7869-831X"/>')).toThrow(SummaryError);
  });

  test("is reusable after a failure", () => {
    const extractor = new SummaryExtractor();
    extractor.begin("0000-0002-1825-0097");
    expect(() => extractor.write("<record><a></b></record>")).toThrow(XmlSyntaxError);
    const { orcid, xml } = goldenSummaries()[0]!;
    extractor.begin(orcid);
    extractor.write(xml);
    expect(extractor.end()).toEqual(expected("records.ndjson").filter((r) => r.orcid === orcid));
  });
});
