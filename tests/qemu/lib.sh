# shellcheck shell=sh
# tests/qemu/lib.sh: helpers for guest-side scenarios (busybox sh).
#
# The guest init sources this file, then runs each scenario as
#     sh -c '. /hvl/lib.sh; . /hvl/scenarios/NN-name.sh'
# so a scenario may use `exit` freely. Paths in the guest:
#     /hvl/lib.sh          this file
#     /hvl/scenarios/      the scenario scripts (and any data files beside them)
#     /modules/NAME.ko     our modules, host simulator, bench self-test module
#     /lib/modules/$(uname -r)/   in-kernel modules requested with run.sh --kmods
#
# Results:
#     pass NAME              -> PASS NAME
#     fail NAME WHY...       -> FAIL NAME: WHY
#     skip NAME WHY...       -> SKIP NAME: WHY
# NAME must not contain blanks. The host prefixes it with the kernel release.
# Each line goes to the results channel ($HVL_CHAN, the guest's second
# serial port, which the kernel never writes to: the host counts only what
# arrives there), to $HVL_RESULTS (init's own count, cross-checked by the
# host) and to stdout (the console, for people reading the log).
#
# Environment set by init for each scenario:
#     HVL_SCENARIO   scenario name (file name without .sh)
#     HVL_RESULTS    file the result helpers append to (init counts them)
#     HVL_CHAN       the results channel (/dev/ttyS1); empty: none
#     HVL_MARK       dmesg mark set just before the scenario started
#     HVL_DMESG_IGNORE  extended regex of dmesg lines the checker ignores

HVL_MODDIR=${HVL_MODDIR:-/modules}
HVL_RESULTS=${HVL_RESULTS:-/tmp/hvl-results}
HVL_CHAN=${HVL_CHAN-}
# Default ignore list: the bench self-test's fake line; the CPU-mitigation
# notice some kernels print for TCG's -cpu max (not a kernel problem).
HVL_DMESG_IGNORE=${HVL_DMESG_IGNORE-'hvl-fake-splat|Spectre V2 : WARNING'}

# What counts as a kernel splat (extended regex, matched anywhere in a line):
# WARN(), BUG()/BUG: reports (incl. KASAN, KFENCE, soft lockup, sleeping in
# atomic), SLUB object corruption reports ("BUG kmalloc-64 (...)"), oopses,
# GPFs, panics, UBSAN, hung tasks, RCU stalls ("detected stall") and any
# stack dump ("Call Trace").
HVL_SPLAT_RE='WARNING:|BUG:|pagealloc: (memory corruption|single bit error)|BUG [A-Za-z0-9_.:-]+ \(|kernel BUG|Oops|general protection fault|Unable to handle kernel|Kernel panic|KASAN|UBSAN|Call Trace|INFO: task .* blocked|detected stall|list_(add|del) corruption|refcount_t:'

# ---------------------------------------------------------------- results

# _hvl_chan LINE: one line on the results channel. Opened and closed per
# line: the last close of a serial tty waits until the UART has sent
# everything, so the line has left the guest when this returns (a kernel
# crash right after cannot eat it). Returns non-zero if it could not.
_hvl_chan() {
	[ -n "$HVL_CHAN" ] || return 0
	printf '%s\n' "$1" 2>/dev/null >>"$HVL_CHAN"
}

# _hvl_exit_marker: EXIT trap of a scenario's shell (set by init): it got
# to its end. Keeps the exit status.
_hvl_exit_marker() {
	_hvl_rc=$?
	[ -z "${HVL_EXITF:-}" ] || echo "$_hvl_rc" >"$HVL_EXITF"
	_hvl_chan "HVL-R EXIT ${HVL_SCENARIO:-?} status=$_hvl_rc"
	return "$_hvl_rc"
}

_hvl_result() {
	printf '%s\n' "$1" >>"$HVL_RESULTS" 2>/dev/null || true
	_hvl_chan "$1" || printf '# hvl: could not write to the results channel %s\n' "$HVL_CHAN"
	printf '%s\n' "$1"
}

pass() {
	_hvl_result "PASS ${1:?pass: name missing}"
}

fail() {
	_hvl_fn=${1:?fail: name missing}
	shift
	_hvl_result "FAIL $_hvl_fn: ${*:-no reason given}"
}

