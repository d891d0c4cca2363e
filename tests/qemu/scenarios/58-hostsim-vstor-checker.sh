# 58-hostsim-vstor-checker: the host simulator's storage checker against a
# deliberately wrong guest (tests/hostsim/vstorbad.c, hv_vstorbad.ko) at
# host VSTOR 5.1 (devices=scsi):
#   vstor-hostile-answers   every broken request got an error answer (or
#                           none where no completion was asked for), the
#                           correct ones in between were served
#   vstor-checker-counts    each rule broken counted its violation, and no
#                           other violation was counted
#   vstor-checker-unload    the modules unload
#   vstor-checker-dmesg     no WARN/BUG/Oops (the host only logs warnings)
# shellcheck shell=sh

# shellcheck disable=SC1091 # in the guest, beside the scenarios
. /hvl/scenarios/hostsim-lib.inc
hs_need
need_module hv_vstorbad

expected="vstor_before_init vstor_bad_packet_size vstor_bad_srb_length
vstor_bad_sense_length vstor_bad_cdb_length vstor_bad_transfer_length
gpa_bad_range vstor_middle_not_whole_page vstor_not_multipage
vstor_bad_data_in vstor_write_same_old_host vstor_bad_subchannel_request
vstor_bad_operation vstor_no_completion_requested"

dmesg_mark
if ! hs_load 5.3 vstor=5.1 devices=scsi || ! load_module hv_vstorbad; then
	fail vstor-hostile-answers "modules did not load"
else
	rel=$(hs_sv_relids scsi)
	dev=$(hs_dev_by_relid "$rel")
	if ! wait_for 30 test -r "$dev/result"; then
		fail vstor-hostile-answers "hv_vstorbad did not bind relid $rel"
	else
		res=$(cat "$dev/result")
		info "hv_vstorbad: $res"
		case $res in
			ok*) pass vstor-hostile-answers ;;
			*) fail vstor-hostile-answers "$res" ;;
		esac
	fi
	why=
	for v in $expected; do
		c=$(awk -v n="$v" '$1 == n { print $2 }' "$HS_DBG/violations")
		[ "${c:-0}" -gt 0 ] || why="$why $v not counted;"
	done
	others=$(awk -v list="$expected" 'BEGIN { n = split(list, a); for (i = 1; i <= n; i++) want[a[i]] = 1 }
		!($1 in want) && $2 != 0 { printf "%s=%s ", $1, $2 }' "$HS_DBG/violations")
	[ -z "$others" ] || why="$why unexpected: $others"
	info "violations: $(awk '$2 != 0 { printf "%s=%s ", $1, $2 }' "$HS_DBG/violations")"
	if [ -z "$why" ]; then
		pass vstor-checker-counts
	else
		fail vstor-checker-counts "$why"
	fi
fi
rc=0
if module_loaded hv_vstorbad; then
	unload_module hv_vstorbad || rc=1
fi
hs_unload || rc=1
if [ $rc -eq 0 ]; then
	pass vstor-checker-unload
else
	fail vstor-checker-unload "a module did not unload"
fi
check_dmesg vstor-checker-dmesg
