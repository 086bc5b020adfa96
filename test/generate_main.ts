/**
 * The generator's command line: seed the local server's data folder with day N of a synthetic
 * registry and/or write the mirror a correct sync must produce.
 *
 *   node test/dist/generate_main.js --records 5000 --seed 1 --now 2026-11-20T00:00:00Z --day 1 \
 *     --store /tmp/s3-data --mirror /tmp/expected
 */
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { buildDay, expectedMirror, seedStore } from "./generator/dataset_files.ts";
import { writeTree } from "./generator/store.ts";

const USAGE = `usage: generate_main.js [--records N] [--seed S] [--now ISO] [--day N] [--noise] [--no-golden]
                        [--store DIR] [--mirror DIR] [--changed] [--variety]
  --records N   records on day 1 (default 5000)
  --seed S      seed (default 1)
  --now ISO     day 1's "now" (default 2026-11-20T00:00:00Z); day N is N-1 days later
  --day N       which day to build (default 1)
  --noise       add malformed rows and invalid iDs to the lambda file
  --no-golden   leave out the hand-written golden objects
  --store DIR   make the local S3 server's data folder DIR hold that day's buckets
  --mirror DIR  write the mirror a correct sync produces into DIR (emptied first)
  --changed     print the iDs changed on that day, one a line
  --variety     every source kind, DOI form and disambiguation source, shared DOIs, tricky names
                (what orcid-extract's tests and bench use)`;

const { values } = parseArgs({
  options: {
    records: { type: "string", default: "5000" },
    seed: { type: "string", default: "1" },
    now: { type: "string", default: "2026-11-20T00:00:00Z" },
    day: { type: "string", default: "1" },
    noise: { type: "boolean", default: false },
    "no-golden": { type: "boolean", default: false },
    store: { type: "string" },
    mirror: { type: "string" },
    changed: { type: "boolean", default: false },
    variety: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const started = performance.now();
const { dataset, changed } = buildDay({
  records: Number(values.records),
  seed: Number(values.seed),
  now: new Date(values.now),
  day: Number(values.day),
  variety: values.variety,
});
const options = { noise: values.noise, golden: !values["no-golden"] };
if (values.store) {
  const result = await seedStore(values.store, dataset, options);
  process.stderr.write(
    `generate: store ${values.store}: ${result.written} written, ${result.deleted} deleted, ${result.unchanged} unchanged\n`,
  );
}
if (values.mirror) {
  rmSync(values.mirror, { recursive: true, force: true });
  const files = writeTree(values.mirror, expectedMirror(dataset, options));
  process.stderr.write(`generate: mirror ${values.mirror}: ${files} files\n`);
}
if (values.changed) process.stdout.write(changed.map((id) => `${id}\n`).join(""));
process.stderr.write(
  `generate: day ${dataset.day}, ${dataset.records.length} records in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);
