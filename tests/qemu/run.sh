#!/bin/sh
# tests/qemu/run.sh: the QEMU test bench.
#
# For each kernel: prepare that Debian suite's chroot and kernel image
# (scripts/suite-chroot.sh), build our modules, the host simulator and the
# bench self-test module inside the chroot, pack them with static busybox,
# /init and the scenario scripts into an initramfs, boot the kernel under
# QEMU TCG and collect the PASS/FAIL/SKIP lines the scenarios send on the
# results channel (the guest's second serial port, which the kernel never
# writes to; the console, ttyS0, is only a log).
#
# usage: tests/qemu/run.sh [options]
#   --kernel K       all (default: bullseye bookworm trixie sid), a suite name,
#                    or a kernel release a suite chroot provides; may be a
#                    comma-separated list; "debug": the debug kernel
#                    (scripts/debug-kernel.sh: KASAN, lockdep, kmemleak,
#                    DEBUG_ATOMIC_SLEEP, slub_debug; not part of "all")
#   --scenarios GLOB run only scenarios whose name matches GLOB (or one of a
#                    comma-separated list of globs); the name is
#                    the file name without .sh, tried with and without its
#                    leading "NN-" (so 'demo*' matches 50-demo-net.sh).
#                    Default: all but the benchmarks (bench-*, make bench)
#   --scenario-dir DIR  take scenarios from DIR instead of tests/qemu/scenarios
#   --demo           same as --kernel sid --scenarios 'demo*' --verbose
#   --kmods LIST     in-kernel modules (comma/space separated) to put in the
#                    initramfs with their dependencies; load with load_kmod
#                    (added to what the selected scenarios declare, below)
#   --timeout SEC    host-side limit per kernel boot (default 900; the
#                    debug kernel: 4 times as long unless given)
#   --scenario-timeout SEC  guest-side limit per scenario (default 600; the
#                    debug kernel: 3 times as long unless given)
#   --loglevel N     console loglevel (default 4: errors and worse)
#   --out DIR        results directory (default tests/qemu/out)
#   --verbose        stream each guest's serial console while it runs
#   --shell          after the scenarios, give an interactive guest shell
#                    (one kernel only; no time limit)
#   -h, --help
#
# Environment: HVL_CACHE (see scripts/suite-chroot.sh), HVL_QEMU (default
# qemu-system-x86_64), HVL_QEMU_ARGS (extra QEMU arguments, word-split),
# HVL_JOBS (make -j, default nproc), HVL_BUSYBOX (static busybox binary),
# HVL_APPEND (words added to the guest kernel's command line, for scenarios
# that read /proc/cmdline, e.g. "hvl.hostile_secs=120").
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
#   # hvl-skip-if: COND NAME...   a SKIP of a result NAME (glob) of this
#                                 scenario is expected on a kernel where COND
#                                 holds: kernel<X.Y[.Z], kernel>=X.Y[.Z],
#                                 CONFIG_FOO (=y or =m in the kernel's config)
#                                 or !CONFIG_FOO. Any other SKIP is a FAIL.
#
# Output: results as they come, then a summary whose last line is exactly
# "N passed, M failed". Exit 0 only if M is 0 and N > 0. Every selected
# scenario must start and end on the results channel, its result counts
# and the guest's totals must match what arrived, and any error while
# preparing the initramfs fails the kernel; a boot that does not reach the
# guest's end sentinel (hang, panic, timeout) is a FAIL for that kernel.
# Per-kernel files in OUT/<release>/: serial.log (console), results.log
# (results channel), build-*.log, initrd.gz; OUT/results.txt has every
# result line.

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
# Without --scenarios: every scenario but the benchmarks (bench-*: figures
# for make bench, minutes of fio and streaming that check nothing the other
# scenarios do not).
exclude='bench*'
scen_dir=$here/scenarios
demo=0
kmods=
boot_timeout=
scen_timeout=
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
		--scenarios) need_arg "$@"; glob=$2; exclude=; shift 2 ;;
		--scenarios=*) glob=${1#*=}; exclude=; shift ;;
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

# The debug kernel (KASAN, lockdep, kmemleak under TCG) runs the same
# scenarios several times slower: longer limits unless given.
debug_boot_timeout=${boot_timeout:-3600}
debug_scen_timeout=${scen_timeout:-1800}
boot_timeout=${boot_timeout:-900}
scen_timeout=${scen_timeout:-600}
# Kernel command line of the debug kernel: SLUB's own checks (sanity,
# red zones, poisoning) on top of KASAN, and every KASAN report printed
# (not only the first).
debug_append=${HVL_DEBUG_APPEND-slub_debug=FZP kasan_multi_shot}
# Memory checks a Debian kernel has built in, on the kernels of
# HVL_MEMDEBUG_SUITES (default sid; "" for none): SLUB sanity checks, red
# zones and poison (a write into a freed object is reported at its next
# allocation), freed pages poisoned and checked when allocated again (a
# host write into a page we gave back), KFENCE sampling use-after-free.
# Any report is a splat that fails the scenario (lib.sh).
memdebug_suites=${HVL_MEMDEBUG_SUITES-sid}
memdebug_append=${HVL_MEMDEBUG_APPEND-slub_debug=FZP page_poison=1 kfence.sample_interval=100}

if [ "$demo" = 1 ]; then
	kernels=sid
	glob='demo*'
	verbose=1
fi
for n in "$boot_timeout" "$scen_timeout" "$loglevel"; do
	case $n in ''|*[!0-9]*) die "'$n' is not a number of seconds/level" ;; esac
