#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# conftest.sh runs at most HV_PROBE_JOBS compilers at once. A fake CC
# records how many of its copies run at the same time (each holds a
# token file for 50 ms); the test fails if that ever exceeds the limit.
# Needs no kernel: every probe just "fails to compile".
set -eu

here=$(cd "$(dirname "$0")" && pwd)
conftest=$here/../../src/compat/conftest.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

cat >"$tmp/cc" <<'CC'
#!/bin/sh
d=$FAKECC_DIR
t=$d/run.$$
: >"$t"
n=$(find "$d" -name 'run.*' | wc -l)
echo "$n" >>"$d/seen"
sleep 0.05
rm -f "$t"
exit 1
CC
chmod +x "$tmp/cc"

rc=0
for limit in 1 2 3; do
	rm -f "$tmp/seen"
	FAKECC_DIR=$tmp CC=$tmp/cc HV_PROBE_JOBS=$limit HV_PROBE_CFLAGS='' \
		sh "$conftest" "$tmp/gen.h" "$tmp/work" >/dev/null 2>&1
	max=$(sort -n "$tmp/seen" | tail -n 1)
	total=$(wc -l <"$tmp/seen")
	if [ "$max" -gt "$limit" ]; then
		echo "FAIL probe-jobs-$limit: $max compilers at once (limit $limit, $total runs)"
		rc=1
	else
		echo "PASS probe-jobs-$limit: at most $max at once over $total runs"
	fi
done
exit $rc
