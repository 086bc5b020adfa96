/** The orcid-pack command line. */
import { availableParallelism } from "node:os";
import { packageVersion, runMain } from "@orcid-sync/core";
import { type PackArgs, runPack } from "./run_pack.ts";

await runMain<PackArgs>({
  name: "orcid-pack",
  version: packageVersion(import.meta.url),
  usage:
    "$0 [-o FILE] [--from DIR] [options]\n\nWrite object records read from stdin, or the files of a mirror folder, into a .tar.gz in the layout of ORCID's public data file: summaries/<last3>/<iD>.xml, activities/<last3>/<iD>/<type>/<file>.xml.",
  examples: [
    [
      "orcid-list --since 7d -s | orcid-fetch | orcid-pack -o week.tar.gz",
      "1. a week of summaries, never touching the disk in between",
    ],
    [
      "orcid-pack --from ./ORCID_public_data_files/summaries --reference-name",
      "2. the reference's -t archive of a mirror (ORCID-API-3.0_xml_<month>_<year>.tar.gz)",
    ],
    ["orcid-pack --from ./data/activities -o activities.tar.gz --split 4", "3. four archives by <last3> range"],
    ["orcid-pack --from ./data/summaries | tar -tzf - | head", "4. to stdout"],
  ],
  epilog:
    "The archive is gzip-compressed on every core (independent gzip members; gzip, GNU tar and zlib read them as one file) and written to a temp file that is renamed into place when complete, or to stdout. From a folder, entries come in byte order of their names, each with its file's mtime (orcid-place sets it to the object's LastModified), uid/gid 0, mode 0644, no owner names, and the gzip headers carry no time: the same mirror packs to the same bytes. With -o FILE, records other than objects pass through to stdout.",
  options: (argv) =>
    argv
      .option("output", { alias: "o", type: "string", describe: "The archive to write (default: stdout)" })
      .option("from", {
        type: "string",
        describe: "Pack the files of this mirror folder (the root, or its summaries or activities folder)",
      })
      .option("split", { type: "number", describe: "Write N archives by <last3> range: FILE_1.tar.gz … FILE_N.tar.gz" })
      .option("reference-name", {
        type: "boolean",
        describe: "Name the archive as the reference does, in the current folder (needs --from)",
      })
      .option("threads", {
        alias: "j",
        type: "number",
        default: availableParallelism(),
        describe: "Blocks compressed at once",
      })
      .option("level", { type: "number", default: 6, describe: "gzip level, 1 (fast) to 9 (small)" }) as never,
  main: runPack,
});
