# 25-cpu-hotplug: hv_vmbus follows CPU hotplug (SynIC per CPU, A.4) against
# the host simulator on a 2-CPU guest, and moves channels off a CPU that
# goes offline (MODIFYCHANNEL, 4.1+, B.3).
#   cpu-hotplug-connect-1cpu   with CPU 1 offline, the bus connects and every
#                              channel targets CPU 0
#   cpu-hotplug-online         CPU 1 comes back; a channel offered afterwards
#                              may target it, and 8 MiB through it verify
#   cpu-hotplug-move-5.3       (host 5.3: MODIFYCHANNEL is answered) CPU 1
#                              goes offline with that channel on it: the
#                              channel now targets CPU 0 in the guest and in
#                              the host, one log line, 8 MiB through it
#                              verify; CPU 1 comes back
#   cpu-hotplug-veto-cpu0      CPU 0 (host messages) stays online where it is
#                              hotpluggable
#   cpu-hotplug-move-5.0       (host 5.0: MODIFYCHANNEL is not answered) the
#                              same, the log says the host does not
#                              acknowledge
#   cpu-hotplug-veto-4.0       (host 4.0: no MODIFYCHANNEL) CPU 1 refuses to
#                              go offline while an open channel targets it
#                              (EBUSY, the log names the missing message)
#   cpu-hotplug-offline        once that channel is rescinded, CPU 1 goes
#                              offline, and online again
#   cpu-hotplug-violations-V   no protocol violation at host version V (a
#                              channel left on a CPU whose SynIC is off is
#                              one: target_synic_off)
# A kernel without CPU hotplug has no cpu1/online and skips it all:
# hvl-skip-if: !CONFIG_HOTPLUG_CPU cpu-hotplug
# shellcheck shell=sh

# shellcheck disable=SC1091 # in the guest, beside the scenarios
. /hvl/scenarios/hostsim-lib.inc
hs_need

CPU1=/sys/devices/system/cpu/cpu1/online
if [ ! -w "$CPU1" ]; then
	skip cpu-hotplug "CPU 1 cannot be hotplugged here (no $CPU1)"
	exit 0
fi

# cpus_of_channels: target CPUs of every channel on the bus, one per line.
cpus_of_channels() {
	cat "$HS_BUS"/devices/*/channel_vp_mapping 2>/dev/null | cut -d: -f2
}

# offline/online of CPU 1; "ok" or the error.
set_cpu1() {
	if echo "$1" >"$CPU1" 2>/tmp/cpu1.err; then
		echo ok
	else
		echo "refused: $(cat /tmp/cpu1.err)"
	fi
}

# on_cpu1: a loopback device whose channel targets CPU 1, offering more
# loopback devices until one does (relid % 2 with both CPUs online).
on_cpu1() {
	for _ in 1 2 3 4; do
		for d in "$HS_BUS"/devices/*; do
			[ "$(cut -d: -f2 "$d/channel_vp_mapping" 2>/dev/null | head -n 1)" = 1 ] || continue
			[ -e "$d/run" ] || continue
			echo "$d"
			return 0
		done
		echo loop >"$HS_DBG/offer" 2>/dev/null || return 1
		wait_for 10 sh -c "cut -d: -f2 $HS_BUS/devices/*/channel_vp_mapping | grep -q -x 1"
		sleep 1	# the loopback driver binds
	done
	return 1
}

# host_target RELID: the CPU the host interrupts for RELID.
host_target() {
	awk -v r="$1" 'NR > 1 && $1 == r { print $7 }' "$HS_DBG/channels"
}

# move_check NAME DEVDIR ACK: offline CPU 1 while DEVDIR's channel targets
# it; passes NAME when the offline works, the channel targets CPU 0 on
# both sides, the log line says moved (and whether the host acknowledged,
# ACK yes/no), 8 MiB through it verify and CPU 1 comes back.
move_check() {
	mc_relid=$(cut -d: -f1 "$2/channel_vp_mapping" | head -n 1)
	dmesg_mark
	mc_r=$(set_cpu1 0)
	mc_log=$(dmesg_since_mark)
	mc_why=
	if [ "$mc_r" != ok ]; then
		mc_why="CPU 1 offline with relid $mc_relid on it: $mc_r"
	elif cpus_of_channels | grep -q -v -x 0; then
		mc_why="channels still on CPU 1 after it went offline: $(cat "$HS_BUS"/devices/*/channel_vp_mapping | tr '\n' ' ')"
	elif [ "$(host_target "$mc_relid")" != 0 ]; then
		mc_why="the host still interrupts CPU $(host_target "$mc_relid") for relid $mc_relid"
	elif ! printf '%s\n' "$mc_log" | grep -q "CPU 1 going offline: [0-9]* channel(s) moved"; then
		mc_why="no 'channel(s) moved' line in the log"
	elif [ "$3" = yes ] && printf '%s\n' "$mc_log" | grep -q "does not acknowledge"; then
		mc_why="the log says the host does not acknowledge, at a version that answers"
	elif [ "$3" = no ] && ! printf '%s\n' "$mc_log" | grep -q "does not acknowledge"; then
		mc_why="the log does not say the host does not acknowledge"
	else
		mc_res=$(hs_run "$2" mpb $((8 << 20)) 16) || mc_why="transfer after the move: $mc_res"
	fi
	mc_r1=$(set_cpu1 1)
	[ -n "$mc_why" ] || [ "$mc_r1" = ok ] || mc_why="CPU 1 did not come back online: $mc_r1"
	if [ -z "$mc_why" ]; then
		pass "$1"
	else
		fail "$1" "$mc_why"
	fi
}

