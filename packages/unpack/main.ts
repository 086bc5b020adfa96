/** The orcid-unpack command line. */
import { DEFAULT_LAYOUT, packageVersion, runMain } from "@orcid-sync/core";
import { runUnpack, type UnpackArgs } from "./run_unpack.ts";

await runMain<UnpackArgs>({
  name: "orcid-unpack",
  version: packageVersion(import.meta.url),
  usage:
    "$0 [options] [archive ...]\n\nRead .tar.gz or .tar archives (ORCID's yearly public data files, or orcid-pack's; - or none is stdin) and emit an object record for each member, as orcid-fetch would for its key: the body as UTF-8 text (or base64), etag its MD5, size, lastModified the member's mtime. Members that are not ORCID keys become error records; folders are skipped.",
  examples: [
    [
      "orcid-unpack ORCID_2025_10_summaries.tar.gz | orcid-place ./ORCID_public_data_files",
      "1. seed a mirror from the yearly summaries file",
    ],
    [
      "orcid-unpack ORCID_2025_10_activities_*.tar.gz | orcid-place ./ORCID_public_data_files",
      "2. the eleven activities archives, one after another",
    ],
    [
      "curl -s https://…/ORCID_2025_10_summaries.tar.gz | orcid-unpack - --shard 2/4 | orcid-place ./data",
      "3. the second of four hosts, as the file downloads",
    ],
    [
      "orcid-unpack week.tar.gz --ids ids.txt | jq -r 'select(.type==\"object\") | .body'",
      "4. a few records of an archive",
    ],
  ],
  epilog:
    "gzip is told by the file's first bytes, not its name. Members are matched by the end of their names — <last3>/<iD>.xml or <last3>/<iD>/<type>/<iD>_<type>_<put-code>.xml — under any folders (ORCID_2025_10_summaries/, ORCID_2025_10_activities_7/, summaries/ …), and given the bucket orcid-list would list them from. One member is held at a time (at most 256 MiB; a larger one is an error record, TooLarge), so memory does not grow with the archive. The summary on stderr ends with the newest member mtime (with several archives, the oldest of their newest): the cutoff for the first sync after seeding (README: why, and what overlap to add). A truncated or corrupt archive: the records before the damage, then exit 3 naming the member and offset. Exit 1 when any member was not an ORCID key or was too large.",
  options: (argv) =>
    argv
      .command("$0 [inputs..]", false, (y) =>
        y.positional("inputs", {
          type: "string",
          array: true,
          describe: "Archives to read in turn (- is stdin; default stdin)",
        }),
      )
      .option("only", {
        type: "string",
        choices: ["summaries", "activities"],
        describe: "Emit summaries or activities alone",
      })
      .option("ids", {
        type: "string",
        nargs: 1,
        describe: "Emit these iDs alone: a file of iDs, one a line (- for stdin)",
      })
      .option("shard", {
        type: "string",
        describe: "Only folders of shard K of N (K/N), the partition orcid-list --shard uses",
      })
      .option("summaries-bucket", {
        type: "string",
        default: DEFAULT_LAYOUT.summaries,
        describe: "Bucket of the summaries (the reference's -x)",
      })
      .option("activities-bucket-base", {
        type: "string",
        default: DEFAULT_LAYOUT.activitiesBase,
        describe: "Base of the -a/-b/-c activities buckets (the reference's -y)",
      })
      .option("activities-bucket", {
        type: "string",
        describe: "One unsplit activities bucket (the v2.0 generation)",
      }) as never,
  main: runUnpack,
});
