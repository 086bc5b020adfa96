import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { Mirror, type MirrorOptions, mtimeOf } from "../files/mod.ts";
import { type FetchedObject, isErrorDocument, type PlaceOptions, placeRecords } from "./place_records.ts";
import type { ManifestRecord, ObjectRecord, PipelineRecord, UnknownRecord } from "./records.ts";
import { scratchDir } from "../testdata/scratch_dir.ts";

const ID = "0000-0002-1825-0097";
const OTHER = "0000-0001-5109-3700";
const ERROR_DOC =
  '<?xml version="1.0"?><error:error xmlns:error="http://www.orcid.org/ns/error"><error:response-code>409</error:response-code></error:error>';

const summary = (orcid: string, body: string): ObjectRecord => ({
  type: "object",
  bucket: "v3.0-summaries",
  key: `${orcid.slice(-3)}/${orcid}.xml`,
  orcid,
  kind: "summary",
  body,
  etag: "e",
  size: Buffer.byteLength(body),
});
const work = (orcid: string, n: number, body: string): ObjectRecord => ({
  type: "object",
  bucket: "v3.0-activities-b",
  key: `${orcid.slice(-3)}/${orcid}/works/${orcid}_works_${n}.xml`,
  orcid,
  kind: "works",
  body,
  etag: "e",
  size: Buffer.byteLength(body),
});
const manifest = (orcid: string, ...works: number[]): ManifestRecord => ({
  type: "manifest",
  bucket: "v3.0-activities-b",
  orcid,
  keys: works.map((n) => `${orcid.slice(-3)}/${orcid}/works/${orcid}_works_${n}.xml`),
});

/** A mirror holding works 1..n of an iD, each "old n". */
function mirrorWithWorks(orcid: string, n: number): string {
  const root = scratchDir("place-records-");
  const folder = join(root, "activities", orcid.slice(-3), orcid, "works");
  mkdirSync(folder, { recursive: true });
  for (let i = 1; i <= n; i++) writeFileSync(join(folder, `${orcid}_works_${i}.xml`), `old ${i}`);
  return root;
}

async function run(
  root: string,
  input: (PipelineRecord | FetchedObject)[],
  options: Partial<PlaceOptions> & MirrorOptions = {},
): Promise<(PipelineRecord | UnknownRecord)[]> {
  const out: (PipelineRecord | UnknownRecord)[] = [];
  const mirror = new Mirror(root, options);
  for await (const record of placeRecords(
    (async function* () {
      yield* input;
    })(),
    { mirror, concurrency: 4, ...options },
  ))
    out.push(record);
  return out;
}

describe("placeRecords() --dry-run", () => {
  // Each: what is on disk (works 1..3 of ID), the input, and the run's records.
  const cases: [string, PipelineRecord[]][] = [
    [
      "a deprecated iD: its error summary and its empty manifest delete each file once",
      [summary(ID, ERROR_DOC), manifest(ID)],
    ],
    [
      "an error summary, then a work identical to the deleted file: written again",
      [summary(ID, ERROR_DOC), work(ID, 2, "old 2"), manifest(ID, 2)],
    ],
    [
      "a new work, then an error summary: written, then deleted",
      [work(ID, 9, "new"), summary(ID, ERROR_DOC), manifest(ID)],
    ],
    ["a manifest twice", [manifest(ID, 1), manifest(ID)]],
  ];
  for (const [name, input] of cases) {
    test(`reports exactly what the run does: ${name}`, async () => {
      const dry = await run(mirrorWithWorks(ID, 3), input, { dryRun: true });
      const real = await run(mirrorWithWorks(ID, 3), input);
      expect(real.some((r) => r.type === "placed" && (r as { action: string }).action === "deleted")).toBe(true);
      expect(dry).toEqual(real);
    });
  }

  test("--max-delete counts as the run does", async () => {
    const input = [summary(ID, ERROR_DOC), manifest(ID)];
    const real = await run(mirrorWithWorks(ID, 3), input, { maxDelete: 3 });
    const dry = await run(mirrorWithWorks(ID, 3), input, { dryRun: true, maxDelete: 3 });
    expect(dry).toEqual(real);
    await expect(run(mirrorWithWorks(ID, 3), input, { dryRun: true, maxDelete: 2 })).rejects.toThrow(/--max-delete/);
  });
});

describe("placeRecords() pruning", () => {
  test("removes a <last3> folder its last iD left, at the end of the run, and keeps one still in use", async () => {
    const root = mirrorWithWorks(ID, 2);
    const sibling = "0000-0003-1415-9097"; // the same <last3> folder, a work of its own
    mkdirSync(join(root, "activities", "097", sibling, "works"), { recursive: true });
    writeFileSync(join(root, "activities", "097", sibling, "works", `${sibling}_works_1.xml`), "kept");
    const lonely = "0000-0001-5109-3700";
    mkdirSync(join(root, "activities", "700", lonely, "works"), { recursive: true });
    writeFileSync(join(root, "activities", "700", lonely, "works", `${lonely}_works_1.xml`), "old");
    await run(root, [manifest(ID), manifest(OTHER)]);
    expect(existsSync(join(root, "activities", "700"))).toBe(false);
    expect(readdirSync(join(root, "activities", "097"))).toEqual([sibling]);
  });
});

