#!/usr/bin/env bash
# Regenerates the amd64 assembly of internal/kernel with the committed avo
# generator (internal/kernel/_gen, its own module) and fails if the output
# differs from the committed files. The tree is left as it was.
set -euo pipefail
cd "$(dirname "$0")/../.."

files="asm_amd64.s asm_amd64.go asm_tables_amd64.go"
saved=$(mktemp -d)
trap 'for f in $files; do cp "$saved/$f" "internal/kernel/$f"; done; rm -rf "$saved"' EXIT
for f in $files; do
	cp "internal/kernel/$f" "$saved/$f"
done

(cd internal/kernel/_gen && go run . -out ../asm_amd64.s -stubs ../asm_amd64.go -tables ../asm_tables_amd64.go -pkg kernel)

status=0
for f in $files; do
	if ! cmp -s "$saved/$f" "internal/kernel/$f"; then
		echo "internal/kernel/$f differs from what internal/kernel/_gen generates:"
		diff -u "$saved/$f" "internal/kernel/$f" | head -40 || true
		status=1
	fi
done
if [ "$status" -ne 0 ]; then
	echo "regenerate with: cd internal/kernel/_gen && go run . -out ../asm_amd64.s -stubs ../asm_amd64.go -tables ../asm_tables_amd64.go -pkg kernel"
fi
exit "$status"
