#!/usr/bin/env bash
# The README's main job: installs what is missing, builds the `quarry` command in release and
# runs a sampling-strategy comparison on the bundled NEON tree-crown images.
#
# By default a quick start: one seed, 600 iterations, learning curves every 100 iterations
# (about 5 minutes on 2 cores). That is too short for verdicts, and its report says so in its
# first lines. `--full` runs `quarry compare`'s own defaults instead, which are sized for
# verdicts: 8 seeds × 2,000 iterations, evaluated every 200 (about 2 hours on 2 cores).
# Further arguments go to `quarry compare` after these and win over them (e.g. --seeds 0,1,2
# --strategies random,focal); see docs/statistics.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build -c release --product quarry
quick=(--seeds 0 --iterations 600 --eval-every 100)
if [ "${1:-}" = "--full" ]; then
    shift
    quick=()
fi
.build/release/quarry compare --dataset neon-trees --output out/compare "${quick[@]}" "$@"
