// SPDX-License-Identifier: GPL-2.0
/*
 * hs_core.c - the protocol core (src/core: ring buffer, channel messages,
 * VSTOR packet sizes)
 * compiled into hv_hostsim.ko, which plays the other end of the same rings.
 * hv_vmbus.ko does not export these functions; each module carries its own
 * copy (not exported, so they do not clash).
 */
#include "../../src/core/ring.c"
#include "../../src/core/chmsg.c"
#include "../../src/core/vstor.c"
