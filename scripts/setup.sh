#!/usr/bin/env bash
# Installs the system libraries Quarry links (OpenBLAS, LAPACKE, libpng, libjpeg) when absent,
# and Open MPI (libopenmpi-dev for `swift build --traits MPI`, openmpi-bin for `mpirun` in the
# MPI tests; docs/distributed.md).
# Safe to run repeatedly: it only calls apt-get when a package is missing.
set -euo pipefail
packages=(libopenblas-dev liblapacke-dev libpng-dev libjpeg-dev libopenmpi-dev openmpi-bin)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null 2>&1; then
    [ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
fi
command -v swift >/dev/null 2>&1 || { echo "setup: Swift 6 toolchain not found on PATH" >&2; exit 1; }
