# Sourced by build.sh and run.sh: can this machine build libFuzzer targets?
# fuzz_toolchain_problem prints why not, or nothing.  FUZZ_CLANG names the
# compiler (default clang).

fuzz_toolchain_problem() {
	_cc=${FUZZ_CLANG:-clang}
	if ! command -v "$_cc" >/dev/null 2>&1; then
		echo "no $_cc in PATH (scripts/install-deps installs clang and libclang-rt-14-dev)"
		return 0
	fi
	_dir=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-probe.XXXXXX") || return 0
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n%s\n' \
		'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }' \
		>"$_dir/probe.c"
	# -fsanitize=fuzzer needs the compiler-rt runtime (libclang-rt-14-dev on Debian 12).
	if ! "$_cc" -fsanitize=fuzzer,address,undefined "$_dir/probe.c" -o "$_dir/probe" \
		2>"$_dir/err"; then
		echo "$_cc cannot link -fsanitize=fuzzer,address,undefined: $(head -n 1 "$_dir/err")" \
			"(Debian: apt-get install libclang-rt-14-dev)"
	fi
	rm -rf "$_dir"
}
