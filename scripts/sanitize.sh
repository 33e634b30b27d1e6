#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and the threaded kernels' suites under
# ThreadSanitizer, each in its own build folder (.build-asan, .build-tsan), in release with
# testing enabled as scripts/test.sh does. Exits non-zero on any failure or sanitizer report.
#
#   bash scripts/sanitize.sh                 # both
#   bash scripts/sanitize.sh address         # or: thread
#   bash scripts/sanitize.sh thread --filter LoopWorkers    # extra arguments go to swift test
#
# AddressSanitizer: the whole suite (including the quarry executable the CLI tests start, built
# with ASan too). LeakSanitizer stays off (`detect_leaks=0`): on Linux it reports the Swift
# runtime's and Foundation's process-lifetime allocations. ThreadSanitizer: the suites that run
# threads of Quarry's own (LoopWorkers and the split loss loops, the convolution ScratchPool,
# the kernels and layers that use them, training steps, `compare --jobs`'s ConcurrentRuns, and the work queue's two threads on rank 0);
# the whole suite under TSan takes too long on 2 cores. OpenBLAS runs its own uninstrumented
# threads; it is pinned to one thread here so that TSan watches Quarry's threads only. Not part
# of CI (docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
bash scripts/check-imports.sh >/dev/null

modes=()
while [ $# -gt 0 ] && [[ "$1" == address || "$1" == thread ]]; do modes+=("$1"); shift; done
[ ${#modes[@]} -gt 0 ] || modes=(address thread)
extra=("$@")

# The suites that exercise Quarry's threads (names as in `swift test --filter`).
thread_suites='KernelsTests|NNTests|AutogradTests|TensorCoreTests|SyntheticTrainingTests|TrainerTests|ConcurrentRunsTests|CollectivesTests'

for mode in "${modes[@]}"; do
    case $mode in
        address) scratch=.build-asan; filter=() ;;
        thread) scratch=.build-tsan; filter=(--filter "$thread_suites") ;;
    esac
    echo "sanitize: building with --sanitize=$mode in $scratch" >&2
    swift build --scratch-path "$scratch" -c release -Xswiftc -enable-testing --build-tests --sanitize="$mode"
    echo "sanitize: running ${filter[*]:-the whole suite} under $mode" >&2
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0 second_deadlock_stack=1} \
    OPENBLAS_NUM_THREADS=$([ "$mode" = thread ] && echo 1 || echo "${OPENBLAS_NUM_THREADS:-2}") \
        swift test --scratch-path "$scratch" -c release -Xswiftc -enable-testing --skip-build --sanitize="$mode" \
        "${filter[@]}" "${extra[@]}"
    echo "sanitize: $mode passed" >&2
done
