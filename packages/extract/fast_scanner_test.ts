import { readdirSync, readFileSync } from "node:fs";
import { SaxesParser } from "saxes";
import { describe, expect, test } from "vitest";
import { buildDay } from "../../test/generator/dataset_files.ts";
import { datasetObjects } from "../../test/generator/objects.ts";
import { scanXml } from "./fast_scanner.ts";
import { SummaryExtractor } from "./summary_extractor.ts";

/** Every event, as the scanner reports it, the text between tags asked for at each; null when it gives up. */
function scanned(xml: string, bytes?: Buffer, skip?: string): string[] | null {
  const events: string[] = [];
  const flush = (text: string) => {
    if (text !== "") events.push(`text ${text}`);
  };
  const ok = scanXml(
    xml,
    {
      open: (name, attributes, before) => {
        flush(before.text());
        events.push(`open ${name} ${JSON.stringify(attributes.attributes())}`);
        return name === skip;
      },
      close: (text) => {
        flush(text.text());
        events.push("close");
      },
    },
    bytes,
  );
  return ok ? events : null;
}

/** The same, the document given as UTF-8 bytes. */
const scannedBytes = (xml: string) => {
  const bytes = Buffer.from(xml);
  return scanned(bytes.toString("latin1"), bytes);
};

/**
 * The same from saxes, the oracle (text outside the root left out: the scanner reports none); an
 * Error when it refuses. `skip`: what is inside elements of that name, and their close, left out.
 */
function parsed(xml: string, skip?: string): string[] | Error {
  const events: string[] = [];
  let text = "";
  let depth = 0;
  let skipping = 0;
  const flush = () => {
    if (text !== "" && depth > 0 && skipping === 0) events.push(`text ${text}`);
    text = "";
  };
  const parser = new SaxesParser({ position: false });
  parser.on("opentag", (tag) => {
    flush();
    depth++;
    if (skipping > 0) skipping++;
    else {
      events.push(`open ${tag.name} ${JSON.stringify(tag.attributes)}`);
      if (tag.name === skip) skipping = 1;
    }
  });
  parser.on("closetag", () => {
    flush();
    depth--;
    if (skipping > 0) skipping--;
    else events.push("close");
  });
  parser.on("text", (t) => (text += t));
  parser.on("cdata", (t) => (text += t));
  parser.on("error", (error) => {
    throw error;
  });
  try {
    parser.write(xml).close();
  } catch (error) {
    return error as Error;
  }
  flush();
  return events;
}

function files(folder: URL): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".xml"))
    .map((entry) => readFileSync(`${entry.parentPath}/${entry.name}`, "utf8"));
}

const generated = [
  ...datasetObjects(
    buildDay({ records: 300, seed: 5, now: new Date("2026-11-20T00:00:00Z"), day: 1, variety: true }).dataset,
  ),
]
  .filter((o) => o.mirrorPath.startsWith("summaries/"))
  .map((o) => o.body);
const fixtures = [
  ...files(new URL("./testdata/summaries/", import.meta.url)),
  ...files(new URL("./testdata/orcid-model/", import.meta.url)),
];

