/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unit.h - shared declarations of the protocol-core unit tests.
 *
 * Each test_*.c file exports one array of cmocka tests; main.c runs them
 * all as one group so that the output ends with a single summary.
 */
#ifndef HV_UNIT_H
#define HV_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hv_ring.h"
#include "hv_chmsg.h"
#include "support.h"

extern const struct CMUnitTest wire_tests[];
extern const size_t wire_ntests;
extern const struct CMUnitTest ring_tests[];
extern const size_t ring_ntests;
extern const struct CMUnitTest chmsg_tests[];
extern const size_t chmsg_ntests;
extern const struct CMUnitTest vstor_tests[];
extern const size_t vstor_ntests;
extern const struct CMUnitTest rqt_tests[];
extern const size_t rqt_ntests;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* HV_UNIT_H */