done
for n in "$debug_boot_timeout" "$debug_scen_timeout"; do
	case $n in ''|*[!0-9]*) die "'$n' is not a number of seconds" ;; esac
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
	if [ -n "$exclude" ]; then
		# shellcheck disable=SC2254 # $exclude is a pattern on purpose
		case $short in $exclude) continue ;; esac
	fi
	# a comma-separated list of globs: any of them
	_ifs=$IFS
	IFS=,
	set -f
	for g in $glob; do
		IFS=$_ifs
		# shellcheck disable=SC2254 # $g is a pattern on purpose
		case $b in $g) scen_list="$scen_list $f"; break ;; esac
		# shellcheck disable=SC2254
		case $short in $g) scen_list="$scen_list $f"; break ;; esac
	done
	set +f
	IFS=$_ifs
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
scen_names=
for f in $scen_list; do
	b=${f##*/}
	scen_names="$scen_names ${b%.sh}"
done

# ver_num RELEASE: comparable number of a kernel version, 5.10.0-27 -> 5010000
ver_num() {
	printf '%s\n' "$1" | awk -F'[^0-9]+' '{ printf "%d\n", $1 * 1000000 + $2 * 1000 + $3 }'
}
# skip_cond COND [REL]: without REL, check COND's syntax; with REL, does
# COND hold for that kernel (0 yes, 1 no; a CONFIG_ test without the
# kernel's config file does not hold).
skip_cond() {
	sc_rel=${2:-}
	case $1 in
		kernel\<[0-9]*|kernel\>=[0-9]*)
			sc_v=${1#kernel<}
			sc_v=${sc_v#kernel>=}
			case $sc_v in *[!0-9.]*) return 2 ;; esac
			[ -n "$sc_rel" ] || return 0
			case $1 in
				kernel\<*) [ "$(ver_num "$sc_rel")" -lt "$(ver_num "$sc_v")" ] ;;
				*) [ "$(ver_num "$sc_rel")" -ge "$(ver_num "$sc_v")" ] ;;
			esac
			;;
		CONFIG_[A-Z0-9_]*|!CONFIG_[A-Z0-9_]*)
			sc_o=${1#!}
			case $sc_o in *[!A-Z0-9_]*) return 2 ;; esac
			[ -n "$sc_rel" ] || return 0
			sc_cfg=$cache/kernels/$sc_rel/config
			[ -r "$sc_cfg" ] || return 1
			if grep -q -E "^$sc_o=(y|m)\$" "$sc_cfg"; then
				[ "$sc_o" = "$1" ]
			else
				[ "$sc_o" != "$1" ]
			fi
			;;
		*) return 2 ;;
	esac
}
# skip_decls: "scenario COND glob..." for every hvl-skip-if line of the
# selected scenarios.
skip_decls() {
	for f in $scen_list; do
		b=${f##*/}
		sed -n "s/^#[[:space:]]*hvl-skip-if:[[:space:]]*/${b%.sh} /p" "$f"
	done
}
skip_decls | while read -r s c g; do
	[ -n "$g" ] || die "$s.sh: 'hvl-skip-if: $c' names no result"
	skip_cond "$c" || die "$s.sh: hvl-skip-if: '$c' is no condition (kernel<X.Y, kernel>=X.Y, CONFIG_X, !CONFIG_X)"
done || exit 2
# skips_allowed REL: "scenario glob" for each declared SKIP that REL may
# report.
skips_allowed() {
	skip_decls | {
		set -f # the globs are words here, not file names
		while read -r s c g; do
			skip_cond "$c" "$1" || continue
			for x in $g; do
				printf '%s %s %s\n' "$s" "$x" "$c"
			done
		done
	}
}
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
		bullseye|bookworm|trixie|sid|debug) targets="$targets $k" ;;
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
	(cd "$repo" && tar -cf "$ct_dst.tar" --exclude=tests/qemu/out \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='.*.cmd' --exclude=Module.symvers --exclude=modules.order \
		--exclude=.tmp_versions $ct_dirs) &&
		tar -xf "$ct_dst.tar" -C "$ct_dst" &&
		rm -f "$ct_dst.tar"
}

