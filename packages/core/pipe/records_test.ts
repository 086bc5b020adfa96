import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, test } from "vitest";
import { InvalidRecordError, isKnownType, parseRecord } from "./records.ts";

const fixture = (name: string) =>
  readFileSync(new URL(`../testdata/protocol/${name}`, import.meta.url), "utf8")
    .trim()
    .split("\n");
const schema = JSON.parse(readFileSync(new URL("../schema/records.schema.json", import.meta.url), "utf8"));
const validateWithSchema = new Ajv2020({ strict: false }).compile(schema);

describe("parseRecord()", () => {
  test.each(fixture("valid.ndjson"))("accepts the golden line %s", (line) => {
    const value = JSON.parse(line);
    expect(parseRecord(value)).toEqual(value);
    expect(validateWithSchema(value), JSON.stringify(validateWithSchema.errors)).toBe(true);
  });

  test.each(fixture("invalid.ndjson"))("refuses the golden line %s, as the JSON Schema does", (line) => {
    const value = JSON.parse(line);
    expect(() => parseRecord(value)).toThrow(InvalidRecordError);
    expect(validateWithSchema(value)).toBe(false);
  });

  test("passes an unknown type through untouched, extra fields included", () => {
    const value = { type: "annotation", anything: [1, 2] };
    expect(parseRecord(value)).toBe(value);
    expect(isKnownType("annotation")).toBe(false);
  });

  test("names the missing field", () => {
    expect(() => parseRecord({ type: "checkpoint", bucket: "b" })).toThrow(
      "Invalid checkpoint record: missing 'folder'",
    );
  });

  test("the golden valid fixture covers every known type", () => {
    const types = new Set(fixture("valid.ndjson").map((line) => JSON.parse(line).type));
    for (const type of [
      "key",
      "manifest",
      "object",
      "missing",
      "unchanged",
      "placed",
      "error",
      "checkpoint",
      "lambda",
      "mismatch",
      "person",
      "work",
      "affiliation",
      "funding",
      "gone",
      "link",
    ]) {
      expect(types.has(type), type).toBe(true);
      expect(isKnownType(type)).toBe(true);
    }
  });
});
