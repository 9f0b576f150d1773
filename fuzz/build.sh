#!/bin/sh
# fuzz/build.sh [BUILDDIR] - build the libFuzzer targets (fuzz/README.md).
#
# Configures BUILDDIR (default: build-fuzz beside the sources) with clang,
# AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer coverage on
# the whole core library, then builds fuzz/fuzz_* there.  Needs the Debian
# packages clang and libclang-rt-14-dev (scripts/install-deps.sh).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$src/build-fuzz}
CC=${CC:-clang}
die() { echo "fuzz/build.sh: $*" >&2; exit 1; }
command -v "$CC" >/dev/null 2>&1 || die "$CC not found (Debian packages: clang libclang-rt-14-dev)"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
probe="$dir/.probe.c"
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n%s\n' \
	'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d && n; }' >"$probe"
"$CC" -fsanitize=fuzzer,address,undefined "$probe" -o "$dir/.probe" 2>/dev/null ||
	die "$CC cannot link -fsanitize=fuzzer (Debian package: libclang-rt-14-dev)"
rm -f "$probe" "$dir/.probe"
[ -x "$src/configure" ] || (cd "$src" && autoreconf -fi)
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cd "$dir"
if [ ! -f Makefile ]; then
	"$src/configure" CC="$CC" CFLAGS="-g -O1 $SAN -fsanitize=fuzzer-no-link" LDFLAGS="$SAN"
fi
make -j"$(nproc 2>/dev/null || echo 2)" fuzzers
echo "fuzz/build.sh: targets in $dir/fuzz"