# stage_kmods REL STAGE: copy the --kmods modules and their dependencies,
# decompressed, into STAGE/lib/modules/REL with a matching modules.dep.
stage_kmods() {
	sk_src=$cache/kernels/$1/modules
	sk_dst=$2/lib/modules/$1
	mkdir -p "$sk_dst" || return 1
	for f in modules.builtin modules.builtin.modinfo; do
		[ ! -f "$sk_src/$f" ] || cp "$sk_src/$f" "$sk_dst/" || return 1
	done
	: >"$sk_dst/modules.dep" || return 1
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
		}' "$sk_src/modules.dep" >"$2/.kmods" || { note "$1: cannot read $sk_src/modules.dep"; return 1; }
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
		mkdir -p "$sk_dst/$(dirname "$plain")" || { sk_rc=1; continue; }
		case $p in
			*.xz) xz -dc "$sk_src/$p" >"$sk_dst/$plain" ;;
			*.zst) zstd -qdc "$sk_src/$p" >"$sk_dst/$plain" ;;
			*.gz) gzip -dc "$sk_src/$p" >"$sk_dst/$plain" ;;
			*) cp "$sk_src/$p" "$sk_dst/$plain" ;;
		esac || { note "$1: cannot copy/decompress $p"; sk_rc=1; }
		if ! sk_dep=$(grep "^$p:" "$sk_src/modules.dep") ||
			! printf '%s\n' "$sk_dep" |
			sed -e 's/\.ko\.xz/.ko/g' -e 's/\.ko\.zst/.ko/g' -e 's/\.ko\.gz/.ko/g' >>"$sk_dst/modules.dep"; then
			note "$1: cannot add $p to modules.dep"
			sk_rc=1
		fi
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

# mi_fail WHAT: make_initramfs could not do WHAT. It runs inside an "if",
# where set -e does nothing: every step there checks its status and ends
# in "|| { mi_fail ...; return 1; }".
mi_fail() {
	mi_why="$1 failed"
	note "initramfs: $mi_why"
}

