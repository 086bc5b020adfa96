/** The orcid-list command line. */
import { FatalError, packageVersion, runMain } from "@orcid-sync/core";

await runMain({
  name: "orcid-list",
  version: packageVersion(import.meta.url),
  usage: "$0 [options]\n\nEmit the keys to sync as NDJSON key records: changed records since a time, from ORCID's lambda file, or a full bucket listing.",
  options: (argv) => argv,
  main: async () => {
    throw new FatalError("orcid-list is not implemented yet");
  },
});
