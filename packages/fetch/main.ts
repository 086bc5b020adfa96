/** The orcid-fetch command line. */
import { FatalError, packageVersion, runMain } from "@orcid-sync/core";

await runMain({
  name: "orcid-fetch",
  version: packageVersion(import.meta.url),
  usage: "$0 [options] [file ...]\n\nDownload the objects of key records read from stdin (or files) and emit object records.",
  options: (argv) => argv,
  main: async () => {
    throw new FatalError("orcid-fetch is not implemented yet");
  },
});
