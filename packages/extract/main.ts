/** The orcid-extract command line. */
import { availableParallelism } from "node:os";
import { packageVersion, runMain } from "@orcid-sync/core";
import { type ExtractArgs, runExtract } from "./run_extract.ts";

await runMain<ExtractArgs>({
  name: "orcid-extract",
  version: packageVersion(import.meta.url),
  usage:
    "$0 [--links] [--mirror DIR | --from DIR] [options] [file ...]\n\nTurn ORCID record summaries (XML) into compact NDJSON records: for each iD a person record (or gone, for a deprecated, locked or deactivated record) followed by its works, affiliations and fundings — or, with --links, by one link record per DOI its works name, with who asserted it.",
  examples: [
    [
      "orcid-list --since 1d -s | orcid-fetch | orcid-extract > records.ndjson",
      "1. the records of the summaries changed today, straight from S3",
    ],
    [
      "orcid-list --since 1d -s | orcid-fetch | orcid-place ./m | orcid-extract --mirror ./m --links",
      "2. the DOI links of what a sync wrote",
    ],
    [
      "orcid-extract --from ./ORCID_public_data_files --links | jq -r 'select(.type==\"link\") | [.doi,.orcid,.class] | @tsv'",
      "3. every DOI link of a mirror as TSV",
    ],
    [
      "orcid-extract --from ./data -j 8 | jq -c 'select(.type==\"gone\")'",
      "4. the records that are gone, on 8 threads",
    ],
  ],
  epilog:
    "Reads object records (from orcid-fetch or orcid-unpack) and extracts those of summaries; with --mirror, placed records of summaries written into DIR are extracted from the files (a folder of DIR that is a symlink is refused with an error record, UnsafePath, never read); --from DIR reads every summary of a mirror instead of stdin (a <last3> folder or file that is a symlink gives an UnsafePath error record, never read). Each iD's records come together, opened by its person or gone record (a consumer replaces what it holds for the iD with what follows); every other record (activity objects, checkpoints, errors) passes through, and the input's order is kept, on any number of threads. A summary that is not well-formed, is cut short or is of another iD than its key gives an error record (exit 1) and the run goes on.\n\nclass (with --links) says who asserted a link: self (the researcher), other-person (another iD), self-via-member (a member tool acting for the researcher: search-and-link), crossref (0000-0001-9884-1913), datacite (0000-0001-8099-6984), member (any other client). Works added by older search-and-link tools carry no assertion origin and read as member.",
  options: (argv) =>
    argv
      .option("links", {
        type: "boolean",
        default: false,
        describe: "Emit link records (one per work and DOI) instead of work, affiliation and funding records",
      })
      .option("mirror", {
        type: "string",
        describe: "Extract the summaries that placed records say were written into this mirror folder",
      })
      .option("unchanged", {
        type: "boolean",
        default: false,
        describe:
          "With --mirror, also extract the summaries placed records say were left unchanged (so a rerun reloads what a failed run placed)",
      })
      .option("from", {
        type: "string",
        describe: "Extract every summary of this mirror folder (or its summaries/ folder) instead of reading stdin",
      })
      .option("clients", {
        type: "string",
        describe:
          "A CSV file of 'id,label' rows: the class of links asserted by those clients (added to crossref, datacite)",
      })
      .option("threads", {
        alias: "j",
        type: "number",
        default: availableParallelism(),
        describe: "Worker threads parsing summaries",
      }) as never,
  main: runExtract,
});
