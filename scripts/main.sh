#!/usr/bin/env bash
# The README's main job: installs what is missing, builds in release and runs the kernel
# benchmarks (GEMM and the conv2d workloads of the kernel contract). When `quarry compare`
# lands, this runs the strategy comparison on the bundled NEON tree-crown images instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift package --allow-writing-to-package-directory benchmark "$@"
