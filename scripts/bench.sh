#!/usr/bin/env bash
# The kernel benchmarks of DESIGN.md's contract (ordo-one/benchmark). Extra arguments go to the
# benchmark plugin, e.g. `bash scripts/bench.sh --filter "K9.*"`.
#
# By default the Kernels module is built for this machine's CPU (QUARRY_TARGET_CPU, see
# Package.swift; into .build-native so the portable build in .build stays as it is), which is how
# the contract's figures in docs/benchmarks.md were taken. QUARRY_PORTABLE=1 measures the
# portable build that a package depending on Quarry gets.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
scratch=()
if [ -z "${QUARRY_PORTABLE:-}" ]; then
    QUARRY_TARGET_CPU="${QUARRY_TARGET_CPU:-$(bash scripts/native-cpu.sh)}"
    export QUARRY_TARGET_CPU
    scratch=(--scratch-path .build-native)
    echo "bench: Kernels built for $QUARRY_TARGET_CPU (QUARRY_PORTABLE=1 for the portable build)" >&2
fi
swift package "${scratch[@]}" --allow-writing-to-package-directory benchmark "$@"
