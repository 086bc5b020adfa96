import type { ItemExternalId, ItemSource, WorkRecord } from "@orcid-sync/core";
import { describe, expect, it } from "vitest";
import { linksFromWork } from "./links_from_work.ts";

const ID = "0000-0002-1825-0097";
const src = (kind: "orcid" | "client", id: string, originId: string | null = null): ItemSource => ({
  kind,
  id,
  name: "n",
  originId,
  originName: null,
});
const doiId = (value: string, normalized: string | null, relationship: string | null): ItemExternalId => ({
  type: "doi",
  value,
  normalized,
  url: null,
  relationship,
});
const work = (fields: Partial<WorkRecord>): WorkRecord => ({
  type: "work",
  orcid: ID,
  putCode: 5,
  title: null,
  workType: null,
  journal: null,
  year: null,
  month: null,
  day: null,
  url: null,
  externalIds: [],
  dois: [],
  source: src("orcid", ID),
  created: "c",
  lastModified: "m",
  visibility: null,
  ...fields,
});

describe("linksFromWork()", () => {
  it("gives one link per DOI, the best relationship of a DOI written twice, self when none is given", () => {
    const given = {
      type: "work",
      orcid: ID,
      putCode: 5,
      dois: ["10.1/a", "10.1/b"],
      source: src("orcid", ID),
      created: "c",
      lastModified: "m",
      externalIds: [
        { type: "DOI", value: "10.1/A", normalized: "10.1/a", url: null, relationship: "part-of" },
        { type: "doi", value: "https://doi.org/10.1/a", normalized: null, url: null, relationship: "version-of" },
        { type: "doi", value: "10.1/b", normalized: "10.1/b", url: null },
      ],
    } as unknown as WorkRecord;
    expect(linksFromWork(given).map((l) => [l.doi, l.relationship, l.class, l.putCode])).toEqual([
      ["10.1/a", "version-of", "self", 5],
      ["10.1/b", "self", "self", 5],
    ]);
  });

  it("classes each link by core's rules: member for a work without a source, as the protocol says", () => {
    const classes = (source: ItemSource | null) =>
      linksFromWork(work({ dois: ["10.1/a"], source })).map((l) => l.class);
    expect(classes(null)).toEqual(["member"]);
    expect(classes(src("client", "0000-0001-9884-1913"))).toEqual(["crossref"]);
    expect(classes(src("client", "0000-0002-5982-8983", ID))).toEqual(["self-via-member"]);
  });

  it("lowercases a relationship as orcid-extract does", () => {
    const links = linksFromWork(
      work({ dois: ["10.1/a"], externalIds: [doiId("10.1/a", null, "VERSION-OF"), doiId("10.1/a", null, "part-of")] }),
    );
    expect(links.map((l) => l.relationship)).toEqual(["version-of"]);
  });

  it("takes a relationship only from the ids that name that DOI, not from a longer DOI that contains it", () => {
    const links = linksFromWork(
      work({
        dois: ["10.1/ab", "10.1/a"],
        externalIds: [doiId("10.1/AB", null, "part-of"), doiId("10.1/a", null, "funded-by")],
      }),
    );
    expect(links.map((l) => [l.doi, l.relationship])).toEqual([
      ["10.1/ab", "part-of"],
      ["10.1/a", "funded-by"],
    ]);
  });
});
