#!/usr/bin/env bash
# The kernel benchmarks of DESIGN.md's contract (ordo-one/benchmark). Extra arguments go to the
# benchmark plugin, e.g. `bash scripts/bench.sh --filter "K9.*"`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift package --allow-writing-to-package-directory benchmark "$@"
