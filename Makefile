# SPDX-License-Identifier: GPL-2.0
#
# hyperv-lic top-level Makefile.
#
#   make                 build the modules for the running kernel (KDIR=...)
#   make check           lint, unit tests, fuzzing, Debian build matrix, QEMU
#                        scenarios, install tests
#   make fuzz            libFuzzer targets over every parser of src/core: the
#                        kept corpus once, then FUZZ_TIME s each (default 15;
#                        needs clang, libclang-rt-dev); make fuzz-merge keeps
#                        what they found (tests/unit/Makefile)
#   make matrix KDIRS="dir1 dir2"   build against each kernel tree
#   make matrix-debian   build in each Debian suite's chroot with its gcc
#   make qemu-test       boot Debian kernels under QEMU and run scenarios
#   make demo            boot the newest Debian kernel with the host simulator
#   make qemu-debug      the scenarios on the debug kernel (KASAN, lockdep,
#                        kmemleak; built from Debian's linux-source; not in check)
#   make bench           ring-buffer and loopback benchmarks (not in check)
#   make lint            shellcheck, sparse-free checks of our sources

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

.PHONY: all modules test-modules clean check unit fuzz fuzz-merge matrix \
	matrix-debian qemu-test qemu-debug demo bench lint install rpm deb install-test

all: modules

modules:
	$(MAKE) -C $(TOP)/src KDIR=$(KDIR) KVER=$(KVER)

test-modules: modules
	$(MAKE) -C $(TOP)/tests/hostsim KDIR=$(KDIR) KVER=$(KVER)

install:
	$(MAKE) -C $(TOP)/src KDIR=$(KDIR) KVER=$(KVER) install

unit:
	$(MAKE) -C $(TOP)/tests/unit check
	sh $(TOP)/tests/compat/probe-jobs.sh

# About 80 s on 2 idle cores (build, kept corpus, 4 targets x FUZZ_TIME)
fuzz:
	$(MAKE) -C $(TOP)/tests/unit fuzz

fuzz-merge:
	$(MAKE) -C $(TOP)/tests/unit fuzz-merge

matrix:
	@sh $(TOP)/scripts/matrix.sh $(KDIRS)

matrix-debian:
	@HV_WERROR=1 sh $(TOP)/scripts/matrix-debian.sh $(SUITES)

qemu-test:
	@sh $(TOP)/tests/qemu/run.sh

# The debug kernel (scripts/debug-kernel.sh, built once and cached) runs
# every scenario; results in tests/qemu/out/debug.
qemu-debug:
	@sh $(TOP)/tests/qemu/run.sh --kernel debug --out $(TOP)/tests/qemu/out/debug

demo:
	@sh $(TOP)/tests/qemu/run.sh --demo

bench:
	$(MAKE) -C $(TOP)/tests/unit bench
	@sh $(TOP)/tests/qemu/run.sh --kernel sid --scenarios 'bench*'

# Every shell script we ship or run (POSIX sh: shellcheck -s sh)
SH_SCRIPTS = $(shell cd $(TOP) && { git ls-files '*.sh' '*.inc' 2>/dev/null; \
	ls install.sh .ci/run src/compat/conftest.sh 2>/dev/null; } | sort -u)

lint:
	cd $(TOP) && shellcheck -s sh $(SH_SCRIPTS)
	@echo "lint: shellcheck -s sh clean over $(words $(SH_SCRIPTS)) scripts"

rpm:
	sh $(TOP)/packaging/rpm/build.sh

deb:
	sh $(TOP)/packaging/deb/build.sh

install-test:
	sh $(TOP)/tests/install/run.sh

check: lint unit fuzz matrix-debian qemu-test install-test

clean:
	-$(MAKE) -C $(TOP)/src clean KDIR=$(KDIR)
	-$(MAKE) -C $(TOP)/tests/unit clean