# make_initramfs REL STAGE KODIR INITRD: fill STAGE (which may already hold
# lib/modules) and pack it into INITRD; then read INITRD back and check
# that every file that should be in it is. Any error: non-zero, mi_why
# says what.
make_initramfs() {
	mi_stage=$2
	mi_why=
	mi_want=$mi_stage.want # what the archive must hold, checked at the end
	for d in bin sbin usr/bin usr/sbin proc sys dev tmp run etc root modules hvl/scenarios; do
		mkdir -p "$mi_stage/$d" || { mi_fail "mkdir $mi_stage/$d"; return 1; }
	done
	printf '%s\n' bin/busybox init hvl/lib.sh etc/passwd etc/group >"$mi_want" ||
		{ mi_fail "writing $mi_want"; return 1; }
	cp "$busybox" "$mi_stage/bin/busybox" || { mi_fail "copy $busybox"; return 1; }
	mi_applets=$("$busybox" --list-full) || { mi_fail "$busybox --list-full"; return 1; }
	[ -n "$mi_applets" ] || { mi_fail "$busybox --list-full (no applets)"; return 1; }
	for a in $mi_applets; do
		[ "$a" = bin/busybox ] && continue
		{ mkdir -p "$mi_stage/$(dirname "$a")" && ln -sf /bin/busybox "$mi_stage/$a"; } ||
			{ mi_fail "applet link $a"; return 1; }
	done
	{ cp "$here/init.sh" "$mi_stage/init" && chmod 0755 "$mi_stage/init"; } ||
		{ mi_fail "copy init.sh"; return 1; }
	cp "$here/lib.sh" "$mi_stage/hvl/lib.sh" || { mi_fail "copy lib.sh"; return 1; }
	for f in $scen_list; do
		cp "$f" "$mi_stage/hvl/scenarios/" || { mi_fail "copy scenario $f"; return 1; }
		echo "hvl/scenarios/${f##*/}" >>"$mi_want"
	done
	# Data files that scenarios keep beside them (anything not *.sh).
	for f in "$scen_dir"/*; do
		case $f in *.sh) continue ;; esac
		[ -e "$f" ] || [ -L "$f" ] || continue # the glob matched nothing
		cp -R "$f" "$mi_stage/hvl/scenarios/" || { mi_fail "copy scenario data $f"; return 1; }
		echo "hvl/scenarios/${f##*/}" >>"$mi_want"
	done
	for ko in "$3"/*.ko; do
		[ -e "$ko" ] || [ -L "$ko" ] || continue # no module was built
		cp "$ko" "$mi_stage/modules/" || { mi_fail "copy module $ko"; return 1; }
		echo "modules/${ko##*/}" >>"$mi_want"
	done
	stage_tools "$mi_stage" || { mi_fail "staging hvl-tools ($tools)"; return 1; }
	for tp in $tool_paths; do
		echo "usr/local/bin/${tp%%=*}" >>"$mi_want"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$mi_stage/etc/passwd" || { mi_fail "writing etc/passwd"; return 1; }
	printf 'root:x:0:\n' >"$mi_stage/etc/group" || { mi_fail "writing etc/group"; return 1; }
	# Pack in steps, so that no failure hides on the left of a pipe.
	(cd "$mi_stage" && find .) >"$4.list" || { mi_fail "listing $mi_stage"; return 1; }
	LC_ALL=C sort "$4.list" >"$4.sorted" || { mi_fail "sorting the file list"; return 1; }
	(cd "$mi_stage" && cpio -o -H newc -R 0:0 --quiet) <"$4.sorted" >"$4.cpio" ||
		{ mi_fail "cpio -o"; return 1; }
	gzip -1 <"$4.cpio" >"$4" || { mi_fail "gzip"; return 1; }
	# Read it back: every file it must hold is in it.
	gzip -dc "$4" >"$4.cpio" || { mi_fail "gzip -d of $4"; return 1; }
	cpio -it --quiet <"$4.cpio" >"$4.list" || { mi_fail "cpio -t of $4"; return 1; }
	sed 's|^\./||' "$4.list" | LC_ALL=C sort -u >"$4.sorted" || { mi_fail "sorting the list of $4"; return 1; }
	LC_ALL=C sort -u "$mi_want" >"$mi_want.s" || { mi_fail "sorting $mi_want"; return 1; }
	mi_missing=$(LC_ALL=C comm -13 "$4.sorted" "$mi_want.s") || { mi_fail "comparing $4 with $mi_want"; return 1; }
	rm -f "$4.list" "$4.sorted" "$4.cpio" "$mi_want" "$mi_want.s"
	if [ -n "$mi_missing" ]; then
		mi_why="missing from $4: $(printf '%s\n' "$mi_missing" | head -n 5 | tr '\n' ' ')"
		note "initramfs: $mi_why"
		return 1
	fi
}

# clean_log RAW: the serial log without carriage returns and terminal escape
# sequences (SeaBIOS and the console emit some at the start of lines).
esc=$(printf '\033')
clean_log() {
	tr -d '\r' <"$1" | sed -e "s/${esc}\[[0-9;?]*[A-Za-z]//g" -e "s/${esc}[A-Za-z]//g"
}

