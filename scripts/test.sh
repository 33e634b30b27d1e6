#!/usr/bin/env bash
# The README's test command: installs what is missing, builds in release (numeric tests are
# 10–100× slower in debug) and runs the whole suite. Exits non-zero on any failure.
# The build has the MPI trait, so the suite includes the tests that start real `mpirun` jobs
# (Tests/CLITests/MPITests.swift; without the trait they are skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
bash scripts/check-imports.sh
bash scripts/check-doc-comments.sh
# With QUARRY_TARGET_CPU set (see Package.swift), the suite runs against the native kernel build
# that the benchmarks use, in its own build folder.
scratch=()
[ -z "${QUARRY_TARGET_CPU:-}" ] || scratch=(--scratch-path .build-native)
swift build "${scratch[@]}" -c release -Xswiftc -enable-testing --build-tests --traits MPI
swift test "${scratch[@]}" -c release -Xswiftc -enable-testing --skip-build --traits MPI "$@"
