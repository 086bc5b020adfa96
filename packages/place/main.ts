/** The orcid-place command line. */
import { FatalError, packageVersion, runMain } from "@orcid-sync/core";

await runMain({
  name: "orcid-place",
  version: packageVersion(import.meta.url),
  usage: "$0 [options] <dir>\n\nFile object records under a mirror folder by the iD's checksum folder, atomically, and emit placed records.",
  options: (argv) => argv,
  main: async () => {
    throw new FatalError("orcid-place is not implemented yet");
  },
});
