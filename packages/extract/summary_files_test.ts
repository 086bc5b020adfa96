import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { summaryFileInputs } from "./summary_files.ts";

const scratch = mkdtempSync(join(tmpdir(), "orcid-extract-files-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function mirror(files: readonly string[]): string {
  const root = mkdtempSync(join(scratch, "m-"));
  for (const file of files) {
    mkdirSync(join(root, file, ".."), { recursive: true });
    writeFileSync(join(root, file), "<record/>");
  }
  return root;
}

describe("summaryFileInputs()", () => {
  const files = [
    "summaries/31X/0000-0002-7869-831X.xml",
    "summaries/097/0000-0002-1825-0097.xml",
    "summaries/097/.0000-0002-1825-0097.xml.orcid-sync-tmp.host.1.1",
    "summaries/330/0000-0003-3333-3330.xml",
    "summaries/44X/0000-0003-4444-444X.xml",
    "activities/097/0000-0002-1825-0097/works/0000-0002-1825-0097_works_1.xml",
  ];

  test("lists a mirror's summaries in byte order of their keys, in batches, skipping temp files and activities", () => {
    const root = mirror(files);
    const inputs = [...summaryFileInputs(root, { batch: 2 })];
    expect(inputs.map((input) => ("tasks" in input ? input.tasks.map((t) => t.key) : input.pass.type))).toEqual([
      ["097/0000-0002-1825-0097.xml", "31X/0000-0002-7869-831X.xml"],
      ["330/0000-0003-3333-3330.xml", "44X/0000-0003-4444-444X.xml"],
    ]);
    const first = inputs[0]!;
    expect("tasks" in first && first.tasks[0]).toEqual({
      orcid: "0000-0002-1825-0097",
      key: "097/0000-0002-1825-0097.xml",
      path: join(root, "summaries/097/0000-0002-1825-0097.xml"),
    });
    // The summaries folder itself gives the same.
    expect([...summaryFileInputs(join(root, "summaries"), { batch: 2 })]).toEqual(inputs);
  });

  test("a file whose name is not a summary key becomes an error record, in its place", () => {
    const root = mirror([
      "summaries/097/0000-0002-1825-0097.xml",
      "summaries/097/notes.txt",
      "summaries/330/0000-0003-3333-3330.xml",
    ]);
    const inputs = [...summaryFileInputs(root)];
    expect(
      inputs.map((input) =>
        "tasks" in input ? input.tasks.map((t) => t.key) : [input.pass.type, (input.pass as { code?: string }).code],
      ),
    ).toEqual([["097/0000-0002-1825-0097.xml"], ["error", "InvalidKey"], ["330/0000-0003-3333-3330.xml"]]);
  });

  test("a <last3> folder or a summary file that is a symlink becomes an UnsafePath error record and is not read", () => {
    const outside = mirror(["summaries/555/0000-0001-5555-5555.xml", "elsewhere.xml"]);
    const root = mirror(["summaries/097/0000-0002-1825-0097.xml", "summaries/330/0000-0003-3333-3330.xml"]);
    symlinkSync(join(outside, "summaries/555"), join(root, "summaries/555"));
    symlinkSync(join(outside, "elsewhere.xml"), join(root, "summaries/330/0000-0001-5000-0007.xml"));
    const inputs = [...summaryFileInputs(root)];
    expect(
      inputs.map((input) =>
        "tasks" in input
          ? input.tasks.map((t) => t.key)
          : [input.pass.type, (input.pass as { code?: string }).code, (input.pass as { key?: string }).key],
      ),
    ).toEqual([
      ["097/0000-0002-1825-0097.xml"],
      ["error", "UnsafePath", "330/0000-0001-5000-0007.xml"],
      ["330/0000-0003-3333-3330.xml"],
      ["error", "UnsafePath", "555/"],
    ]);
    const refused = inputs.find((input) => "pass" in input)!;
    expect("pass" in refused && (refused.pass as { message: string }).message).toMatch(/is a symlink/);
  });
});
