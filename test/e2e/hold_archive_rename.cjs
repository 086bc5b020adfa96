// Preloaded (NODE_OPTIONS=--require) by the fault suite's "mid-pack" kill. In orcid-pack, the rename
// of a finished archive into place never happens, so the kill lands while the archive's temp file is
// there however fast the pack is; other processes of the run are left alone.
const fs = require("node:fs");
const { syncBuiltinESMExports } = require("node:module");

if (process.argv.slice(1, 2).some((script) => /orcid-pack/.test(script ?? ""))) {
  const rename = fs.promises.rename;
  fs.promises.rename = (from, to) => {
    if (!String(to).endsWith(".tar.gz")) return rename(from, to);
    setInterval(() => {}, 60_000); // keeps the held process alive until the kill
    return new Promise(() => {});
  };
  syncBuiltinESMExports();
}