skip() {
	_hvl_sn=${1:?skip: name missing}
	shift
	_hvl_result "SKIP $_hvl_sn: ${*:-no reason given}"
}

# info TEXT...: a comment line on the console (ignored by the host).
info() {
	printf '# %s\n' "$*"
}

# check NAME CMD...: run CMD; pass NAME if it succeeds, else fail NAME with
# its exit status and first output line (and return 1).
check() {
	_hvl_cn=$1
	shift
	if _hvl_out=$("$@" 2>&1); then
		pass "$_hvl_cn"
	else
		_hvl_rc=$?
		fail "$_hvl_cn" "'$*' exited $_hvl_rc${_hvl_out:+: $(printf '%s\n' "$_hvl_out" | head -n 1)}"
		return 1
	fi
}

# ---------------------------------------------------------------- modules

# have_module NAME: is /modules/NAME.ko in the initramfs?
have_module() {
	[ -f "$HVL_MODDIR/$1.ko" ]
}

# need_module NAME...: skip the current scenario (and exit it) unless all
# these modules were built.
need_module() {
	for _hvl_m in "$@"; do
		if ! have_module "$_hvl_m"; then
			skip "${HVL_SCENARIO:-scenario}" "$_hvl_m.ko not built for this kernel"
			exit 0
		fi
	done
}

# load_module NAME [PARAM=VALUE...]: insmod /modules/NAME.ko. On failure
# prints one "# load_module: ..." line and returns non-zero.
load_module() {
	_hvl_lm=$1
	shift
	if ! have_module "$_hvl_lm"; then
		info "load_module: $HVL_MODDIR/$_hvl_lm.ko not present"
		return 2
	fi
	if ! _hvl_out=$(insmod "$HVL_MODDIR/$_hvl_lm.ko" "$@" 2>&1); then
		info "load_module: insmod $_hvl_lm.ko $*: ${_hvl_out:-failed}"
		return 1
	fi
	[ -z "$_hvl_out" ] || info "load_module: $_hvl_out"
	return 0
}

# unload_module NAME: rmmod NAME (module name, dashes or underscores).
unload_module() {
	if ! _hvl_out=$(rmmod "$1" 2>&1); then
		info "unload_module: rmmod $1: ${_hvl_out:-failed}"
		return 1
	fi
	return 0
}

# module_loaded NAME: is NAME in /proc/modules?
module_loaded() {
	_hvl_mn=$(printf '%s' "$1" | tr - _)
	grep -q "^$_hvl_mn " /proc/modules
}

# load_kmod NAME [PARAM=VALUE...]: load an in-kernel module (and its
# dependencies) that run.sh put into the initramfs with --kmods.
load_kmod() {
	if ! _hvl_out=$(modprobe "$@" 2>&1); then
		info "load_kmod: modprobe $*: ${_hvl_out:-failed}"
		return 1
	fi
	return 0
}

# ---------------------------------------------------------------- dmesg

# dmesg_mark: put a unique marker into the kernel log; dmesg_since_mark and
# dmesg_check only look at what was logged after it.
_hvl_mark_seq=0
dmesg_mark() {
	_hvl_mark_seq=$((_hvl_mark_seq + 1))
	HVL_MARK="hvl-mark-$$-$_hvl_mark_seq-$(cut -d' ' -f1 /proc/uptime)"
	# <6> = KERN_INFO: logged, but not echoed to the console (loglevel=4).
	printf '<6>%s\n' "$HVL_MARK" >/dev/kmsg
}

# dmesg_since_mark: the kernel log after the last mark (whole log if no mark
# was set; whole log plus a note if the mark fell out of the ring buffer).
dmesg_since_mark() {
	if [ -z "${HVL_MARK:-}" ]; then
		dmesg
		return 0
	fi
	dmesg | awk -v m="$HVL_MARK" '
		seen { print; next }
		{ buf[n++] = $0 }
		index($0, m) { seen = 1; n = 0 }
		END {
			if (!seen) {
				print "# hvl: dmesg mark " m " not found (log wrapped?); checking whole log"
				for (i = 0; i < n; i++) print buf[i]
			}
		}'
}

