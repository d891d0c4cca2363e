# 25-cpu-hotplug: hv_vmbus follows CPU hotplug (SynIC per CPU, A.4) against
# the host simulator on a 2-CPU guest.
#   cpu-hotplug-connect-1cpu   with CPU 1 offline, the bus connects and every
#                              channel targets CPU 0
#   cpu-hotplug-online         CPU 1 comes back; a channel offered afterwards
#                              may target it, and 8 MiB through it verify
#   cpu-hotplug-veto           CPU 1 refuses to go offline while a channel
#                              targets it (EBUSY, one log line), and so does
#                              CPU 0 (host messages) where it is hotpluggable
#   cpu-hotplug-offline        once that channel is rescinded, CPU 1 goes
#                              offline, and online again
#   cpu-hotplug-violations     no protocol violation in any of it
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
if [ "$r" = ok ]; then
	for _ in 1 2 3; do
		echo loop >"$HS_DBG/offer" 2>/dev/null || break
	done
	wait_for 10 sh -c "cut -d: -f2 $HS_BUS/devices/*/channel_vp_mapping | grep -q -x 1"
	sleep 1	# the loopback driver binds
	for d in "$HS_BUS"/devices/*; do
		[ "$(cut -d: -f2 "$d/channel_vp_mapping" 2>/dev/null | head -n 1)" = 1 ] || continue
		[ -e "$d/run" ] || continue
		on1=$d
		break
	done
fi
if [ -z "$on1" ]; then
	fail cpu-hotplug-online "CPU 1 online: $r; no loopback channel targets CPU 1 (targets: $(cpus_of_channels | tr '\n' ' '))"
else
	res=$(hs_run "$on1" mpb $((8 << 20)) 16)
	case $res in
		ok*) pass cpu-hotplug-online ;;
		*) fail cpu-hotplug-online "transfer on a CPU 1 channel: $res" ;;
	esac
fi

if [ -n "$on1" ]; then
	dmesg_mark
	r=$(set_cpu1 0)
	if [ "$r" != ok ] && [ "$(cat "$CPU1")" = 1 ] &&
		dmesg_since_mark | grep -q "CPU 1 handles .* VMBus channel"; then
		veto=ok
	else
		veto="CPU 1 offline with a channel on it: $r, online=$(cat "$CPU1")"
		set_cpu1 1 >/dev/null
	fi
	c0=/sys/devices/system/cpu/cpu0/online
	if [ "$veto" = ok ] && [ -w "$c0" ]; then
		if echo 0 >"$c0" 2>/dev/null; then
			veto="CPU 0 went offline while it receives the host's messages"
			echo 1 >"$c0"
		fi
	fi
	if [ "$veto" = ok ]; then
		pass cpu-hotplug-veto
	else
		fail cpu-hotplug-veto "$veto"
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
fi

hs_check_violations cpu-hotplug-violations
hs_unload
[ "$(cat "$CPU1")" = 1 ] || set_cpu1 1 >/dev/null
info "$HVL_SCENARIO took $(hs_elapsed) s"