r=$(set_cpu1 0)
if [ "$r" != ok ]; then
	fail cpu-hotplug-connect-1cpu "could not take CPU 1 offline before loading: $r"
	exit 0
fi
if ! hs_load 5.3; then
	fail cpu-hotplug-connect-1cpu "modules did not load with CPU 1 offline"
	hs_unload
	set_cpu1 1 >/dev/null
	exit 0
fi
bad=$(cpus_of_channels | grep -v -x 0 | head -n 1)
if [ -n "$(cpus_of_channels)" ] && [ -z "$bad" ]; then
	pass cpu-hotplug-connect-1cpu
else
	fail cpu-hotplug-connect-1cpu "channel targets: $(cpus_of_channels | tr '\n' ' ')"
fi

# CPU 1 back: new offers spread over both CPUs (relid % 2)
r=$(set_cpu1 1)
on1=
[ "$r" != ok ] || on1=$(on_cpu1)
if [ -z "$on1" ]; then
	fail cpu-hotplug-online "CPU 1 online: $r; no loopback channel targets CPU 1 (targets: $(cpus_of_channels | tr '\n' ' '))"
else
	res=$(hs_run "$on1" mpb $((8 << 20)) 16)
	case $res in
		ok*) pass cpu-hotplug-online ;;
		*) fail cpu-hotplug-online "transfer on a CPU 1 channel: $res" ;;
	esac
	move_check cpu-hotplug-move-5.3 "$on1" yes
fi

c0=/sys/devices/system/cpu/cpu0/online
if [ -w "$c0" ]; then
	if echo 0 >"$c0" 2>/dev/null; then
		echo 1 >"$c0"
		fail cpu-hotplug-veto-cpu0 "CPU 0 went offline while it receives the host's messages"
	else
		pass cpu-hotplug-veto-cpu0
	fi
else
	info "CPU 0 is not hotpluggable on this kernel: nothing to refuse"
	pass cpu-hotplug-veto-cpu0
fi
hs_check_violations cpu-hotplug-violations-5.3
hs_unload

# 4.1 to 5.2: MODIFYCHANNEL without an answer
if hs_load 5.0 && on1=$(on_cpu1); then
	move_check cpu-hotplug-move-5.0 "$on1" no
else
	fail cpu-hotplug-move-5.0 "no loopback channel on CPU 1 at host 5.0 (targets: $(cpus_of_channels | tr '\n' ' '))"
fi
hs_check_violations cpu-hotplug-violations-5.0
hs_unload

# 4.0: nothing can move an open channel
if hs_load 4.0 && on1=$(on_cpu1); then
	dmesg_mark
	r=$(set_cpu1 0)
	if [ "$r" != ok ] && [ "$(cat "$CPU1")" = 1 ] &&
		dmesg_since_mark | grep -q "CPU 1 handles .* VMBus channel" &&
		dmesg_since_mark | grep -q "has no MODIFYCHANNEL"; then
		pass cpu-hotplug-veto-4.0
	else
		fail cpu-hotplug-veto-4.0 "CPU 1 offline with a channel on it at host 4.0: $r, online=$(cat "$CPU1")"
		set_cpu1 1 >/dev/null
	fi

	# rescind every channel on CPU 1; then it may go
	relids=$(cat "$HS_BUS"/devices/*/channel_vp_mapping | awk -F: '$2 == 1 { print $1 }')
	for rel in $relids; do
		echo "$rel" >"$HS_DBG/rescind" 2>/dev/null
	done
	wait_for 10 sh -c "! cut -d: -f2 $HS_BUS/devices/*/channel_vp_mapping 2>/dev/null | grep -q -x 1"
	r0=$(set_cpu1 0)
	r1=$(set_cpu1 1)
	if [ "$r0" = ok ] && [ "$r1" = ok ]; then
		pass cpu-hotplug-offline
	else
		fail cpu-hotplug-offline "after rescinding relids $(echo "$relids" | tr '\n' ' '): offline $r0, online $r1"
	fi
else
	fail cpu-hotplug-veto-4.0 "no loopback channel on CPU 1 at host 4.0 (targets: $(cpus_of_channels | tr '\n' ' '))"
fi
hs_check_violations cpu-hotplug-violations-4.0
hs_unload
[ "$(cat "$CPU1")" = 1 ] || set_cpu1 1 >/dev/null
info "$HVL_SCENARIO took $(hs_elapsed) s"
