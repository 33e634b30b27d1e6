#!/usr/bin/env bash
# The README's test command: installs what is missing, builds in release (numeric tests are
# 10–100× slower in debug) and runs the whole suite. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
bash scripts/check-imports.sh
bash scripts/check-doc-comments.sh
swift build -c release -Xswiftc -enable-testing --build-tests
swift test -c release -Xswiftc -enable-testing --skip-build "$@"
