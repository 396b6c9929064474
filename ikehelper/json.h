/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef IKEHELPER_JSON_H
#define IKEHELPER_JSON_H

#include <stdio.h>

/* Write s as a JSON string, quotes included, escaping what RFC 8259 needs. */
void json_string(FILE *f, const char *s);

#endif
