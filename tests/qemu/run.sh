#!/bin/sh
# tests/qemu/run.sh: the QEMU test bench.
#
# For each kernel: prepare that Debian suite's chroot and kernel image
# (scripts/suite-chroot.sh), build our modules, the host simulator and the
# bench self-test module inside the chroot, pack them with static busybox,
# /init and the scenario scripts into an initramfs, boot the kernel under
# QEMU TCG and collect the PASS/FAIL lines the scenarios print.
#
# usage: tests/qemu/run.sh [options]
#   --kernel K       all (default: bullseye bookworm trixie sid), a suite name,
#                    or a kernel release a suite chroot provides; may be a
#                    comma-separated list
#   --scenarios GLOB run only scenarios whose name matches GLOB; the name is
#                    the file name without .sh, tried with and without its
#                    leading "NN-" (so 'demo*' matches 50-demo-net.sh)
#   --scenario-dir DIR  take scenarios from DIR instead of tests/qemu/scenarios
#   --demo           same as --kernel sid --scenarios 'demo*' --verbose
#   --kmods LIST     in-kernel modules (comma/space separated) to put in the
#                    initramfs with their dependencies; load with load_kmod
#                    (added to what the selected scenarios declare, below)
#   --timeout SEC    host-side limit per kernel boot (default 900)
#   --scenario-timeout SEC  guest-side limit per scenario (default 600)
#   --loglevel N     console loglevel (default 4: errors and worse)
#   --out DIR        results directory (default tests/qemu/out)
#   --verbose        stream each guest's serial console while it runs
#   --shell          after the scenarios, give an interactive guest shell
#                    (one kernel only; no time limit)
#   -h, --help
#
# Environment: HVL_CACHE (see scripts/suite-chroot.sh), HVL_QEMU (default
# qemu-system-x86_64), HVL_QEMU_ARGS (extra QEMU arguments, word-split),
# HVL_JOBS (make -j, default nproc), HVL_BUSYBOX (static busybox binary).
#
# Scenario header lines (comments anywhere in a selected scenario file):
#   # hvl-kmods: sd_mod ext4      in-kernel modules it loads (as --kmods);
#                                 ?name: only if this kernel has it as a module
#   # hvl-tools: fio mkfs.ext4    programs it runs that busybox lacks: taken
#                                 from this host's PATH (and /sbin, /usr/sbin)
#                                 with the shared libraries ldd names, and put
#                                 into the guest's /usr/local/bin
#   # hvl-mem: 1536               guest RAM in MiB it needs (the largest wins;
#                                 default 1024)
#
# Output: results as they come, then a summary whose last line is exactly
# "N passed, M failed". Exit 0 only if M is 0 and N > 0. A boot that does not
# reach the guest's end sentinel (hang, panic, timeout) is a FAIL for that
# kernel. Per-kernel files in OUT/<release>/: serial.log, build-*.log,
# initrd.gz; OUT/results.txt has every result line.

set -eu

me="run.sh"
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 2; }
note() { printf '%s: %s\n' "$me" "$*" >&2; }

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${HVL_CACHE:-/var/cache/hyperv-lic}
export HVL_CACHE="$cache"
qemu=${HVL_QEMU:-qemu-system-x86_64}
jobs=${HVL_JOBS:-$(nproc 2>/dev/null || echo 2)}
all_suites="bullseye bookworm trixie sid"

kernels=all
glob='*'
scen_dir=$here/scenarios
demo=0
kmods=
boot_timeout=900
scen_timeout=600
loglevel=4
out=$here/out
verbose=0
shell=0

usage() { sed -n '/^# usage:/,/^#   -h/s/^# \{0,1\}//p' "$0"; }

