#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/install/run.sh: the installer and packaging tests (make install-test).
#
# usage: sh tests/install/run.sh [--quick]
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
# Output: PASS/FAIL lines and the time of each part; the last line is
# "N passed, M failed"; exit 0 only if M = 0 and N > 0.
# Debian packages needed: shellcheck bats dpkg-dev debhelper dh-dkms lintian
# rpm rpmlint cpio gzip; for the end-to-end part also debootstrap
# debian-archive-keyring qemu-system-x86 (and root).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
quick=0
case ${1:-} in
	--quick) quick=1 ;;
	'') ;;
	-h | --help) sed -n 's/^# \{0,1\}//; /^usage:/,/^rpm rpmlint/p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument '$1' (usage: run.sh [--quick])" >&2; exit 2 ;;
esac

out=$repo/build/install-test
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
if ! command -v shellcheck >/dev/null 2>&1; then
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
if ! command -v bats >/dev/null 2>&1; then
	fail bats "bats not found (apt-get install bats)"
else
	bats --tap "$here/install.bats" >"$out/bats.tap" 2>&1 || true
	sed -n -e 's/^ok [0-9]* \(.*\)/PASS bats: \1/p' -e 's/^not ok [0-9]* \(.*\)/FAIL bats: \1: see '"$(printf '%s' "$out" | sed 's/[\/&]/\\&/g')"'\/bats.tap/p' \
		"$out/bats.tap" | tee -a "$results"
	grep -q '^ok ' "$out/bats.tap" || fail bats "no test ran (see $out/bats.tap)"
fi
timed bats "$t"

# ------------------------------------------------------------ packages

t=$(date +%s)
if sh "$repo/packaging/deb/build.sh" >"$out/deb.log" 2>&1; then
	pass "package:deb (lintian: no error)"
else
	fail "package:deb" "$(tail -n 1 "$out/deb.log") (log: $out/deb.log)"
fi
timed deb "$t"

t=$(date +%s)
if sh "$repo/packaging/rpm/build.sh" >"$out/rpm.log" 2>&1; then
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

if [ "$quick" = 0 ]; then
	t=$(date +%s)
	if sh "$here/e2e.sh" >"$out/e2e.log" 2>&1; then
		:
	fi
	grep -E '^(PASS|FAIL) ' "$out/e2e.log" | sed 's/^\(PASS\|FAIL\) /\1 e2e:/' | tee -a "$results"
	grep -q -E '^[0-9]+ passed, 0 failed$' "$out/e2e.log" ||
		grep -q '^FAIL ' "$out/e2e.log" ||
		fail e2e "did not complete (log: $out/e2e.log)"
	timed e2e "$t"
fi

pass_n=$(grep -c '^PASS ' "$results" || true)
fail_n=$(grep -c '^FAIL ' "$results" || true)
timed total "$t_all"
echo
echo "times:"
sed 's/^/  /' "$times"
if [ "$fail_n" -gt 0 ]; then
	echo "failures:"
	grep '^FAIL ' "$results" | sed 's/^/  /'
fi
echo "$pass_n passed, $fail_n failed"
[ "$fail_n" -eq 0 ] && [ "$pass_n" -gt 0 ]