# dmesg_scan: read kernel log lines on stdin; print the splat lines (indented,
# at most 20) and return 1 if there are any. Lines matching
# HVL_DMESG_IGNORE (extended regex, if not empty) are not considered.
dmesg_scan() {
	if [ -n "${HVL_DMESG_IGNORE:-}" ]; then
		grep -v -E -e "$HVL_DMESG_IGNORE"
	else
		cat
	fi | grep -E -e "$HVL_SPLAT_RE" | awk '
		{ hits++ }
		hits <= 20 { print "#   dmesg: " $0 }
		END { if (hits > 20) print "#   dmesg: ... " hits - 20 " more"; exit hits > 0 }'
}

# dmesg_check: dmesg_scan over the log since the last mark. Returns 1 (after
# printing the offending lines) if the kernel complained.
dmesg_check() {
	dmesg_since_mark | dmesg_scan
}

# check_dmesg NAME: pass NAME if dmesg_check is clean, else fail it.
check_dmesg() {
	if _hvl_out=$(dmesg_check); then
		pass "$1"
	else
		printf '%s\n' "$_hvl_out"
		fail "$1" "kernel log has $(printf '%s\n' "$_hvl_out" | grep -c '^#   dmesg: ') splat line(s) since mark"
	fi
}

# kmemleak_check: on a kernel with kmemleak (the debug kernel; nothing to
# do elsewhere), scan memory now and print the suspected leaks it reports,
# then forget them ("clear"), so that each is reported once. Returns 1 if
# there were any. kmemleak reports only objects older than 5 s: a leak in
# the last seconds of a scenario shows up at the next scan.
HVL_KMEMLEAK=/sys/kernel/debug/kmemleak
kmemleak_check() {
	[ -w "$HVL_KMEMLEAK" ] || return 0
	echo scan >"$HVL_KMEMLEAK" 2>/dev/null || return 0
	_hvl_kml=$(cat "$HVL_KMEMLEAK" 2>/dev/null)
	echo clear >"$HVL_KMEMLEAK" 2>/dev/null
	[ -n "$_hvl_kml" ] || return 0
	printf '%s\n' "$_hvl_kml" | sed 's/^/#   kmemleak: /'
	return 1
}

# ---------------------------------------------------------------- taint

# Taint bits that mean the kernel found a problem (not O/E/P for modules):
# B bad page (32), D died/oops (128), W warning (512), L soft lockup (16384).
HVL_BAD_TAINT=$((32 | 128 | 512 | 16384))

taint_value() {
	cat /proc/sys/kernel/tainted 2>/dev/null || echo 0
}

# new_bad_taint OLD: print the bad taint bits set now that were not in OLD.
new_bad_taint() {
	echo $(($(taint_value) & ~${1:-0} & HVL_BAD_TAINT))
}

# ---------------------------------------------------------------- slabs

# slab_snapshot FILE: save "cache active_objs" for every slab cache.
slab_snapshot() {
	awk 'NR > 2 { print $1, $2 }' /proc/slabinfo >"$1"
}

# slab_active CACHE: active objects of one slab cache (empty if absent).
slab_active() {
	awk -v c="$1" '$1 == c { print $2 }' /proc/slabinfo
}

# slab_diff OLD NEW [MIN]: print "cache old new +delta" for caches that grew
# by at least MIN (default 1) objects between two slab_snapshot files;
# returns 1 if any did.
slab_diff() {
	awk -v min="${3:-1}" '
		NR == FNR { old[$1] = $2; next }
		{ d = $2 - old[$1]; if (d >= min) { print $1, old[$1] + 0, $2, "+" d; grew = 1 } }
		END { exit grew }' "$1" "$2"
}

