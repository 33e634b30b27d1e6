#!/usr/bin/env bash
# The README's main job: installs what is missing, builds the `quarry` command in release and
# runs a sampling-strategy comparison on the bundled NEON tree-crown images.
#
# By default a quick start: one seed, 600 iterations, learning curves every 100 iterations
# (about 6 minutes with the build on 2 cores). That is too short for verdicts, and its report says so in its
# first lines. `--full` runs `quarry compare`'s own defaults instead, which are sized for
# verdicts: 8 seeds × 2,000 iterations, evaluated every 200 (about 2 hours on 2 cores).
# `--recipe` runs the best thirty-minute recipe found and its ablation instead (README, "Thirty
# minutes"; out/recipe). Either way two runs train at once on a machine with two or more cores (--jobs 2).
# Further arguments go to `quarry compare` after these and win over them (e.g. --seeds 0,1,2
# --strategies random,focal); see docs/statistics.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# The kernels are built for this machine's CPU (QUARRY_TARGET_CPU, as scripts/bench.sh does; the
# loss kernels run 3–5× faster with AVX-512 and FMA) into .build-native, unless QUARRY_PORTABLE=1
# or clang cannot name the CPU; then the portable build in .build runs.
build=.build
if [ -z "${QUARRY_PORTABLE:-}" ] && cpu=$(bash scripts/native-cpu.sh 2>/dev/null); then
    export QUARRY_TARGET_CPU="$cpu"
    build=.build-native
fi
swift build -c release --product quarry --scratch-path "$build"
quick=(--seeds 0 --iterations 600 --eval-every 100)
if [ "${1:-}" = "--full" ]; then
    shift
    quick=()
elif [ "${1:-}" = "--recipe" ]; then
    # The best thirty-minute recipe found for issue 15 (README, "Thirty minutes on two cores"):
    # iou-balanced, 10,000 iterations, flip, colour, mild scale jitter and copy-paste, beside the
    # same without the three added augmentations, 3 paired seeds (about 75 minutes on 2 cores:
    # each run under 30). No `random` entry, so the report's mined negatives have no scores.
    shift
    quick=(--strategies iou-balanced --augment 'flip, color, scale-jitter(0.8-1.25), copy-paste; flip'
           --iterations 10000 --seeds 0,1,2 --output out/recipe)
fi
# Two runs at a time, one OpenBLAS thread each, on a machine with two or more cores: about 1.5×
# sooner than one run with two threads (docs/benchmarks.md, "Whole comparisons").
jobs=(--jobs 1 --threads 1)
[ "$(nproc)" -ge 2 ] && jobs=(--jobs 2 --threads 2)
"$build/release/quarry" compare --dataset neon-trees --output out/compare "${jobs[@]}" "${quick[@]}" "$@"