# check_channel REL LOG ALLOWED: the results channel LOG of one boot as
# result lines "VERDICT REL/NAME[: WHY]", with the runner's own checks:
# every selected scenario (scen_names) has START, EXIT and END markers
# (init.sh), the guest's counts per scenario and in total equal what is on
# the channel, no result lies outside a scenario, no line is unreadable, and
# a SKIP is a FAIL unless ALLOWED ("scenario glob cond" lines, from
# skips_allowed) lets that scenario skip that result on this kernel. The
# seconds each scenario took (guest uptime, from its END marker) go to
# TIMES as one line "name=Ns ...".
check_channel() {
	tr -d '\r\000' <"$2" | awk -v r="$1" -v expect="$scen_names" -v allowf="$3" -v timesf="$4" '
		function g2re(g,  re, i, c) {
			re = "^"
			for (i = 1; i <= length(g); i++) {
				c = substr(g, i, 1)
				if (c == "*") re = re ".*"
				else if (c == "?") re = re "."
				else if (index("\\^$.[]|()+{}", c)) re = re "\\" c
				else re = re c
			}
			return re "$"
		}
		function bad(name, why) { print "FAIL " r "/" name ": " why; nbad++ }
		function allowed(sc, name,  i) {
			for (i = 1; i <= nallow[sc]; i++)
				if (name ~ allow[sc, i]) return 1
			return 0
		}
		# kv: the key=value words of a marker line into K
		function kv(  i, e) {
			split("", K)
			for (i = 3; i <= NF; i++) {
				e = index($i, "=")
				if (e) K[substr($i, 1, e - 1)] = substr($i, e + 1)
			}
		}
		BEGIN {
			n = split(expect, E, " ")
			for (i = 1; i <= n; i++) want[E[i]] = 1
			while ((getline l < allowf) > 0) {
				split(l, a, " ")
				allow[a[1], ++nallow[a[1]]] = g2re(a[2])
			}
			cur = ""
			tp = tf = ts = 0
		}
		/^HVL-R BEGIN / { nbegin++; next }
		/^HVL-R START / {
			if (cur != "")
				bad(cur "/end", "no END marker before the next scenario (" $3 ") started")
			cur = $3
			bp = bf = bs = 0
			exited = endfail = 0
			if (started[cur]++)
				bad(cur, "started twice")
			if (!(cur in want))
				bad(cur, "ran, but the runner did not ask for it")
			next
		}
		/^HVL-R EXIT / {
			if ($3 == cur) exited = 1
			else bad("results-channel", "EXIT marker of " $3 " while in " (cur == "" ? "no scenario" : cur))
			next
		}
		/^HVL-R END / {
			if ($3 != cur || cur == "") {
				bad("results-channel", "END marker of " $3 " while in " (cur == "" ? "no scenario" : cur))
				next
			}
			kv()
			if (!exited && !endfail)
				bad(cur "/end", "the scenario did not reach its end (no EXIT marker) and the guest did not report it")
			if (K["pass"] "" != bp "" || K["fail"] "" != bf "" || K["skip"] "" != bs "")
				bad(cur "/count", "the guest counted " K["pass"] " pass " K["fail"] " fail " K["skip"] " skip, the results channel has " bp " pass " bf " fail " bs " skip")
			ended[cur] = 1
			if (K["secs"] != "") times = times " " cur "=" K["secs"] "s"
			cur = ""
			next
		}
		/^HVL-R DONE / {
			kv()
			done = 1
			if (K["pass"] "" != tp "" || K["fail"] "" != tf "" || K["skip"] "" != ts "")
				bad("totals", "the guest counted " K["pass"] " pass " K["fail"] " fail " K["skip"] " skip in all, the results channel has " tp " pass " tf " fail " ts " skip")
			if (K["scenarios"] "" != n "")
				bad("totals", "the guest ran " K["scenarios"] " scenarios, the runner asked for " n)
			next
		}
		/^(PASS|FAIL|SKIP) [^ ]/ {
			v = $1
			name = $2
			sub(/:$/, "", name)
			rest = substr($0, 6)
			if (cur == "") {
				bad("results-channel", "result outside any scenario: " $0)
				next
			}
			if (v == "PASS") { bp++; tp++ }
			else if (v == "FAIL") { bf++; tf++ }
			else { bs++; ts++ }
			if (v == "FAIL" && name == cur "/end") endfail = 1
			if (v == "SKIP" && !allowed(cur, name)) {
				why = rest
				sub(/^[^ ]*: ?/, "", why)
				bad(name, "unexpected SKIP (" why "): " cur " declares no hvl-skip-if for it that holds on this kernel")
				next
			}
			print v " " r "/" rest
			next
		}
		/^[[:space:]]*$/ { next }
		{
			if (++junk <= 3) bad("results-channel", "unreadable line: " substr($0, 1, 160))
		}
		END {
			if (cur != "")
				bad(cur "/end", "no END marker: the guest stopped during this scenario (kernel panic or oops, hang, time limit; see serial.log)")
			for (i = 1; i <= n; i++)
				if (!(E[i] in started))
					bad(E[i], "never started: the guest stopped before it, or it is not in the initramfs")
			if (!nbegin)
				bad("results-channel", "nothing from the guest on the results channel (second serial port, ttyS1)")
			else if (!done)
				bad("results-channel", "no DONE line: the guest did not finish its run")
			if (timesf != "") print substr(times, 2) > timesf
		}'
}

