#!/usr/bin/env bash
# Enforces the dependency direction that SwiftPM cannot fully block: only Kernels/BLAS.swift
# (and BLASCoreCheck.swift) import the BLAS/LAPACK shim and only BLASCoreCheck.swift the CPU shim, and only the Datasets module imports the image codecs.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=$(grep -rln "^import CShims" Sources Tests Benchmarks | grep -v -e "^Sources/Kernels/BLAS.swift$" -e "^Sources/Kernels/BLASCoreCheck.swift$" || true)
[ -z "$bad" ] || { echo "check-imports: CShims imported outside Sources/Kernels/BLAS{,CoreCheck}.swift: $bad" >&2; exit 1; }
bad=$(grep -rln "^import CCPU" Sources Tests Benchmarks | grep -v "^Sources/Kernels/BLASCoreCheck.swift$" || true)
[ -z "$bad" ] || { echo "check-imports: CCPU imported outside Sources/Kernels/BLASCoreCheck.swift: $bad" >&2; exit 1; }
bad=$(grep -rln "^import CImageCodecs" Sources Tests Benchmarks | grep -v "^Sources/Datasets/" || true)
[ -z "$bad" ] || { echo "check-imports: CImageCodecs imported outside Sources/Datasets: $bad" >&2; exit 1; }
echo "check-imports: dependency direction holds"
