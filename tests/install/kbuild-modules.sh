#!/bin/sh
# tests/install/kbuild-modules.sh SRCDIR: the modules SRCDIR/Kbuild builds
# for a kernel without VMBus built in (src/compat/Kbuild.compat names them
# hvl_* otherwise), one per line. Evaluates the Kbuild file with make; no
# kernel tree is needed. HVL_REAL_MAKE: the make to use (default
# /usr/bin/make; the bats tests put a stub named make on PATH).
set -eu
if [ $# -ne 1 ] || [ ! -f "$1/Kbuild" ]; then
	echo "usage: $0 SRCDIR (with a Kbuild)" >&2
	exit 2
fi
mk=$(mktemp)
trap 'rm -f "$mk"' EXIT
# shellcheck disable=SC2016 # make expands these, not the shell
printf 'src := %s\nobj := %s\ninclude $(src)/Kbuild\n$(info HVL-MODULES: $(obj-m))\nhvl-none: ;\n' \
	"$1" "$1" >"$mk"
"${HVL_REAL_MAKE:-/usr/bin/make}" -s -f "$mk" hvl-none |
	sed -n 's/^HVL-MODULES: //p' | tr ' ' '\n' | sed -n 's/\.o$//p'