# slab_settled FILE: write "cache active_objs" of every kmalloc-* cache to
# FILE, counted as exactly as /proc/slabinfo allows. SLUB counts a CPU's
# current slab as fully in use, so a cache that allocated anything since
# its last flush reads too high by up to a slab's worth of objects: noise
# that only ever adds. So: drop caches, then three times flush the per-CPU
# slabs of every kmalloc cache (writing to its sysfs "shrink") and read
# /proc/slabinfo with shell builtins only (no fork allocates in between);
# per cache the smallest of the three readings counts.
slab_settled() {
	_hvl_out=$1	# "set --" below reuses the positional parameters
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
	sleep 1
	_hvl_pass=0
	while [ $_hvl_pass -lt 3 ]; do
		for _hvl_f in /sys/kernel/slab/kmalloc-*/shrink; do
			[ -w "$_hvl_f" ] && echo 1 >"$_hvl_f" 2>/dev/null
		done
		while read -r _hvl_n _hvl_a _hvl_rest; do
			case $_hvl_n in
				kmalloc-*) ;;
				*) continue ;;
			esac
			# "kmalloc-cg-64" -> _hvl_km_kmalloc_cg_64, without a fork
			_hvl_ifs=$IFS
			IFS=-
			# shellcheck disable=SC2086 # split on purpose
			set -- $_hvl_n
			IFS=_
			_hvl_v="_hvl_km_$*"
			IFS=$_hvl_ifs
			_hvl_old=
			eval "_hvl_old=\${$_hvl_v:-}"
			if [ $_hvl_pass -eq 0 ] || [ "$_hvl_a" -lt "$_hvl_old" ]; then
				eval "$_hvl_v=$_hvl_a"
			fi
		done </proc/slabinfo
		_hvl_pass=$((_hvl_pass + 1))
	done
	: >"$_hvl_out"
	for _hvl_v in $(set | sed -n 's/^\(_hvl_km_[a-zA-Z0-9_]*\)=.*/\1/p'); do
		eval "_hvl_a=\$$_hvl_v"
		# _hvl_km_kmalloc_cg_64 -> kmalloc-cg-64
		printf '%s %s\n' "$(printf '%s' "${_hvl_v#_hvl_km_}" | tr _ -)" "$_hvl_a" >>"$_hvl_out"
		unset "$_hvl_v"
	done
}

# slab_min A B: per cache the smaller count of two snapshot files, into
# A. A leak is in every reading; a free the kernel defers (RCU callbacks,
# release work) is missing from only some, so the minimum of readings
# taken without cycles in between drops deferred frees and keeps leaks.
slab_min() {
	awk 'NR == FNR { b[$1] = $2; next }
		{ v = $2; if (($1 in b) && b[$1] < v) v = b[$1]; print $1, v }' \
		"$2" "$1" >"$1.min" && mv "$1.min" "$1"
}

# slab_total FILE: the sum of the counts of a snapshot file.
slab_total() {
	awk '{ n += $2 } END { print n + 0 }' "$1"
}

# slab_steady S0 S1 S2 MIN: caches that grew by at least MIN objects from
# S0 to S1 and again by at least MIN from S1 to S2, where the three
# snapshots are taken after 0, N and 2N identical load/unload cycles:
# "cache s0 s1 s2 +d1 +d2" per such cache; returns 1 if there is any.
# A leak of L objects per cycle grows a cache by N*L in each half. A
# one-time allocation (first use of a cache, a name table) grows only the
# first half; a deferred free pending at one reading makes one half grow
# and the other shrink; per-CPU slab noise is a few objects either way.
# With MIN = N/2 a leak of one object per cycle fails, and noise must
# reach N/2 in the same cache in both halves to fail.
slab_steady() {
	awk -v min="$4" '
		FILENAME == ARGV[1] { a[$1] = $2; next }
		FILENAME == ARGV[2] { b[$1] = $2; next }
		{
			d1 = b[$1] - a[$1]; d2 = $2 - b[$1]
			if (d1 >= min && d2 >= min) {
				print $1, a[$1] + 0, b[$1] + 0, $2, "+" d1, "+" d2
				grew = 1
			}
		}
		END { exit grew }' "$1" "$2" "$3"
}

# ---------------------------------------------------------------- misc

# kver_ge MAJOR MINOR: is the running kernel at least MAJOR.MINOR?
kver_ge() {
	_hvl_kv=$(uname -r)
	_hvl_kmaj=${_hvl_kv%%.*}
	_hvl_kmin=${_hvl_kv#*.}
	_hvl_kmin=${_hvl_kmin%%[!0-9]*}
	[ "$_hvl_kmaj" -gt "$1" ] || { [ "$_hvl_kmaj" -eq "$1" ] && [ "$_hvl_kmin" -ge "$2" ]; }
}

# wait_for SECONDS CMD...: retry CMD every 0.2 s until it succeeds or
# SECONDS pass; returns CMD's last status.
wait_for() {
	_hvl_deadline=$(($(cut -d. -f1 /proc/uptime) + $1))
	shift
	while ! "$@"; do
		[ "$(cut -d. -f1 /proc/uptime)" -lt "$_hvl_deadline" ] || return 1
		sleep 0.2
	done
}
