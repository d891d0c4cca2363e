#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/install/run.sh: the installer and packaging tests (make install-test).
#
# usage: sh tests/install/run.sh [--quick] [--only "PART..."]
#   --only   run only these parts: shellcheck bats packages e2e
#   1. shellcheck -s sh over every shell script of the installer and the
#      packaging, and over the hook scripts install.sh writes
#   2. bats tests/install/install.bats: install.sh against fake roots of
#      RHEL 5/6/7/8/9, SLES 11/12/15, Debian and Ubuntu with stub commands
#   3. packages: packaging/deb/build.sh (lintian: no error) and
#      packaging/rpm/build.sh (rpmlint: no error); the RPMs install into a
#      scratch rpm root
#   4. (not with --quick) tests/install/e2e.sh: Debian bookworm chroot with
#      real dkms, kernels and initramfs-tools, then QEMU
#
# Output: PASS/FAIL/SKIP lines and the time of each part; the last line is
# "N passed, M failed, K skipped"; exit 0 only if M = 0 and N > 0. A bats
# run fails when its exit status is not 0, or when its TAP plan does not
# match the tests it ran; a skipped test is counted as a skip, not a pass.
# The end-to-end part fails when e2e.sh exits non-zero, or does not
# finish with a summary matching its PASS/FAIL lines.
# Debian packages needed: shellcheck bats dpkg-dev debhelper dh-dkms lintian
# rpm rpmlint cpio gzip; for the end-to-end part also debootstrap
# debian-archive-keyring qemu-system-x86 (and root).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
quick=0
parts="shellcheck bats packages e2e"
while [ $# -gt 0 ]; do
	case $1 in
		--quick) quick=1; shift ;;
		--only)
			[ $# -ge 2 ] || { echo "run.sh: --only needs a list of parts" >&2; exit 2; }
			for p in $2; do
				case $p in
					shellcheck | bats | packages | e2e) ;;
					*) echo "run.sh: unknown part '$p' (shellcheck bats packages e2e)" >&2; exit 2 ;;
				esac
			done
			parts=$2
			shift 2
			;;
		-h | --help) sed -n 's/^# \{0,1\}//; /^usage:/,/^rpm rpmlint/p' "$0"; exit 0 ;;
		*) echo "run.sh: unknown argument '$1' (usage: run.sh [--quick] [--only \"PART...\"])" >&2; exit 2 ;;
	esac
done
# part NAME: NAME is to run.
part() {
	case " $parts " in *" $1 "*) return 0 ;; esac
	return 1
}

# Environment (for the tests of this script): HVL_INSTALL_TEST_OUT, the
# output directory (default build/install-test, emptied first);
# HVL_INSTALL_E2E, the end-to-end script (default tests/install/e2e.sh).
out=${HVL_INSTALL_TEST_OUT:-$repo/build/install-test}
e2e_sh=${HVL_INSTALL_E2E:-$here/e2e.sh}
rm -rf "$out"
mkdir -p "$out"
results=$out/results.txt
: >"$results"
times=$out/times.txt
: >"$times"
t_all=$(date +%s)

