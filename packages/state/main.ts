/** The orcid-state command line. */
import { FatalError, packageVersion, runMain } from "@orcid-sync/core";

await runMain({
  name: "orcid-state",
  version: packageVersion(import.meta.url),
  usage: "$0 <command> [options]\n\nRead and write the sync state: last_ran.config, the lock and resume checkpoints.",
  options: (argv) => argv,
  main: async () => {
    throw new FatalError("orcid-state is not implemented yet");
  },
});
