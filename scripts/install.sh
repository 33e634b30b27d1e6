#!/usr/bin/env bash
# Installs the `quarry` command and its bundled datasets under a prefix (default ~/.local):
#   PREFIX/bin/quarry
#   PREFIX/share/quarry/Datasets/{neon-trees,digits}   (found by DatasetLocator beside the binary)
# Usage: bash scripts/install.sh [PREFIX]
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:-$HOME/.local}"
source scripts/setup.sh
swift build -c release --product quarry
install -D -m 755 .build/release/quarry "$prefix/bin/quarry"
mkdir -p "$prefix/share/quarry"
rm -rf "$prefix/share/quarry/Datasets.tmp"
cp -R Datasets "$prefix/share/quarry/Datasets.tmp"
rm -rf "$prefix/share/quarry/Datasets"
mv "$prefix/share/quarry/Datasets.tmp" "$prefix/share/quarry/Datasets"
echo "install: $prefix/bin/quarry, datasets in $prefix/share/quarry/Datasets"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "install: add $prefix/bin to PATH" ;; esac
