import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { CHUNK_BYTES, SummaryTaskRunner, WHOLE_FILE_LIMIT } from "./summary_task.ts";

const scratch = mkdtempSync(join(tmpdir(), "orcid-extract-task-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const golden = new URL("./testdata/summaries/097/0000-0002-1825-0097.xml", import.meta.url);
const ORCID = "0000-0002-1825-0097";
const KEY = "097/0000-0002-1825-0097.xml";
const lines = (text: string) =>
  text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));

/**
 * A summary of `works` works, each titled with non-ASCII text and padded with a long text the
 * extractor ignores, so that it is large and some characters straddle read chunks.
 */
function bigSummary(works: number): string {
  const padding = "Ünïcödé — 日本語 ".repeat(250);
  const work = (n: number) =>
    `<activities:group><work:work-summary put-code="${n}"><work:title><common:title>Ünïcödé wörk ${n} — 日本語</common:title></work:title><work:short-description>${padding}</work:short-description>` +
    `<common:external-ids><common:external-id><common:external-id-type>doi</common:external-id-type><common:external-id-value>10.1000/W${n}</common:external-id-value></common:external-id></common:external-ids></work:work-summary></activities:group>\n`;
  const parts = [`<record:record path="/${ORCID}"><activities:activities-summary><activities:works>\n`];
  for (let n = 0; n < works; n++) parts.push(work(n));
  parts.push("</activities:works></activities:activities-summary></record:record>\n");
  return parts.join("");
}

describe("SummaryTaskRunner", () => {
  test("gives the same lines from a body and from a file, and counts bytes and records", () => {
    const runner = new SummaryTaskRunner({ links: true });
    const xml = readFileSync(golden, "utf8");
    const fromBody = runner.run({ orcid: ORCID, key: KEY, body: xml, size: Buffer.byteLength(xml) });
    const fromFile = runner.run({ orcid: ORCID, key: KEY, path: golden.pathname });
    expect(fromFile.text).toBe(fromBody.text);
    expect(fromFile.stats).toEqual(fromBody.stats);
    expect(fromFile.stats).toMatchObject({
      summaries: 1,
      bytes: Buffer.byteLength(xml),
      person: 1,
      link: 13,
      errors: 0,
      doiless: 1,
    });
    expect(fromFile.lines).toBe(14);
  });

  test("reads a base64 body", () => {
    const xml = readFileSync(golden);
    const result = new SummaryTaskRunner().run({ orcid: ORCID, key: KEY, body: xml.toString("base64"), base64: true });
    expect(result.stats).toMatchObject({ bytes: xml.length, person: 1, work: 9 });
  });

  test(`parses a file larger than ${WHOLE_FILE_LIMIT / 2 ** 20} MiB in chunks, characters split across chunks intact`, () => {
    const path = join(scratch, "big.xml");
    const works = 3_500;
    writeFileSync(path, bigSummary(works));
    const result = new SummaryTaskRunner().run({ orcid: ORCID, key: KEY, path });
    expect(result.stats.bytes).toBeGreaterThan(WHOLE_FILE_LIMIT);
    expect(result.stats.work).toBe(works);
    const records = lines(result.text);
    for (const [n, record] of records.slice(1).entries()) {
      if (record.title !== `Ünïcödé wörk ${n} — 日本語` || record.dois[0] !== `10.1000/w${n}`)
        throw new Error(`work ${n}: ${JSON.stringify(record)}`);
    }
  });

  test.each([
    ["one byte short of a read chunk", CHUNK_BYTES - 1],
    ["exactly a read chunk", CHUNK_BYTES],
    ["one byte past a read chunk", CHUNK_BYTES + 1],
    ["a few read chunks", 3 * CHUNK_BYTES + 17],
  ])("reads a file of %s whole, as its body reads", (_what, size) => {
    // The largest a work is below 1,000 (three-digit numbers).
    const perWork = Buffer.byteLength(bigSummary(1000)) - Buffer.byteLength(bigSummary(999));
    const works = Math.floor((size - Buffer.byteLength(bigSummary(0))) / perWork);
    const body = bigSummary(works);
    const xml = body + " ".repeat(size - Buffer.byteLength(body));
    expect(Buffer.byteLength(xml)).toBe(size);
    const path = join(scratch, `sized-${size}.xml`);
    writeFileSync(path, xml);
    const runner = new SummaryTaskRunner();
    const fromFile = runner.run({ orcid: ORCID, key: KEY, path });
    const fromBody = runner.run({ orcid: ORCID, key: KEY, body: xml, size });
    expect(fromFile.stats).toMatchObject({ bytes: size, errors: 0, work: works });
    expect(fromFile.text).toBe(fromBody.text);
  });

  test("turns a summary that is not well-formed into one error record that says where", () => {
    const result = new SummaryTaskRunner().run({
      orcid: ORCID,
      key: KEY,
      bucket: "v3.0-summaries",
      body: "<record>\n  <a></b>\n</record>",
    });
    expect(lines(result.text)).toEqual([
      {
        type: "error",
        tool: "orcid-extract",
        op: "extract",
        message: expect.stringMatching(/^Cannot extract 097\/0000-0002-1825-0097\.xml: 2:9: unexpected close tag/),
        code: "InvalidSummary",
        retryable: false,
        attempts: 1,
        bucket: "v3.0-summaries",
        key: KEY,
        orcid: ORCID,
      },
    ]);
    expect(result.stats).toMatchObject({ summaries: 1, errors: 1, person: 0 });
  });

  test("turns a file that cannot be read into a retryable error record", () => {
    const result = new SummaryTaskRunner().run({ orcid: ORCID, key: KEY, path: join(scratch, "gone.xml") });
    expect(lines(result.text)[0]).toMatchObject({ type: "error", code: "ENOENT", retryable: true, key: KEY });
  });

  test("runAll() keeps the order of its tasks", () => {
    const tasks = [
      {
        orcid: "0000-0003-3333-3330",
        key: "330/0000-0003-3333-3330.xml",
        path: new URL("./testdata/summaries/330/0000-0003-3333-3330.xml", import.meta.url).pathname,
      },
      { orcid: ORCID, key: KEY, body: "<broken" },
      {
        orcid: "0000-0003-4444-444X",
        key: "44X/0000-0003-4444-444X.xml",
        path: new URL("./testdata/summaries/44X/0000-0003-4444-444X.xml", import.meta.url).pathname,
      },
    ];
    const result = new SummaryTaskRunner().runAll(tasks);
    expect(lines(result.text).map((r) => `${r.type} ${r.orcid}`)).toEqual([
      "gone 0000-0003-3333-3330",
      `error ${ORCID}`,
      "gone 0000-0003-4444-444X",
    ]);
    expect(result.stats).toMatchObject({ summaries: 3, gone: 2, errors: 1 });
    expect(result.lines).toBe(3);
  });
});