need_arg() { [ $# -ge 2 ] || die "option $1 needs an argument"; }
while [ $# -gt 0 ]; do
	case $1 in
		--kernel) need_arg "$@"; kernels=$2; shift 2 ;;
		--kernel=*) kernels=${1#*=}; shift ;;
		--scenarios) need_arg "$@"; glob=$2; shift 2 ;;
		--scenarios=*) glob=${1#*=}; shift ;;
		--scenario-dir) need_arg "$@"; scen_dir=$2; shift 2 ;;
		--scenario-dir=*) scen_dir=${1#*=}; shift ;;
		--demo) demo=1; shift ;;
		--kmods) need_arg "$@"; kmods=$2; shift 2 ;;
		--kmods=*) kmods=${1#*=}; shift ;;
		--timeout) need_arg "$@"; boot_timeout=$2; shift 2 ;;
		--timeout=*) boot_timeout=${1#*=}; shift ;;
		--scenario-timeout) need_arg "$@"; scen_timeout=$2; shift 2 ;;
		--scenario-timeout=*) scen_timeout=${1#*=}; shift ;;
		--loglevel) need_arg "$@"; loglevel=$2; shift 2 ;;
		--loglevel=*) loglevel=${1#*=}; shift ;;
		--out) need_arg "$@"; out=$2; shift 2 ;;
		--out=*) out=${1#*=}; shift ;;
		--verbose|-v) verbose=1; shift ;;
		--shell) shell=1; shift ;;
		-h|--help) usage; exit 0 ;;
		*) die "unknown argument '$1' (see --help)" ;;
	esac
done

if [ "$demo" = 1 ]; then
	kernels=sid
	glob='demo*'
	verbose=1
fi
for n in "$boot_timeout" "$scen_timeout" "$loglevel"; do
	case $n in ''|*[!0-9]*) die "'$n' is not a number of seconds/level" ;; esac
done
kmods=$(printf '%s' "$kmods" | tr ',' ' ')

# ---------------------------------------------------------------- host tools
[ "$(id -u)" -eq 0 ] || die "must run as root (chroot builds)"
for tool in "$qemu" cpio gzip timeout flock chroot tar; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "'$tool' not found (apt-get install qemu-system-x86 cpio gzip coreutils util-linux tar)"
done
busybox=${HVL_BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || die "$busybox not found (apt-get install busybox-static)"
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is dynamically linked; the guest needs a static one (apt-get install busybox-static)"
fi

# ---------------------------------------------------------------- scenarios
scen_list=
[ -d "$scen_dir" ] || die "scenario directory $scen_dir does not exist"
scen_dir=$(cd "$scen_dir" && pwd)
for f in "$scen_dir"/*.sh; do
	[ -f "$f" ] || continue
	b=${f##*/}
	b=${b%.sh}
	short=$(printf '%s' "$b" | sed 's/^[0-9][0-9]*-//')
	# shellcheck disable=SC2254 # $glob is a pattern on purpose
	case $b in $glob) scen_list="$scen_list $f"; continue ;; esac
	# shellcheck disable=SC2254
	case $short in $glob) scen_list="$scen_list $f" ;; esac
done
[ -n "$scen_list" ] || die "no scenario in $scen_dir matches '$glob'"

# scen_header KEY: the words of every "# hvl-KEY:" line of the selected
# scenarios, one per line, sorted and unique.
scen_header() {
	# shellcheck disable=SC2086 # the scenario list is split on purpose
	sed -n "s/^#[[:space:]]*hvl-$1:[[:space:]]*//p" $scen_list | tr -s '[:space:],' '[\n*]' |
		sed '/^$/d' | LC_ALL=C sort -u
}
kmods=$(printf '%s %s' "$kmods" "$(scen_header kmods)" | tr '\n' ' ')
tools=$(scen_header tools | tr '\n' ' ')
mem_mb=1024
for m in $(scen_header mem); do
	case $m in ''|*[!0-9]*) die "hvl-mem: '$m' is not a number of MiB" ;; esac
	[ "$m" -le "$mem_mb" ] || mem_mb=$m
done

