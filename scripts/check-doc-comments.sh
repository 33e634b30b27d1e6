#!/usr/bin/env bash
# Lists public declarations without a `///` doc comment on the line above (attribute lines such
# as `@inlinable` may sit between). Exits 1 when any is missing.
# Usage: scripts/check-doc-comments.sh [folders…]   (default: Sources)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- Sources
missing=$(find "$@" -name '*.swift' -print0 | sort -z | xargs -0 awk '
    FNR == 1 { previous = "" }
    /^[[:space:]]*@[A-Za-z_]+(\([^)]*\))?[[:space:]]*$/ { next }   # an attribute on its own line
    /^[[:space:]]*(@[A-Za-z_]+(\([^)]*\))?[[:space:]]+)*(public|open)[[:space:]]/ {
        if (previous !~ /^[[:space:]]*\/\/\//) print FILENAME ":" FNR ": " $0
    }
    { previous = $0 }
')
if [ -n "$missing" ]; then
    echo "$missing"
    echo "check-doc-comments: $(echo "$missing" | wc -l) public declaration(s) without a /// comment" >&2
    exit 1
fi
echo "check-doc-comments: every public declaration has a /// comment"
