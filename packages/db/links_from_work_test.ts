import { describe, expect, it } from "vitest";
import type { SourceObject, WorkRecord } from "./input_records.ts";
import { linkClass, linksFromWork } from "./links_from_work.ts";

const ID = "0000-0002-1825-0097";
const src = (kind: "orcid" | "client", id: string, originId: string | null = null): SourceObject => ({ kind, id, name: "n", originId, originName: null });

describe("linkClass()", () => {
  it("decides who asserted a link in orcid-extract's order", () => {
    expect(linkClass(ID, src("orcid", ID))).toBe("self");
    expect(linkClass(ID, src("orcid", "0000-0001-5109-3700"))).toBe("other-person");
    expect(linkClass(ID, src("client", "0000-0002-5982-8983", ID))).toBe("self-via-member");
    expect(linkClass(ID, src("client", "0000-0001-9884-1913"))).toBe("crossref");
    expect(linkClass(ID, src("client", "0000-0001-8099-6984"))).toBe("datacite");
    expect(linkClass(ID, src("client", "APP-1"))).toBe("member");
    expect(linkClass(ID, null)).toBeNull();
  });
});

describe("linksFromWork()", () => {
  it("gives one link per DOI, the best relationship of a DOI written twice, self when none is given", () => {
    const work = {
      type: "work", orcid: ID, putCode: 5, dois: ["10.1/a", "10.1/b"], source: src("orcid", ID), created: "c", lastModified: "m",
      externalIds: [
        { type: "DOI", value: "10.1/A", normalized: "10.1/a", url: null, relationship: "part-of" },
        { type: "doi", value: "https://doi.org/10.1/a", normalized: null, url: null, relationship: "version-of" },
        { type: "doi", value: "10.1/b", normalized: "10.1/b", url: null },
      ],
    } as unknown as WorkRecord;
    expect(linksFromWork(work).map((l) => [l.doi, l.relationship, l.class, l.putCode])).toEqual([
      ["10.1/a", "version-of", "self", 5],
      ["10.1/b", "self", "self", 5],
    ]);
  });
});