# Host programs for hvl-tools, resolved before anything is built.
tool_paths=
for t in $tools; do
	case $t in */*) die "hvl-tools: '$t': give a program name, not a path" ;; esac
	tp=$(PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin command -v "$t" 2>/dev/null) ||
		die "hvl-tools: '$t' is not installed on this host (see .ci/run for the packages)"
	tool_paths="$tool_paths $t=$tp"
done

# ---------------------------------------------------------------- kernels
# Resolve --kernel into "suite" words; a release is mapped to the suite whose
# chroot provides it.
targets=
for k in $(printf '%s' "$kernels" | tr ',' ' '); do
	case $k in
		all) targets="$targets $all_suites" ;;
		bullseye|bookworm|trixie|sid) targets="$targets $k" ;;
		*)
			found=
			for s in $all_suites; do
				if [ -f "$cache/chroots/$s/.hvl-ready" ] &&
					grep -qx "release=$k" "$cache/chroots/$s/.hvl-ready"; then
					found=$s
					break
				fi
			done
			[ -n "$found" ] || die "kernel '$k' is no suite name and no prepared suite has it (prepared: $(cat "$cache"/chroots/*/.hvl-ready 2>/dev/null | sed -n 's/^release=//p' | tr '\n' ' '))"
			targets="$targets $found"
			;;
	esac