# shutdown_check REL LOG: init leaves hv_vmbus connected to the simulated
# host through the power off ("HVL-BENCH-SHUTDOWN-CHECK armed"); the
# guest's syscore shutdown hook must then send UNLOAD and the host answer
# it, both after the mark on the console (kernel lines: the results
# channel is closed by then).
shutdown_check() {
	sc_after=$(sed -n '/HVL-BENCH-SHUTDOWN-CHECK armed/,$p' "$2")
	if [ -z "$sc_after" ]; then
		record FAIL "$1/shutdown-unload" "init did not leave the VMBus driver loaded for the power off (no 'armed' line)"
	elif ! printf '%s\n' "$sc_after" | grep -q 'system going down: host told to unload VMBus'; then
		record FAIL "$1/shutdown-unload" "no UNLOAD from the guest's shutdown hook during the power off"
	elif ! printf '%s\n' "$sc_after" | grep -q 'hv_hostsim: UNLOAD answered'; then
		record FAIL "$1/shutdown-unload" "the host never saw the UNLOAD"
	elif printf '%s\n' "$sc_after" | grep -q 'no UNLOAD_RESPONSE'; then
		record FAIL "$1/shutdown-unload" "the guest did not see the host's UNLOAD_RESPONSE"
	else
		record PASS "$1/shutdown-unload"
	fi
}

