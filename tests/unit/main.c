// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - run every protocol-core unit test as one cmocka group.
 */
#include <stdlib.h>
#include "unit.h"

int main(void)
{
	struct CMUnitTest *all;
	size_t n = 0;
	int failed;

	all = malloc(sizeof(*all) * (wire_ntests + ring_ntests + chmsg_ntests +
				  vstor_ntests + rqt_ntests));
	if (!all)
		return 2;
	memcpy(all + n, wire_tests, sizeof(*all) * wire_ntests);
	n += wire_ntests;
	memcpy(all + n, ring_tests, sizeof(*all) * ring_ntests);
	n += ring_ntests;
	memcpy(all + n, chmsg_tests, sizeof(*all) * chmsg_ntests);
	n += chmsg_ntests;
	memcpy(all + n, vstor_tests, sizeof(*all) * vstor_ntests);
	n += vstor_ntests;
	memcpy(all + n, rqt_tests, sizeof(*all) * rqt_ntests);
	n += rqt_ntests;
	failed = _cmocka_run_group_tests("hyperv-lic protocol core", all, n,
					 NULL, NULL);
	free(all);
	return failed ? 1 : 0;
}