done
# shellcheck disable=SC2086 # split the suite list into arguments
set -- $targets
[ $# -ge 1 ] || die "no kernel selected"
if [ "$shell" = 1 ] && [ $# -ne 1 ]; then
	die "--shell needs exactly one kernel (--kernel SUITE)"
fi

mkdir -p "$out" || die "cannot create $out"
results=$out/results.txt
: >"$results"
summary=$out/summary.txt
: >"$summary"

record() {
	# record VERDICT NAME [WHY]: add one host-side result line.
	if [ $# -ge 3 ]; then
		printf '%s %s: %s\n' "$1" "$2" "$3" | tee -a "$results"
	else
		printf '%s %s\n' "$1" "$2" | tee -a "$results"
	fi
}

# in_chroot ROOT CMD: run CMD with sh in the chroot, clean environment.
# Kernel builds need /proc there (objtool of 7.x reads /proc/self/...); it is
# mounted in a private mount namespace, so it vanishes with the command and
# cannot leak, whatever happens to us.
if unshare --mount --propagation private true 2>/dev/null; then
	private_proc=1
else
	private_proc=0
	note "warning: unshare --mount not permitted; building without /proc in the chroot (7.x objtool fails)"
fi
in_chroot() {
	ic_root=$1
	shift
	if [ "$private_proc" = 1 ]; then
		# shellcheck disable=SC2016 # expanded by the inner shell
		unshare --mount --propagation private /bin/sh -c \
			'mount -t proc proc "$1/proc" && exec chroot "$1" /usr/bin/env -i \
				PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 /bin/sh -c "$2"' \
			hvl "$ic_root" "$*"
	else
		chroot "$ic_root" /usr/bin/env -i \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
			/bin/sh -c "$*"
	fi
}

# Kill QEMU if we are interrupted.
qpid=
tailpid=
on_exit() {
	[ -z "$tailpid" ] || kill "$tailpid" 2>/dev/null || true
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null || true
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# build_dir SUITE REL SUBDIR LOG: make one module directory of the copy.
build_dir() {
	bd_root=$cache/chroots/$1
	if in_chroot "$bd_root" "make -C /build/qemu-bench/$3 KDIR=/lib/modules/$2/build -j$jobs" >"$4" 2>&1; then
		return 0
	fi
	return 1
}

# copy_tree SUITE: fresh copy of src/ and tests/ into the chroot's
# /build/qemu-bench, without build products that may lie in the work tree.
copy_tree() {
	ct_dst=$cache/chroots/$1/build/qemu-bench
	rm -rf --one-file-system "$ct_dst"
	mkdir -p "$ct_dst"
	ct_dirs=
	for d in src tests; do
		[ -d "$repo/$d" ] && ct_dirs="$ct_dirs $d"
	done
	[ -n "$ct_dirs" ] || return 0
	# shellcheck disable=SC2086 # word list on purpose
	(cd "$repo" && tar -cf - --exclude=tests/qemu/out \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='.*.cmd' --exclude=Module.symvers --exclude=modules.order \
		--exclude=.tmp_versions $ct_dirs) | (cd "$ct_dst" && tar -xf -)
}

# stage_kmods REL STAGE: copy the --kmods modules and their dependencies,
# decompressed, into STAGE/lib/modules/REL with a matching modules.dep.
stage_kmods() {
	sk_src=$cache/kernels/$1/modules
	sk_dst=$2/lib/modules/$1
	mkdir -p "$sk_dst"
	for f in modules.builtin modules.builtin.modinfo; do
		[ ! -f "$sk_src/$f" ] || cp "$sk_src/$f" "$sk_dst/"
	done
	: >"$sk_dst/modules.dep"
	[ -n "$kmods" ] || return 0
	[ -f "$sk_src/modules.dep" ] || { note "$1: no modules.dep; cannot add --kmods"; return 1; }
	# Needed module paths, dependencies first; "MISSING name" for unknown.
	awk -v want="$kmods" '
		function norm(p,  b) { b = p; sub(/.*\//, "", b); sub(/\.ko(\.(xz|zst|gz))?$/, "", b); gsub(/-/, "_", b); return b }
		function visit(p,  n, i, d) {
			if (p in done) return
			done[p] = 1
			n = split(deps[p], d, " ")
			for (i = 1; i <= n; i++) visit(d[i])
			print p
		}
		{ p = $1; sub(/:$/, "", p); rest = $0; sub(/^[^:]*:[ ]*/, "", rest); deps[p] = rest; byname[norm(p)] = p }
		END {
			n = split(want, w, " ")
			for (i = 1; i <= n; i++) {
				k = w[i]; opt = sub(/^\?/, "", k); gsub(/-/, "_", k)
				if (k in byname) visit(byname[k])
				else if (!opt) print "MISSING " w[i]
			}
		}' "$sk_src/modules.dep" >"$2/.kmods"
	sk_rc=0
	while read -r p m; do
		if [ "$p" = MISSING ]; then
			if grep -q -e "/$(printf '%s' "$m" | tr - _)\.ko" -e "/$(printf '%s' "$m" | tr _ -)\.ko" \
				"$sk_src/modules.builtin" 2>/dev/null; then
				note "$1: $m is built into the kernel"
			else
				note "$1: in-kernel module '$m' not found in $sk_src"
				sk_rc=1
			fi
			continue
		fi
		plain=$(printf '%s' "$p" | sed -e 's/\.xz$//' -e 's/\.zst$//' -e 's/\.gz$//')
		mkdir -p "$sk_dst/$(dirname "$plain")"
		case $p in
			*.xz) xz -dc "$sk_src/$p" >"$sk_dst/$plain" ;;
			*.zst) zstd -qdc "$sk_src/$p" >"$sk_dst/$plain" ;;
			*.gz) gzip -dc "$sk_src/$p" >"$sk_dst/$plain" ;;
			*) cp "$sk_src/$p" "$sk_dst/$plain" ;;
		esac || { note "$1: cannot copy/decompress $p"; sk_rc=1; }
		grep "^$p:" "$sk_src/modules.dep" |
			sed -e 's/\.ko\.xz/.ko/g' -e 's/\.ko\.zst/.ko/g' -e 's/\.ko\.gz/.ko/g' >>"$sk_dst/modules.dep"
	done <"$2/.kmods"
	rm -f "$2/.kmods"
	return $sk_rc
}

# stage_tools STAGE: the hvl-tools programs into STAGE/usr/local/bin, and
# every shared library they need (ldd) at its own path, so the guest's
# dynamic loader finds them. The guest's libc is then this host's: fine for
# the Debian kernels of the bench (glibc needs kernel >= 3.2).
stage_tools() {
	[ -n "$tool_paths" ] || return 0
	mkdir -p "$1/usr/local/bin"
	for tp in $tool_paths; do
		st_name=${tp%%=*}
		st_path=${tp#*=}
		cp -L "$st_path" "$1/usr/local/bin/$st_name" || return 1
		# "lib => /path (addr)", "/lib64/ld-linux-x86-64.so.2 (addr)"
		for lib in $(ldd "$st_path" 2>/dev/null |
			sed -n -e 's/.*=> \(\/[^ ]*\) .*/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
			[ -e "$1$lib" ] && continue
			mkdir -p "$1$(dirname "$lib")"
			cp -L "$lib" "$1$lib" || return 1
		done
	done
}

# make_initramfs REL STAGE KODIR INITRD: fill STAGE (which may already hold
# lib/modules) and pack it into INITRD.
make_initramfs() {
	mi_stage=$2
	mkdir -p "$mi_stage/bin" "$mi_stage/sbin" "$mi_stage/usr/bin" "$mi_stage/usr/sbin" \
		"$mi_stage/proc" "$mi_stage/sys" "$mi_stage/dev" "$mi_stage/tmp" "$mi_stage/run" \
		"$mi_stage/etc" "$mi_stage/root" "$mi_stage/modules" "$mi_stage/hvl/scenarios"
	cp "$busybox" "$mi_stage/bin/busybox"
	for a in $("$busybox" --list-full); do
		[ "$a" = bin/busybox ] && continue
		mkdir -p "$mi_stage/$(dirname "$a")"
		ln -sf /bin/busybox "$mi_stage/$a"
	done
	cp "$here/init.sh" "$mi_stage/init"
	chmod 0755 "$mi_stage/init"
	cp "$here/lib.sh" "$mi_stage/hvl/lib.sh"
	for f in $scen_list; do
		cp "$f" "$mi_stage/hvl/scenarios/"
	done
	# Data files that scenarios keep beside them (anything not *.sh).
	for f in "$scen_dir"/*; do
		case $f in *.sh) continue ;; esac
		[ -e "$f" ] && cp -R "$f" "$mi_stage/hvl/scenarios/"
	done
	for ko in "$3"/*.ko; do
		[ -f "$ko" ] && cp "$ko" "$mi_stage/modules/"
	done
	stage_tools "$mi_stage" || return 1
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$mi_stage/etc/passwd"
	printf 'root:x:0:\n' >"$mi_stage/etc/group"
	(cd "$mi_stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		gzip -1 >"$4"
}

# clean_log RAW: the serial log without carriage returns and terminal escape
# sequences (SeaBIOS and the console emit some at the start of lines).
esc=$(printf '\033')
clean_log() {
	tr -d '\r' <"$1" | sed -e "s/${esc}\[[0-9;?]*[A-Za-z]//g" -e "s/${esc}[A-Za-z]//g"
}

# boot REL KDIR INITRD LOG: run QEMU; sets boot_secs, boot_status.
boot() {
	# tsc=reliable: TCG's vCPUs read one host clock, but the boot-time TSC
	# sync check sometimes fails on them and some kernels then run on the
	# HPET, whose every read is an emulated MMIO access: timing-heavy
	# paths (fio, block I/O accounting) would cost several times more on
	# those kernels and make figures incomparable across kernels.
	bt_append="console=ttyS0 panic=-1 loglevel=$loglevel log_buf_len=4M tsc=reliable hvl.release=$1 hvl.timeout=$scen_timeout"
	[ "$shell" = 0 ] || bt_append="$bt_append hvl.shell=1"
	bt_start=$(date +%s)
	if [ "$shell" = 1 ]; then
		# shellcheck disable=SC2086 # HVL_QEMU_ARGS is a word list
		"$qemu" -accel tcg -cpu max -smp 2 -m "$mem_mb" -nographic -no-reboot -nic none \
			-kernel "$2/vmlinuz" -initrd "$3" -append "$bt_append" ${HVL_QEMU_ARGS:-}
		boot_status="interactive"
		boot_secs=$(($(date +%s) - bt_start))
		return 0
	fi
	# shellcheck disable=SC2086
	timeout -k 10 $((boot_timeout + 30)) \
		"$qemu" -accel tcg -cpu max -smp 2 -m "$mem_mb" -nographic -no-reboot -nic none \
		-kernel "$2/vmlinuz" -initrd "$3" -append "$bt_append" ${HVL_QEMU_ARGS:-} \
		</dev/null >"$4" 2>&1 &
	qpid=$!
	if [ "$verbose" = 1 ]; then
		# Live console, cleaned like clean_log (GNU sed -u: line by line).
		tail -n +1 -f --pid="$qpid" "$4" |
			sed -u -e 's/\r//g' -e "s/${esc}\[[0-9;?]*[A-Za-z]//g" -e "s/${esc}[A-Za-z]//g" &
		tailpid=$!
	fi
	bt_deadline=$((bt_start + boot_timeout))
	bt_done_at=
	boot_status=
	begin_secs=
	while kill -0 "$qpid" 2>/dev/null; do
		bt_now=$(date +%s)
		if [ -z "$begin_secs" ] && grep -q 'HVL-BENCH-BEGIN' "$4"; then
			begin_secs=$((bt_now - bt_start))
		fi
		if [ -z "$bt_done_at" ] && grep -q 'HVL-BENCH-DONE' "$4"; then
			bt_done_at=$bt_now
		fi
		if [ -n "$bt_done_at" ] && [ $((bt_now - bt_done_at)) -ge 30 ]; then
			note "$1: guest did not power off 30s after the sentinel; killing QEMU"
			kill "$qpid" 2>/dev/null || true
			break
		fi
		if [ "$bt_now" -ge "$bt_deadline" ]; then
			boot_status="timed out after ${boot_timeout}s"
			kill "$qpid" 2>/dev/null || true
			break
		fi
		sleep 1
	done
	bt_rc=0
	wait "$qpid" || bt_rc=$?
	qpid=
	if [ -n "$tailpid" ]; then
		wait "$tailpid" 2>/dev/null || true
		tailpid=
	fi
	boot_secs=$(($(date +%s) - bt_start))
	clean_log "$4" >"$4.txt"
	[ -n "$begin_secs" ] || ! grep -q 'HVL-BENCH-BEGIN' "$4.txt" || begin_secs=$boot_secs
	if [ -z "$boot_status" ]; then
		if grep -q 'HVL-BENCH-DONE' "$4.txt"; then
			boot_status=ok
		elif grep -q 'Kernel panic' "$4.txt"; then
			boot_status="kernel panic: $(grep -m1 'Kernel panic' "$4.txt" | sed 's/^.*Kernel panic - //')"
		elif ! grep -q 'HVL-BENCH-BEGIN' "$4.txt"; then
			boot_status="never reached /init (QEMU exit status $bt_rc)"
		else
			boot_status="guest stopped before the end sentinel (QEMU exit status $bt_rc)"
		fi
	fi
}

total_start=$(date +%s)
for suite in "$@"; do
	k_start=$(date +%s)
	note "=== $suite: preparing chroot and kernel"
	if ! rel=$("$repo/scripts/suite-chroot.sh" "$suite"); then
		record FAIL "$suite/prepare" "scripts/suite-chroot.sh $suite failed"
		printf '%s prepare-failed\n' "$suite" >>"$summary"
		continue
	fi
	kdir=$cache/kernels/$rel
	kout=$out/$rel
	rm -rf --one-file-system "$kout"
	mkdir -p "$kout"

	# Build, serialised against other builds in the same chroot.
	exec 8>"$cache/chroots/.$suite.build.lock"
	flock 8
	copy_tree "$suite"
	copy=$cache/chroots/$suite/build/qemu-bench
	for d in src tests/hostsim tests/qemu/testmod; do
		tag=$(printf '%s' "$d" | tr / -)
		if [ ! -f "$copy/$d/Makefile" ]; then
			note "$rel: $d has no Makefile yet; skipping it"
			continue
		fi
		note "$rel: building $d"
		if build_dir "$suite" "$rel" "$d" "$kout/build-$tag.log"; then
			record PASS "$rel/build:$d"
		else
			record FAIL "$rel/build:$d" "make failed: $({ grep -i -E 'error:|undefined!' "$kout/build-$tag.log" || grep -F '***' "$kout/build-$tag.log" || echo 'see log'; } | head -n 1) (log: $kout/build-$tag.log)"
		fi
	done
	mkdir -p "$kout/ko"
	# Flatten every built module into ko/; a name built twice (e.g. src/
	# rebuilt by tests/hostsim) keeps the first copy, warning if they differ.
	for d in src tests/hostsim tests/qemu/testmod; do
		[ -d "$copy/$d" ] || continue
		find "$copy/$d" -name '*.ko' | LC_ALL=C sort | while read -r ko; do
			b=${ko##*/}
			if [ ! -e "$kout/ko/$b" ]; then
				cp "$ko" "$kout/ko/$b"
			elif ! cmp -s "$ko" "$kout/ko/$b"; then
				note "$rel: ${ko#"$copy"/} differs from an earlier $b; keeping the earlier one"
			fi
		done
	done
	exec 8>&-

	if ! stage_kmods "$rel" "$kout/initramfs"; then
		record FAIL "$rel/kmods" "could not stage --kmods '$kmods'"
	fi
	if ! make_initramfs "$rel" "$kout/initramfs" "$kout/ko" "$kout/initrd.gz"; then
		record FAIL "$rel/initramfs" "could not pack the initramfs (tools: $tools)"
		continue
	fi
	prep_secs=$(($(date +%s) - k_start))

	note "$rel: booting under TCG (limit ${boot_timeout}s, log: $kout/serial.log)"
	boot "$rel" "$kdir" "$kout/initrd.gz" "$kout/serial.log"
	# A kernel that dies before /init ran (an emulator hiccup while the
	# kernel patches itself under TCG, seen once on 7.2) ran none of our
	# code: boot once more, keep the first log, and say so.
	if [ "$boot_status" != ok ] && [ "$shell" = 0 ] &&
		! grep -q 'HVL-BENCH-BEGIN' "$kout/serial.log.txt" 2>/dev/null; then
		note "$rel: kernel stopped before /init ($boot_status); booting once more (first log: $kout/serial.log.first)"
		mv "$kout/serial.log" "$kout/serial.log.first"
		boot "$rel" "$kdir" "$kout/initrd.gz" "$kout/serial.log"
	fi
	[ "$shell" = 0 ] || continue

	# Guest results, prefixed with the release.
	awk -v r="$rel" '/^(PASS|FAIL|SKIP) / { v = $1; rest = substr($0, 6); print v " " r "/" rest }' \
		"$kout/serial.log.txt" | tee -a "$results"
	if [ "$boot_status" = ok ]; then
		record PASS "$rel/boot"
	else
		record FAIL "$rel/boot" "$boot_status (log: $kout/serial.log)"
	fi
	guest_up=$(sed -n 's/^.*HVL-BENCH-BEGIN .* uptime=\([0-9.]*\).*/\1/p' "$kout/serial.log.txt" | head -n 1)
	printf '%s %s prepare+build=%ss boot-to-init=%ss (guest uptime %ss) qemu-total=%ss status=%s\n' \
		"$rel" "$suite" "$prep_secs" "${begin_secs:-?}" "${guest_up:-?}" "$boot_secs" "$boot_status" >>"$summary"
done

[ "$shell" = 0 ] || exit 0

pass_n=$(grep -c '^PASS ' "$results" || true)
fail_n=$(grep -c '^FAIL ' "$results" || true)
skip_n=$(grep -c '^SKIP ' "$results" || true)
echo
echo "=== summary ($(($(date +%s) - total_start))s, results in $results)"
cat "$summary"
if [ "$fail_n" -gt 0 ]; then
	echo "failures:"
	grep '^FAIL ' "$results" | sed 's/^/  /'
fi
[ "$skip_n" -eq 0 ] || echo "$skip_n skipped"
echo "$pass_n passed, $fail_n failed"
[ "$fail_n" -eq 0 ] && [ "$pass_n" -gt 0 ]
