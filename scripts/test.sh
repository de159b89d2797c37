#!/usr/bin/env bash
# The project's whole test suite (`npm test`, and what .ci/run runs after `npm ci`): type-check,
# unit tests, the production build, then the browser tests in Debian's Chromium (installed with
# apt when missing and we are root). Ends with one plain "N passed, N failed, N skipped" line.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p artifacts

echo "== type-check"
npx tsc --noEmit

# The PyTorch export's truth test (tests/unit/exportPytorch.test.ts) needs python3 with torch; on CI
# as root it is installed from Debian like Chromium below, elsewhere the test says it skipped.
if [ "${CI:-}" = "true" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null \
  && ! python3 -c 'import torch' 2>/dev/null && ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "python3-torch is missing: installing Debian's python3-torch with apt-get ..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null) || echo "python3-torch could not be installed; its tests will skip."
fi

echo "== unit tests (vitest)"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=artifacts/vitest.json || status=$?

echo "== production build"
npx vite build --logLevel warn

echo "== browser tests (Chromium)"
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Chromium is missing: installing Debian's chromium with apt-get ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
browser_report=""
if [ -x "$chromium" ]; then
  npx vitest run -c vitest.browser.config.ts --reporter=default --reporter=json --outputFile.json=artifacts/vitest-browser.json || status=$?
  browser_report=artifacts/vitest-browser.json
elif [ "${CI:-}" = "true" ]; then
  echo "FAIL: no Chromium at $chromium and it could not be installed (CI=true makes this a failure)."
  status=1
else
  echo "SKIPPED: no Chromium at $chromium. Install it (as root: apt-get install -y chromium) or set CHROMIUM_PATH."
fi

node -e '
  const fs = require("fs");
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const file of process.argv.slice(1).filter(Boolean)) {
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    total.passed += r.numPassedTests;
    total.failed += r.numFailedTests;
    total.skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
' artifacts/vitest.json $browser_report || true
exit "$status"
