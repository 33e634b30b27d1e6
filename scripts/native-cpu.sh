#!/usr/bin/env bash
# Prints the LLVM name of this machine's CPU (what clang's -march=native resolves to), for
# QUARRY_TARGET_CPU, e.g. `QUARRY_TARGET_CPU=$(bash scripts/native-cpu.sh) swift build -c release`.
set -euo pipefail
clang_bin=$(command -v clang || echo /opt/swift/usr/bin/clang)
cpu=$("$clang_bin" -### -march=native -x c -c /dev/null 2>&1 | sed -n 's/.*"-target-cpu" "\([^"]*\)".*/\1/p' | head -1)
[ -n "$cpu" ] || { echo "native-cpu: clang did not report a target CPU" >&2; exit 1; }
echo "$cpu"
