#!/bin/sh
# Tools/fuzz.sh NAME SECONDS — fuzz one harness with libFuzzer for SECONDS.
#
# NAME is lines (the line decoder and both directions' message decoding) or operations (operation
# decode, apply, invert, transform and compose on documents). The harness is built in release mode with
# -sanitize=fuzzer in its own scratch directory (.build/fuzz), so the shared debug and release builds
# are left alone. It starts from the seed corpus in Tools/Fuzz/corpus/NAME and from what earlier runs
# found (.build/fuzz/corpus/NAME, where new inputs go); a crashing input is written to
# Tools/Fuzz/crashes/NAME/, which JamProofTests replays as a regression test: commit it with the fix.
# Extra arguments go to libFuzzer (e.g. -jobs=2, -max_len=4096).
# The harness's main calls LLVMFuzzerRunDriver (SwiftPM names the executable's entry point itself, so
# libFuzzer's own main cannot be used); lld links it, as gold fails on it.
set -eu
if [ $# -lt 2 ]; then
    echo "usage: Tools/fuzz.sh lines|operations SECONDS [libFuzzer options]" >&2
    exit 2
fi
name=$1
seconds=$2
shift 2
case $name in
lines | operations) ;;
*) echo "no harness called $name: lines or operations" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
scratch=.build/fuzz
swift build -c release --scratch-path "$scratch" --product "jam-fuzz-$name" \
    -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
found=$scratch/corpus/$name
crashes=Tools/Fuzz/crashes/$name
mkdir -p "$found" "$crashes"
# libFuzzer, not Swift's backtracer, must catch a trap, so that it writes the crashing input.
SWIFT_BACKTRACE=enable=no exec "$scratch/release/jam-fuzz-$name" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$@" "$found" "Tools/Fuzz/corpus/$name"