pass() { printf 'PASS %s\n' "$1" | tee -a "$results"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$2" | tee -a "$results"; }
timed() {
	printf '%-12s %4ss\n' "$1" "$(($(date +%s) - $2))" >>"$times"
}

# ------------------------------------------------------------ shellcheck

t=$(date +%s)
if ! part shellcheck; then
	:
elif ! command -v shellcheck >/dev/null 2>&1; then
	fail shellcheck "shellcheck not found (apt-get install shellcheck)"
else
	# The hook scripts install.sh writes, from a fake Debian, RHEL 5/8
	# and SLES 12 root each (the stubs stand in for the system).
	gen=$out/generated
	for d in debian rhel5 ol8 sles12; do
		mkdir -p "$gen/$d"
	done
	if HVL_GEN_DIR=$gen bats "$here/generate.bats" >"$out/generate.log" 2>&1; then
		:
	else
		fail shellcheck:generated "could not generate the hook scripts (log: $out/generate.log)"
	fi
	for f in "$repo/install.sh" "$repo"/packaging/*/build.sh \
		"$repo"/packaging/deb/debian/*.postinst "$repo"/packaging/deb/debian/*.prerm \
		"$repo"/packaging/deb/debian/*.postrm \
		"$here"/*.sh "$here/e2e-probe" "$here/stubs/stub" \
		$(find "$gen" -type f 2>/dev/null | sort); do
		[ -f "$f" ] || continue
		name=${f#"$repo"/}
		name=${name#"$out"/}
		# The systemd unit is not a shell script.
		case $f in *.service) continue ;; esac
		if shellcheck -s sh "$f" >"$out/shellcheck.tmp" 2>&1; then
			pass "shellcheck:$name"
		else
			fail "shellcheck:$name" "$(head -n 3 "$out/shellcheck.tmp" | tr '\n' ' ')"
			cat "$out/shellcheck.tmp" >>"$out/shellcheck.log"
		fi
	done
	rm -f "$out/shellcheck.tmp"
fi
timed shellcheck "$t"

# ------------------------------------------------------------ bats

t=$(date +%s)
if ! part bats; then
	:
elif ! command -v bats >/dev/null 2>&1; then
	fail bats "bats not found (apt-get install bats)"
else
	bats_rc=0
	bats --tap "$here/install.bats" >"$out/bats.tap" 2>&1 || bats_rc=$?
	# One line per test: "ok N name", "ok N name # skip [reason]" (a
	# skip, not a pass) or "not ok N name".
	awk -v tap="$out/bats.tap" '
		/^ok [0-9]+ / {
			t = $0; sub(/^ok [0-9]+ /, "", t)
			if (match(t, / # [Ss][Kk][Ii][Pp]( |$)/)) {
				r = substr(t, RSTART + 7); sub(/^ +/, "", r)
				t = substr(t, 1, RSTART - 1)
				print "SKIP bats: " t (r != "" ? " (" r ")" : "")
			} else
				print "PASS bats: " t
			next
		}
		/^not ok [0-9]+ / { t = $0; sub(/^not ok [0-9]+ /, "", t); print "FAIL bats: " t ": see " tap }
	' "$out/bats.tap" | tee -a "$results"
	bats_plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$out/bats.tap" | head -n 1)
	bats_seen=$(grep -c -E '^(not )?ok [0-9]+( |$)' "$out/bats.tap" || true)
	if [ -z "$bats_plan" ]; then
		fail bats "no TAP plan: bats did not run (exit $bats_rc; see $out/bats.tap)"
	elif [ "$bats_plan" -ne "$bats_seen" ]; then
		fail bats "the TAP plan announced $bats_plan tests, $bats_seen ran (exit $bats_rc; see $out/bats.tap)"
	elif [ "$bats_seen" -eq 0 ]; then
		fail bats "no test ran (see $out/bats.tap)"
	fi
	if [ "$bats_rc" -ne 0 ] && ! grep -q '^not ok ' "$out/bats.tap"; then
		fail bats "bats exited with status $bats_rc although no test failed (see $out/bats.tap)"
	fi
fi
timed bats "$t"

# ------------------------------------------------------------ packages

t=$(date +%s)
if ! part packages; then
	:
elif sh "$repo/packaging/deb/build.sh" >"$out/deb.log" 2>&1; then
	pass "package:deb (lintian: no error)"
else
	fail "package:deb" "$(tail -n 1 "$out/deb.log") (log: $out/deb.log)"
fi
timed deb "$t"

t=$(date +%s)
if ! part packages; then
	:
elif sh "$repo/packaging/rpm/build.sh" >"$out/rpm.log" 2>&1; then
	pass "package:rpm (rpmlint: no error)"
	# Installable: unpack both into a scratch rpm root (no scriptlets:
	# this host is no RPM system; the scriptlets are install.sh's).
	rroot=$out/rpmroot
	mkdir -p "$rroot"
	rpms=
	for f in "$repo"/build/rpm/*.noarch.rpm "$repo"/build/rpm/kmod-*.rpm; do
		[ -f "$f" ] && rpms="$rpms $f"
	done
	# shellcheck disable=SC2086 # paths without blanks (build/rpm of our tree)
	if rpm --root "$rroot" --initdb >/dev/null 2>&1 &&
		rpm --root "$rroot" -i --nodeps --noscripts --excludedocs $rpms >"$out/rpm-install.log" 2>&1 &&
		[ -f "$rroot/usr/src/hyperv-lic-$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$repo/dkms.conf")/dkms.conf" ]; then
		pass "package:rpm-installs"
	else
		fail "package:rpm-installs" "rpm -i into a scratch root failed (log: $out/rpm-install.log)"
	fi
else
	fail "package:rpm" "$(tail -n 1 "$out/rpm.log") (log: $out/rpm.log)"
fi
timed rpm "$t"

# ------------------------------------------------------------ e2e

if [ "$quick" = 0 ] && part e2e; then
	t=$(date +%s)
	e2e_rc=0
	sh "$e2e_sh" >"$out/e2e.log" 2>&1 || e2e_rc=$?
	grep -E '^(PASS|FAIL) ' "$out/e2e.log" | sed 's/^\(PASS\|FAIL\) /\1 e2e:/' | tee -a "$results"
	e2e_sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out/e2e.log" | tail -n 1)
	e2e_fails=$(grep -c '^FAIL ' "$out/e2e.log" || true)
	if [ -z "$e2e_sum" ]; then
		fail e2e "did not complete (exit $e2e_rc; log: $out/e2e.log)"
	elif [ "$e2e_rc" -ne 0 ] && [ "$e2e_fails" -eq 0 ]; then
		fail e2e "exited with status $e2e_rc although no check failed (log: $out/e2e.log)"
	elif [ "$e2e_rc" -eq 0 ] && [ "$e2e_sum" != "$(grep -c '^PASS ' "$out/e2e.log") passed, $e2e_fails failed" ]; then
		fail e2e "its summary '$e2e_sum' does not match its PASS/FAIL lines (log: $out/e2e.log)"
	elif [ "$e2e_rc" -eq 0 ] && [ "$e2e_fails" -ne 0 ]; then
		fail e2e "exited with status 0 although $e2e_fails checks failed (log: $out/e2e.log)"
	fi
	timed e2e "$t"
fi

pass_n=$(grep -c '^PASS ' "$results" || true)
fail_n=$(grep -c '^FAIL ' "$results" || true)
skip_n=$(grep -c '^SKIP ' "$results" || true)
timed total "$t_all"
echo
echo "times:"
sed 's/^/  /' "$times"
if [ "$fail_n" -gt 0 ]; then
	echo "failures:"
	grep '^FAIL ' "$results" | sed 's/^/  /'
fi
if [ "$skip_n" -gt 0 ]; then
	echo "skipped:"
	grep '^SKIP ' "$results" | sed 's/^/  /'
fi
echo "$pass_n passed, $fail_n failed, $skip_n skipped"
[ "$fail_n" -eq 0 ] && [ "$pass_n" -gt 0 ]