describe("scanXml()", () => {
  test("reads every golden, sample and generated summary as saxes does, without giving up", () => {
    for (const xml of [...fixtures, ...generated]) {
      const oracle = parsed(xml);
      expect(scanned(xml)).toEqual(oracle);
      expect(scannedBytes(xml)).toEqual(oracle);
    }
  });

  test.each([
    ["a mismatched close tag", "<a><b></a></b>"],
    ["an unclosed element", "<a><b></b>"],
    ["text after the root", "<a/>x"],
    ["two roots", "<a/><b/>"],
    ["an undefined entity", "<a>&nbsp;</a>"],
    ["a bare ampersand", "<a>fish & chips</a>"],
    ["a reference to a forbidden character", "<a>&#1;</a>"],
    ["a < in an attribute", '<a b="<"/>'],
    ["a duplicate attribute", '<a b="1" b="2"/>'],
    ["attributes without space between", '<a b="1"c="2"/>'],
    ["an unquoted attribute", "<a b=1/>"],
    ["]]> in text", "<a>x]]>y</a>"],
    ["-- in a comment", "<a><!-- x -- y --></a>"],
    ["a DOCTYPE", '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'],
    ["a processing instruction", "<a><?pi x?></a>"],
    ["a carriage return", "<a>x\r\ny</a>"],
    ["a control character", "<a>x\u0001</a>"],
    ["a bad declaration", '<?xml version="2.0"?><a/>'],
    ["nothing", ""],
    ["whitespace only", "  \n "],
    ["a non-ASCII name", "<ä>x</ä>"],
    ["CDATA outside the root", "<![CDATA[x]]><a/>"],
    ["a tab in an attribute", '<a b="x\ty"/>'],
    ["character references", "<a b='&#x41;&#66;&quot;'>&lt;&#x1F600;&gt;&apos;</a>"],
    ["a comment and CDATA", "<?xml version='1.0' encoding='UTF-8'?>\n<!-- c --><a><![CDATA[<x>&amp;]]> y</a>\n"],
    ["text around a comment and CDATA", "<a>x&lt;<!-- c -->y<![CDATA[<z>]]>w<b/>v</a>"],
    ["non-ASCII text and attributes", "<a b=\"Zoë &amp; 日本\" c='é'>Łukasz &#xE9;<d>ø</d>ß</a>"],
    ["a byte-order mark", "\uFEFF<?xml version='1.0'?><a>x</a>"],
    ["U+FFFE", "<a>x\uFFFEy</a>"],
    ["U+FFFF", "<a>x\uFFFF</a>"],
    ["an & in a comment", "<a><!-- fish & chips -->x</a>"],
    ["an & in CDATA", "<a><![CDATA[fish & chips]]></a>"],
    ["an attribute that is a prefix of another", '<a bc="1" b="2" bcd="3"/>'],
    ["a close tag longer than its open tag", "<a:b></a:bc>"],
    ["a close tag shorter than its open tag", "<a:bc></a:b>"],
    ["a close tag with space", "<a:b>x</a:b \n>"],
    ["a < in an attribute after another", '<a b="1" c="x<y"/>'],
  ])("on %s, gives up or agrees with saxes, on text and on UTF-8 bytes", (_what, xml) => {
    const oracle = parsed(xml);
    // Where the scanner may give up on a document saxes accepts: saxes then reads it.
    const leftToSaxes = [
      "<ä>x</ä>",
      "<a>x\r\ny</a>",
      '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
      "<a><?pi x?></a>",
      "<a><!-- fish & chips -->x</a>",
      "<a><![CDATA[fish & chips]]></a>",
    ];
    for (const mine of [scanned(xml), scannedBytes(xml)]) {
      if (mine !== null) expect(mine).toEqual(oracle);
      else if (!(oracle instanceof Error)) expect(leftToSaxes).toContain(xml);
    }
  });

  test.each([
    ["an element with content", "<r>a<s x='1'>b<t>c</t><s>d</s>e</s>f<u/>g</r>"],
    ["an empty element", "<r>a<s/>b<s></s>c</r>"],
    ["a comment and CDATA in it", "<r>a<s><!-- c --><![CDATA[<d>]]></s>e<![CDATA[f]]></r>"],
  ])("skips what is inside %s the handler asks to skip, and its close, as saxes read it", (_what, xml) => {
    expect(scanned(xml, undefined, "s")).toEqual(parsed(xml, "s"));
    const bytes = Buffer.from(xml);
    expect(scanned(bytes.toString("latin1"), bytes, "s")).toEqual(parsed(xml, "s"));
  });

  test("still refuses what is not well-formed inside a skipped element", () => {
    for (const xml of [
      "<r><s><t></s></t></r>",
      "<r><s>&nbsp;</s></r>",
      "<r><s a='1' a='2'/></r>",
      "<r><s>\u0001</s></r>",
    ]) {
      expect(scanned(xml, undefined, "s")).toBeNull();
    }
  });

  test("gives up on bytes that are not UTF-8, which saxes reads as U+FFFD", () => {
    const bytes = Buffer.from([...Buffer.from("<a>x"), 0xff, 0xfe, ...Buffer.from("</a>")]);
    expect(scanned(bytes.toString("latin1"), bytes)).toBeNull();
  });

  test("SummaryExtractor.extract() gives what saxes alone gives, records or refusal, on every summary and bad file", () => {
    const bad = files(new URL("./testdata/bad/", import.meta.url));
    const outcome = (run: () => unknown) => {
      try {
        return run();
      } catch (error) {
        return `${(error as Error).name}`;
      }
    };
    const extractor = new SummaryExtractor({ links: true });
    for (const xml of [...fixtures, ...generated, ...bad]) {
      const orcid = /<common:path>(\d{4}-\d{4}-\d{4}-\d{3}[\dX])</.exec(xml)?.[1] ?? "0000-0002-1825-0097";
      const fast = outcome(() => extractor.extract(orcid, xml));
      const fastBytes = outcome(() => extractor.extractBytes(orcid, Buffer.from(xml)));
      const slow = outcome(() => {
        extractor.begin(orcid);
        extractor.write(xml);
        return extractor.end();
      });
      expect(fast).toEqual(slow);
      expect(fastBytes).toEqual(slow);
    }
  });
});
