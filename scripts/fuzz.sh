#!/usr/bin/env bash
# Builds the libFuzzer harnesses of FuzzTesting/ (one per file format Quarry reads) with
# `-sanitize=fuzzer,address` and runs each in turn for SECONDS (default 60), one at a time;
# inputs are at most 8 KiB (-max_len), the size of the seeds.
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET…]     e.g. bash scripts/fuzz.sh 600 FuzzPNG
#
# Each target's corpus lives in .build-fuzz/corpus/<target> (kept between runs, never
# committed); it starts from the seed files the script gathers from the bundled data and test
# fixtures plus FuzzTesting/Seeds/<target>. A crash, ASan report, timeout (10 s per input) or
# memory beyond the target's limit (2 GiB; 4 GiB for the image decoders) leaves its input in .build-fuzz/artifacts/ and fails the script; turn each
# into a regression test once fixed (a VOC input goes into Tests/Fixtures/fuzz/FuzzVOC/, which
# FuzzFindingsTests replays). Prints one summary line per target (executions,
# executions per second, corpus files and bytes, peak RSS), also written to
# .build-fuzz/summary.txt. Not part of CI (docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh >/dev/null

seconds=${1:-60}
[ $# -gt 0 ] && shift
all_targets=(FuzzVOC FuzzCOCO FuzzCSV FuzzPNG FuzzJPEG FuzzSafetensors FuzzConfiguration)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

scratch=$PWD/.build-fuzz
echo "fuzz: building ${targets[*]} (release, -sanitize=fuzzer,address) in $scratch" >&2
# SwiftPM keeps the build plan of a path dependency until the root manifest changes, so a source
# file added to Quarry would be missed: drop the plan (compiled objects stay).
rm -f "$scratch/release.yaml" "$scratch"/*/release/description.json
# -parse-as-library: the harnesses have no top-level code; libFuzzer supplies main().
# The C shim over libpng/libjpeg gets coverage and ASan too (the system libraries do not).
swift build --package-path FuzzTesting --scratch-path "$scratch" -c release \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
    -Xcc -fsanitize=fuzzer-no-link,address >&2
bin=$(swift build --package-path FuzzTesting --scratch-path "$scratch" -c release --show-bin-path)

# Seed corpora from the bundled data and the fixtures (small files only).
seeds=$scratch/seeds
rm -rf "$seeds"
mkdir -p "$seeds"/{FuzzVOC,FuzzCOCO,FuzzCSV,FuzzPNG,FuzzJPEG,FuzzSafetensors,FuzzConfiguration}
# The two small NEON files (the others are 90 and 190 KB: mutating them runs at a tenth of the speed).
cp Datasets/neon-trees/OSBS_029.xml Datasets/neon-trees/SOAP_061.xml "$seeds/FuzzVOC/"
cp Tests/Fixtures/coco_eval.json "$seeds/FuzzCOCO/"
cp Tests/Fixtures/images/*.png "$seeds/FuzzPNG/"
cp Tests/Fixtures/images/*.jpg "$seeds/FuzzJPEG/"
for target in "${all_targets[@]}"; do
    [ -d "FuzzTesting/Seeds/$target" ] && cp FuzzTesting/Seeds/"$target"/* "$seeds/$target/"
done
if command -v python3 >/dev/null; then
    # The parts of coco_eval.json as a ground-truth file and a result list of their own, and
    # OSBS_029.xml cut to its first two objects (a whole, small VOC file).
    python3 - "$seeds" <<'PY'
import json, re, sys
case = json.load(open("Tests/Fixtures/coco_eval.json"))
json.dump(case["ground_truth"], open(sys.argv[1] + "/FuzzCOCO/ground_truth.json", "w"))
json.dump(case["detections"], open(sys.argv[1] + "/FuzzCOCO/detections.json", "w"))
xml = open("Datasets/neon-trees/OSBS_029.xml").read()
objects = [m.end() for m in re.finditer(r"</object>", xml)]
open(sys.argv[1] + "/FuzzVOC/two_objects.xml", "w").write(xml[:objects[1]] + "\n</annotation>\n")
PY
fi

mkdir -p "$scratch/artifacts"
summary=$scratch/summary.txt
: > "$summary"
status=0
for target in "${targets[@]}"; do
    corpus=$scratch/corpus/$target
    log=$scratch/$target.log
    mkdir -p "$corpus"
    dict=()
    [ -f "FuzzTesting/Dictionaries/$target.dict" ] && dict=(-dict="FuzzTesting/Dictionaries/$target.dict")
    # An 8 KiB PNG may legitimately declare 67 million 1-bit pixels (deflate packs 1032:1 and a
    # 1-bit row 8 pixels a byte), under the 2^28-pixel limit: its 200 MB decode, which ASan's
    # allocator keeps resident after freeing, adds up past 2 GiB. The decoders get 4 GiB.
    limit=2048
    [[ $target == FuzzPNG || $target == FuzzJPEG ]] && limit=4096
    echo "fuzz: $target for $seconds s (log $log)" >&2
    set +e
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "$bin/$target" "$corpus" "$seeds/$target" "${dict[@]}" \
        -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=$limit -print_final_stats=1 \
        -artifact_prefix="$scratch/artifacts/$target-" > "$log" 2>&1
    code=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
    files=$(find "$corpus" -type f | wc -l)
    bytes=$(du -sb "$corpus" | cut -f1)
    line="$target: ${seconds}s, ${runs:-?} executions, ${rate:-?}/s, corpus $files files / $bytes bytes, peak RSS ${rss:-?} MB, exit $code"
    echo "$line" | tee -a "$summary"
    if [ "$code" -ne 0 ]; then
        status=1
        grep -E "^==[0-9]+==ERROR|^SUMMARY|Fatal error|deadly signal|timeout|out-of-memory" "$log" | head -5 >&2 || true
        ls -1 "$scratch/artifacts" | grep "^$target-" >&2 || true
    fi
done
exit $status
