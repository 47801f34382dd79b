#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# Sets up and builds qcomp (scripts/setup.sh), then runs every test suite:
# lit (FileCheck, end-to-end, docs), GoogleTest (run under lit) and ONNX's
# backend node tests for the supported operators (qcomp-onnx-test over the
# lists in test/ONNX/conformance). Ends with one line "N passed, N failed"
# and exits non-zero if anything failed.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${QCOMP_BUILD_DIR:-$root/build}"

"$root/scripts/setup.sh" || { echo "0 passed, 1 failed"; exit 1; }
ninja -C "$build_dir" >/dev/null 2>&1 || true

lit=/usr/lib/llvm-22/bin/lit
log="$build_dir/test-results.txt"
"$lit" -sv "$build_dir/test" "$build_dir/test/Unit" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# lit's summary lines look like "  Passed: 12" / "  Failed: 1".
count() {
  awk -v pat="$1" '$0 ~ "^ *(" pat ") *: *[0-9]+" {
    sub(/^[^:]*: */, ""); n += $1 } END { print n + 0 }' "$log"
}
passed=$(count "Passed|Expectedly Failed")
failed=$(count "Failed|Unexpectedly Passed|Unresolved|Timed Out")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi

# ONNX conformance: one count per backend node test.
echo "ONNX backend node tests (libonnx-testdata):"
conformance_log="$build_dir/conformance-results.txt"
"$build_dir/bin/qcomp-onnx-test" \
  $(printf -- "--list %s " "$root"/test/ONNX/conformance/*.txt) \
  2>&1 | tee "$conformance_log"
conformance_status=${PIPESTATUS[0]}
summary=$(tail -n 1 "$conformance_log")
if [[ "$summary" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  passed=$((passed + BASH_REMATCH[1]))
  failed=$((failed + BASH_REMATCH[2]))
  if [ "$conformance_status" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then
    failed=$((failed + 1))
  fi
else
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
