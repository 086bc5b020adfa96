/** The orcid-pack command line. */
import { FatalError, packageVersion, runMain } from "@orcid-sync/core";

await runMain({
  name: "orcid-pack",
  version: packageVersion(import.meta.url),
  usage: "$0 [options]\n\nWrite object records (or a mirror folder) into .tar.gz archives in the layout of ORCID's public data file.",
  options: (argv) => argv,
  main: async () => {
    throw new FatalError("orcid-pack is not implemented yet");
  },
});