# boot REL KDIR INITRD LOG: run QEMU; sets boot_secs, boot_status. The
# results channel (the guest's ttyS1: a second ISA 16550, which every
# kernel since 2.6 finds at 0x2f8) goes to LOG's directory, results.log.
boot() {
	# tsc=reliable: TCG's vCPUs read one host clock, but the boot-time TSC
	# sync check sometimes fails on them and some kernels then run on the
	# HPET, whose every read is an emulated MMIO access: timing-heavy
	# paths (fio, block I/O accounting) would cost several times more on
	# those kernels and make figures incomparable across kernels.
	bt_append="console=ttyS0 panic=-1 loglevel=$loglevel log_buf_len=4M tsc=reliable hvl.release=$1 hvl.timeout=$k_scen_timeout${k_append:+ $k_append}${HVL_APPEND:+ $HVL_APPEND}"
	[ "$shell" = 0 ] || bt_append="$bt_append hvl.shell=1"
	# Both ports named: a "-device isa-serial" would turn off the default
	# console port of -nographic (seen: no console at all).
	bt_chan="-serial mon:stdio -serial file:${4%/*}/results.log"
	bt_start=$(date +%s)
	if [ "$shell" = 1 ]; then
		# shellcheck disable=SC2086 # HVL_QEMU_ARGS is a word list
		"$qemu" -accel tcg -cpu max -smp 2 -m "$mem_mb" -nographic -no-reboot -nic none \
			$bt_chan -kernel "$2/vmlinuz" -initrd "$3" -append "$bt_append" ${HVL_QEMU_ARGS:-}
		boot_status="interactive"
		boot_secs=$(($(date +%s) - bt_start))
		return 0
	fi
	# shellcheck disable=SC2086
	timeout -k 10 $((k_boot_timeout + 30)) \
		"$qemu" -accel tcg -cpu max -smp 2 -m "$mem_mb" -nographic -no-reboot -nic none \
		$bt_chan -kernel "$2/vmlinuz" -initrd "$3" -append "$bt_append" ${HVL_QEMU_ARGS:-} \
		</dev/null >"$4" 2>&1 &
	qpid=$!
	if [ "$verbose" = 1 ]; then
		# Live console, cleaned like clean_log (GNU sed -u: line by line).
		tail -n +1 -f --pid="$qpid" "$4" |
			sed -u -e 's/\r//g' -e "s/${esc}\[[0-9;?]*[A-Za-z]//g" -e "s/${esc}[A-Za-z]//g" &
		tailpid=$!
	fi
	bt_deadline=$((bt_start + k_boot_timeout))
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
			boot_status="timed out after ${k_boot_timeout}s"
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
	# csuite: the chroot our modules are built in; the debug kernel is
	# built in (and its tree kept in) one suite's chroot.
	csuite=$suite
	k_boot_timeout=$boot_timeout
	k_scen_timeout=$scen_timeout
	k_append=
	if [ "$suite" = debug ]; then
		csuite=${HVL_DEBUG_SUITE:-trixie}
		k_boot_timeout=$debug_boot_timeout
		k_scen_timeout=$debug_scen_timeout
		k_append=$debug_append
		k_prep="scripts/debug-kernel.sh"
		rel=$("$repo/scripts/debug-kernel.sh") || rel=
	else
		k_prep="scripts/suite-chroot.sh $suite"
		case " $memdebug_suites " in
			*" $suite "*) k_append=$memdebug_append ;;
		esac
		rel=$("$repo/scripts/suite-chroot.sh" "$suite") || rel=
	fi
	if [ -z "$rel" ]; then
		record FAIL "$suite/prepare" "$k_prep failed"
		printf '%s prepare-failed\n' "$suite" >>"$summary"
		continue
	fi
	kdir=$cache/kernels/$rel
	kout=$out/$rel
	rm -rf --one-file-system "$kout"
	mkdir -p "$kout"

	# Build, serialised against other builds in the same chroot.
	exec 8>"$cache/chroots/.$csuite.build.lock"
	flock 8
	if ! copy_tree "$csuite"; then
		record FAIL "$rel/build" "could not copy src/ and tests/ into the $csuite chroot"
		exec 8>&-
		continue
	fi
	copy=$cache/chroots/$csuite/build/qemu-bench
	for d in src tests/hostsim tests/qemu/testmod; do
		tag=$(printf '%s' "$d" | tr / -)
		if [ ! -f "$copy/$d/Makefile" ]; then
			note "$rel: $d has no Makefile yet; skipping it"
			continue
		fi
		note "$rel: building $d"
		if build_dir "$csuite" "$rel" "$d" "$kout/build-$tag.log"; then
			record PASS "$rel/build:$d"
		else
			record FAIL "$rel/build:$d" "make failed: $({ grep -i -E 'error:|undefined!' "$kout/build-$tag.log" || grep -F '***' "$kout/build-$tag.log" || echo 'see log'; } | head -n 1) (log: $kout/build-$tag.log)"
		fi
	done
	# Flatten every built module into ko/; a name built twice (e.g. src/
	# rebuilt by tests/hostsim) keeps the first copy, warning if they differ.
	ko_why=
	mkdir -p "$kout/ko" || ko_why="mkdir $kout/ko"
	for d in src tests/hostsim tests/qemu/testmod; do
		[ -d "$copy/$d" ] || continue
		if ! find "$copy/$d" -name '*.ko' >"$kout/ko.list" ||
			! LC_ALL=C sort "$kout/ko.list" >"$kout/ko.sorted"; then
			ko_why="find in $copy/$d"
			break
		fi
		while read -r ko; do
			b=${ko##*/}
			if [ ! -e "$kout/ko/$b" ]; then
				cp "$ko" "$kout/ko/$b" || ko_why="copy $ko"
			elif ! cmp -s "$ko" "$kout/ko/$b"; then
				note "$rel: ${ko#"$copy"/} differs from an earlier $b; keeping the earlier one"
			fi
		done <"$kout/ko.sorted"
	done
	rm -f "$kout/ko.list" "$kout/ko.sorted"
	exec 8>&-

	# Any error from here to the packed initramfs fails this kernel: the
	# guest would run without what it lacks and report a SKIP, or nothing.
	if [ -n "$ko_why" ]; then
		record FAIL "$rel/initramfs" "collecting the built modules: $ko_why failed"
		continue
	fi
	if ! stage_kmods "$rel" "$kout/initramfs"; then
		# Boot anyway: the scenarios that need none of them still run.
		record FAIL "$rel/initramfs" "could not stage the in-kernel modules '$kmods'"
	fi
	if ! make_initramfs "$rel" "$kout/initramfs" "$kout/ko" "$kout/initrd.gz"; then
		record FAIL "$rel/initramfs" "${mi_why:-could not pack the initramfs}"
		continue
	fi
	skips_allowed "$rel" >"$kout/skips-allowed" || die "skips_allowed $rel failed"
	if [ -s "$kout/skips-allowed" ]; then
		note "$rel: SKIPs this kernel may report (hvl-skip-if): $(awk '{ printf "%s%s:%s (%s)", (NR > 1 ? ", " : ""), $1, $2, $3 }' "$kout/skips-allowed")"
	fi
	prep_secs=$(($(date +%s) - k_start))

	note "$rel: booting under TCG (limit ${k_boot_timeout}s, log: $kout/serial.log)"
	boot "$rel" "$kdir" "$kout/initrd.gz" "$kout/serial.log"
	# A kernel that dies before /init ran (an emulator hiccup while the
	# kernel patches itself under TCG, seen once on 7.2) ran none of our
	# code: boot once more, keep the first log, and say so.
	if [ "$boot_status" != ok ] && [ "$shell" = 0 ] &&
		! grep -q 'HVL-BENCH-BEGIN' "$kout/serial.log.txt" 2>/dev/null; then
		note "$rel: kernel stopped before /init ($boot_status); booting once more (first log: $kout/serial.log.first)"
		mv "$kout/serial.log" "$kout/serial.log.first"
		mv "$kout/results.log" "$kout/results.log.first" 2>/dev/null || true
		boot "$rel" "$kdir" "$kout/initrd.gz" "$kout/serial.log"
	fi
	[ "$shell" = 0 ] || continue

	# Guest results from the results channel only (never the console,
	# where printk writes too), prefixed with the release and checked.
	[ -f "$kout/results.log" ] || : >"$kout/results.log"
	check_channel "$rel" "$kout/results.log" "$kout/skips-allowed" "$kout/times.txt" >"$kout/results.txt" ||
		echo "FAIL $rel/results-channel: could not read $kout/results.log" >>"$kout/results.txt"
	tee -a "$results" <"$kout/results.txt"
	if ! grep -q '^HVL-R BEGIN' "$kout/results.log"; then
		con_n=$(grep -c -E '^(PASS|FAIL|SKIP) ' "$kout/serial.log.txt" || true)
		[ "$con_n" -eq 0 ] ||
			note "$rel: the console shows $con_n result lines, the results channel none: not counted"
	fi
	if [ "$boot_status" = ok ]; then
		record PASS "$rel/boot"
		shutdown_check "$rel" "$kout/serial.log.txt"
	else
		record FAIL "$rel/boot" "$boot_status (log: $kout/serial.log)"
	fi
	guest_up=$(sed -n 's/^.*HVL-BENCH-BEGIN .* uptime=\([0-9.]*\).*/\1/p' "$kout/serial.log.txt" | head -n 1)
	printf '%s %s prepare+build=%ss boot-to-init=%ss (guest uptime %ss) qemu-total=%ss status=%s\n' \
		"$rel" "$suite" "$prep_secs" "${begin_secs:-?}" "${guest_up:-?}" "$boot_secs" "$boot_status" >>"$summary"
	[ ! -s "$kout/times.txt" ] || printf '  scenario times: %s\n' "$(cat "$kout/times.txt")" >>"$summary"
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
[ "$skip_n" -eq 0 ] || echo "$skip_n skipped (each declared by its scenario's hvl-skip-if for that kernel)"
echo "$pass_n passed, $fail_n failed"
[ "$fail_n" -eq 0 ] && [ "$pass_n" -gt 0 ]
