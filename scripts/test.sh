#!/usr/bin/env bash
# The project's whole test suite (`npm test`, and what .ci/run runs after `npm ci`): type-check,
# then the unit tests. Ends with one plain "N passed, N failed, N skipped" line.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p artifacts

echo "== type-check"
npx tsc --noEmit

echo "== unit tests (vitest)"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=artifacts/vitest.json || status=$?

node -e '
  const r = JSON.parse(require("fs").readFileSync("artifacts/vitest.json", "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
exit "$status"
