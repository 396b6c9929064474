/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hex known answers, shared by the unit tests. */
#ifndef IKEHELPER_TESTS_HEX_H
#define IKEHELPER_TESTS_HEX_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Bytes of a hex string into @out (the caller sizes it); their number. */
static inline size_t unhex(const char *s, uint8_t *out)
{
	size_t i = 0;
	unsigned int b;

	while (s[0] && s[1] && sscanf(s, "%2x", &b) == 1) {
		out[i++] = (uint8_t)b;
		s += 2;
	}
	return i;
}

/* @got[0..len) is exactly @hex (at most 1200 bytes of it). */
static inline int eq_hex(const uint8_t *got, size_t len, const char *hex)
{
	uint8_t want[1200];
	size_t wl;

	if (strlen(hex) / 2 > sizeof(want))
		return 0;
	wl = unhex(hex, want);
	return wl == len && !memcmp(got, want, len);
}

#endif /* IKEHELPER_TESTS_HEX_H */
