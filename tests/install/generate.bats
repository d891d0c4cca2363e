#!/usr/bin/env bats
# tests/install/generate.bats: run install.sh in fake roots and keep the
# scripts it writes (kernel hooks, boot service, kernel-install plugin,
# initramfs-tools hook) in $HVL_GEN_DIR/<release>/ for tests/install/run.sh
# to shellcheck.

load helpers

keep_generated() {
	dst=$HVL_GEN_DIR/$1
	mkdir -p "$dst"
	for f in etc/kernel/postinst.d/hyperv-lic etc/kernel/header_postinst.d/hyperv-lic \
		etc/kernel/postrm.d/hyperv-lic etc/kernel/install.d/45-hyperv-lic.install \
		etc/init.d/hyperv-lic etc/initramfs-tools/hooks/hyperv-lic; do
		[ ! -f "$R/$f" ] || cp "$R/$f" "$dst/$(echo "$f" | tr / _)"
	done
}

@test "generate: hook scripts of each kind" {
	[ -n "${HVL_GEN_DIR:-}" ]
	for d in debian centos6 rhel5 ol8 sles11; do
		rm -rf "$BATS_TEST_TMPDIR/root"
		setup_root "$d"
		without dkms
		hvl
		status_is 0
		keep_generated "$d"
	done
}
