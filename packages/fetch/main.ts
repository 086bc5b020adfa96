/** The orcid-fetch command line. */
import { DEFAULT_ATTEMPTS, packageVersion, runMain, YOUNG_GENERATION_MIB, withAwsOptions } from "@orcid-sync/core";
import { type FetchArgs, runFetch } from "./run_fetch.ts";

await runMain<FetchArgs>({
  name: "orcid-fetch",
  version: packageVersion(import.meta.url),
  youngGenerationMiB: YOUNG_GENERATION_MIB,
  usage:
    "$0 [options] [file ...]\n\nDownload the objects of the key records read from stdin (or files; - is stdin) and emit, in input order, an object record for each (body as UTF-8 text, or base64), a missing record for a 404, an unchanged record for a skipped or 304 object, and an error record for a failure. Every other record passes through.",
  examples: [
    ["orcid-list --since 30d -s | orcid-fetch -j 32 | orcid-place ./data", "1. a sync"],
    [
      "orcid-list --all -s | orcid-fetch --skip-unchanged ./data | orcid-place ./data",
      "2. a re-download that gets only what changed",
    ],
    ["orcid-list --ids ids.txt -s | orcid-fetch | jq -r 'select(.type==\"object\") | .body'", "3. summaries to stdout"],
    [
      "orcid-list --since 30d -s -a | orcid-fetch -j 64 --into ./ORCID_public_data_files",
      "4. a sync that files in the same process (as | orcid-place ./ORCID_public_data_files, faster)",
    ],
    [
      "orcid-list --since 2d -s -a --shard 2/8 | orcid-fetch --into ./data --shard 2/8 --wait-lock 3600",
      "5. one shard of a mirror that other shards write at the same time",
    ],
  ],
  epilog:
    "Each object is one GET, retried with backoff on 5xx, SlowDown, resets and timeouts, and checked: its length against Content-Length, a single-part object's MD5 against its ETag (an object encrypted with SSE-KMS or SSE-C, whose ETag is not an MD5, by length only; the closing summary counts them). A 404 is normal (unclaimed records have no objects) and does not change the exit status. With --skip-unchanged DIR, a key whose listing gives the size and LastModified of its file in DIR is not requested, nor one whose listing gives its size and, as a single-part ETag, its MD5 (a mirror seeded by orcid-unpack; the unchanged record then carries the LastModified, which orcid-place, holding the mirror lock, sets as the file's mtime), and a key without listing data is requested with If-None-Match (the file's MD5). Bad credentials or 403 stop the run (exit 3). Exit 1 when any item failed, here or upstream. With --into DIR, orcid-fetch does what `| orcid-place DIR` would, in the same process: it files each object (bodies written as they came, never decoded), applies manifests and error documents, holds the mirror's lock (--shard, --wait-lock, --break-lock as orcid-place), and emits orcid-place's records (placed, error, the rest passed through); a full disk or a mirror it may not write stops the run (exit 3). --dry-run still downloads, but changes nothing and takes no lock.",
  options: (argv) =>
    withAwsOptions(argv)
      .command("$0 [inputs..]", false, (y) =>
        y.positional("inputs", {
          type: "string",
          array: true,
          describe: "NDJSON files to read instead of stdin (- is stdin)",
        }),
      )
      .option("concurrency", {
        alias: "j",
        type: "number",
        default: 64,
        describe: "GETs at once (and connections kept open)",
      })
      .option("max-bytes-in-flight", {
        type: "string",
        default: "16M",
        describe: "Bodies held in memory at once (K, M, G)",
      })
      .option("skip-unchanged", {
        type: "string",
        describe: "The mirror folder: do not download what it already holds",
      })
      .option("retries", {
        type: "number",
        default: DEFAULT_ATTEMPTS - 1,
        describe: "Retries per object after the first attempt",
      })
      .option("timeout", {
        type: "string",
        default: "60s",
        describe: "Time to wait for headers or the next bytes of a body",
      })
      .option("into", {
        type: "string",
        describe:
          "The mirror folder: file each object into it in this process, as orcid-place <dir> would, and emit its records (implies --skip-unchanged <dir>)",
      })
      .option("shard", {
        type: "string",
        describe:
          "With --into: lock and change only the folders of shard K of N (K/N, as orcid-list --shard); other iDs get an error record",
      })
      .option("wait-lock", {
        type: "number",
        default: 0,
        describe:
          "With --into: wait up to this many seconds for another run holding the mirror (default: exit 3 at once)",
      })
      .option("break-lock", {
        type: "boolean",
        default: false,
        describe:
          "With --into: take over a mirror lock whose holder cannot be checked (another host's): only when you know that run is over",
      })
      .option("checkpoints", {
        type: "string",
        describe:
          "With --into: record the resume checkpoints of a full download in this journal, as | orcid-state checkpoints record --checkpoints-file FILE would (a folder with an error is not marked done)",
      })
      .option("dry-run", {
        type: "boolean",
        default: false,
        describe: "With --into: download, but report what would be written and deleted; change nothing",
      }) as never,
  main: runFetch,
});
