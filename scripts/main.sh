#!/usr/bin/env bash
# The README's main job: installs what is missing, builds the `quarry` command in release and
# runs a sampling-strategy comparison on the bundled NEON tree-crown images. Extra arguments go
# to `quarry compare` (e.g. --iterations 600 --seeds 0,1,2 --strategies random,focal).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build -c release --product quarry
.build/release/quarry compare --dataset neon-trees --output out/compare "$@"