describe("placeRecords() with owns", () => {
  test("refuses to change an iD outside the part of the mirror the run holds", async () => {
    const root = mirrorWithWorks(ID, 1);
    const out = await run(root, [manifest(ID), work(ID, 2, "x")], {
      owns: (orcid) => orcid !== ID,
      ownsWhat: "shard 1/2 (--shard)",
    });
    expect(out).toMatchObject([
      { type: "error", code: "NotInShard", op: "delete", orcid: ID },
      { type: "error", code: "NotInShard", op: "place", orcid: ID },
    ]);
    expect(readdirSync(join(root, "activities", "097", ID, "works"))).toEqual([`${ID}_works_1.xml`]);
  });
});

describe("placeRecords() and the mirror's rule", () => {
  test("leaves a seeded file with the object's bytes as it is, giving it the LastModified; rewrites one whose MD5 differs", async () => {
    const root = mirrorWithWorks(ID, 2);
    const seeded = join(root, "activities", "097", ID, "works", `${ID}_works_1.xml`);
    const lastModified = "2026-11-20T10:00:00.000Z";
    const etag = (body: string) => createHash("md5").update(body).digest("hex");
    const same = { ...work(ID, 1, "old 1"), etag: etag("old 1"), lastModified };
    const other = { ...work(ID, 2, "new 2"), etag: etag("new 2"), lastModified };
    const out = await run(root, [same, other]);
    expect(out.map((r) => (r as { action?: string }).action)).toEqual(["unchanged", "written"]);
    expect(statSync(seeded).mtime.toISOString()).toBe(lastModified);
    expect(readFileSync(join(root, "activities", "097", ID, "works", `${ID}_works_2.xml`), "utf8")).toBe("new 2");
  });
});

describe("placeRecords() with fetched bodies (orcid-fetch --into)", () => {
  test("writes a Buffer body as its bytes and records what a text or base64 body of the same bytes gives", async () => {
    const bytes = Buffer.from([0x3c, 0xff, 0x00, 0xfe, 0x3e]); // not UTF-8
    const asText = { ...work(ID, 1, ""), body: bytes.toString("base64"), encoding: "base64" as const, size: 5 };
    const asBuffer: FetchedObject = { ...work(ID, 1, ""), body: bytes, size: 5 };
    const viaPipe = mirrorWithWorks(ID, 0);
    const inProcess = mirrorWithWorks(ID, 0);
    expect(await run(inProcess, [asBuffer])).toEqual(await run(viaPipe, [asText]));
    const file = join("activities", "097", ID, "works", `${ID}_works_1.xml`);
    expect(readFileSync(join(inProcess, file))).toEqual(bytes);
    expect(readFileSync(join(viaPipe, file))).toEqual(bytes);
  });

  test("an error-document summary as a Buffer deletes the iD's activities, and errors name the tool given", async () => {
    const out = await run(
      mirrorWithWorks(ID, 2),
      [{ ...summary(ID, ERROR_DOC), body: Buffer.from(ERROR_DOC) }, work(OTHER, 1, "x")],
      { tool: "orcid-fetch", owns: (orcid) => orcid === ID },
    );
    expect(out.map((r) => (r as { action?: string }).action ?? r.type)).toEqual([
      "written",
      "deleted",
      "deleted",
      "error",
    ]);
    expect(out[3]).toMatchObject({ tool: "orcid-fetch", code: "NotInShard" });
  });

  test("with compared, an object its fetcher found different is written without a second compare; without, it is compared", async () => {
    const root = mirrorWithWorks(ID, 1);
    const file = join(root, "activities", "097", ID, "works", `${ID}_works_1.xml`);
    // Last in its second, as a write may leave a file: its mtime read to the ms stays in that second.
    utimesSync(file, 1764670000.9996, 1764670000.9996);
    const lastModified = mtimeOf(statSync(file)).toISOString();
    // The file holds these bytes at this mtime, so a compare here would find it the same.
    const fetched: FetchedObject = { ...work(ID, 1, ""), body: Buffer.from("old 1"), size: 5, lastModified };
    expect((await run(root, [{ ...fetched, differs: true }]))[0]).toMatchObject({ action: "unchanged" });
    expect((await run(root, [fetched], { compared: true }))[0]).toMatchObject({ action: "unchanged" });
    // Took the fetcher's word: the file was replaced (a new inode), not looked at.
    const inode = statSync(file).ino;
    expect((await run(root, [{ ...fetched, differs: true }], { compared: true }))[0]).toMatchObject({
      action: "written",
    });
    expect(statSync(file).ino).not.toBe(inode);
    expect(readFileSync(file, "utf8")).toBe("old 1");
  });
});

describe("isErrorDocument()", () => {
  test("tells an error document from a record summary", () => {
    expect(isErrorDocument('<?xml version="1.0"?>\n<error:error xmlns:error="http://www.orcid.org/ns/error">')).toBe(
      true,
    );
    expect(isErrorDocument('<?xml version="1.0"?>\n<record:record path="/0000-0002-1825-0097">')).toBe(false);
    expect(isErrorDocument(Buffer.from('<?xml version="1.0"?>\n<error:error xmlns:error="x">'))).toBe(true);
  });
});
