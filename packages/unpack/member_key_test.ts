import { InvalidKeyError } from "@orcid-sync/core";
import { DEFAULT_LAYOUT } from "@orcid-sync/core";
import { describe, expect, test } from "vitest";
import { memberRef } from "./member_key.ts";

const ID = "0000-0002-1825-0097";
const X_ID = "0000-0002-7869-831X";
const ONE_ID = "0009-0000-0000-0009";
const summary = `097/${ID}.xml`;
const work = `097/${ID}/works/${ID}_works_123.xml`;

describe("memberRef()", () => {
  test("maps the yearly summaries file's members to summary keys of the summaries bucket", () => {
    expect(memberRef(`ORCID_2025_10_summaries/${summary}`, DEFAULT_LAYOUT)).toEqual({
      bucket: "v3.0-summaries",
      key: summary,
      orcid: ID,
      kind: "summary",
    });
  });

  test("maps activities members, either spelling, to the bucket the iD's last character chooses", () => {
    expect(memberRef(`ORCID_2025_10_activities_7/${work}`, DEFAULT_LAYOUT)).toEqual({
      bucket: "v3.0-activities-b",
      key: work,
      orcid: ID,
      kind: "works",
    });
    expect(memberRef(`ORCID_2019_activites_7/${work}`, DEFAULT_LAYOUT)).toEqual({
      bucket: "v3.0-activities-b",
      key: work,
      orcid: ID,
      kind: "works",
    });
    const membership = `31X/${X_ID}/membership/${X_ID}_membership_42.xml`;
    expect(memberRef(`ORCID_2025_10_activities_X/${membership}`, DEFAULT_LAYOUT).bucket).toBe("v3.0-activities-c");
    const education = `009/${ONE_ID}/educations/${ONE_ID}_educations_1.xml`;
    expect(memberRef(`x/${education}`, DEFAULT_LAYOUT)).toMatchObject({
      bucket: "v3.0-activities-c",
      kind: "educations",
    });
  });

  test("takes orcid-pack's layout, GNU tar's ./, any leading folders and a bare key", () => {
    expect(memberRef(`summaries/${summary}`, DEFAULT_LAYOUT).key).toBe(summary);
    expect(memberRef(`activities/${work}`, DEFAULT_LAYOUT).key).toBe(work);
    expect(memberRef(`./ORCID_2025_10_summaries/${summary}`, DEFAULT_LAYOUT).key).toBe(summary);
    expect(memberRef(`a/b/c/${work}`, DEFAULT_LAYOUT).key).toBe(work);
    expect(memberRef(summary, DEFAULT_LAYOUT).key).toBe(summary);
    expect(memberRef(work, DEFAULT_LAYOUT).key).toBe(work);
  });

  test("names buckets from the layout: overridden names and one unsplit activities bucket", () => {
    const layout = { ...DEFAULT_LAYOUT, summaries: "my-summaries", activitiesBase: "my-activities" };
    expect(memberRef(`s/${summary}`, layout).bucket).toBe("my-summaries");
    expect(memberRef(`a/${work}`, layout).bucket).toBe("my-activities-b");
    expect(memberRef(`a/${work}`, { ...layout, activitiesSingle: "v2.0-activities" }).bucket).toBe("v2.0-activities");
  });

  test("refuses names that are not an ORCID key under plain folders", () => {
    const refused = [
      `/${summary}`,
      `/ORCID/${summary}`,
      `../${summary}`,
      `ORCID/../${summary}`,
      `ORCID//${summary}`,
      `ORCID/./${summary}`,
      `ORCID\\${summary}`,
      `ORCID/097/${ID}\0.xml`,
      "ORCID_2025_10_summaries/README.txt",
      "ORCID_2025_10_summaries/",
      `ORCID/${ID}.xml`,
      "ORCID/097/0000-0002-1825-0098.xml",
      `ORCID/098/${ID}.xml`,
      `ORCID/097/${ID}/Poems/${ID}_Poems_1.xml`,
      `ORCID/097/${ID}/poems-/${ID}_poems-_1.xml`,
      `ORCID/097/${ID}/works/${ID}_works_abc.xml`,
      `ORCID/097/${ID}/works/${X_ID}_works_1.xml`,
      `${ID}/works/${ID}_works_1.xml`,
      `ORCID/097/${ID}/works/${ID}_works_1.xml/extra.xml`,
      `ORCID/097/${ID}.xml.gz`,
    ];
    for (const name of refused) expect(() => memberRef(name, DEFAULT_LAYOUT), name).toThrow(InvalidKeyError);
  });

  test("maps an activity type not known yet, as orcid-list mirrors it (protocol version 2)", () => {
    const poem = `097/${ID}/poems/${ID}_poems_1.xml`;
    expect(memberRef(`ORCID/${poem}`, DEFAULT_LAYOUT)).toEqual({
      bucket: "v3.0-activities-b",
      key: poem,
      orcid: ID,
      kind: "poems",
    });
  });

  test("names the member in its message", () => {
    expect(() => memberRef("ORCID/098/0000-0002-1825-0097.xml", DEFAULT_LAYOUT)).toThrow(
      /does not belong in folder '098'.*member 'ORCID\/098\/0000-0002-1825-0097.xml'/,
    );
  });
});
