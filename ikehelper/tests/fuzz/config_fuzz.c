// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness: the configuration parser (config.c) and, through it,
 * proposal strings (proposal.c).  The input is a whole file; whatever it
 * holds, the parser must return 0 or an error with a line inside the
 * file, and free everything.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_error err;
	struct config cfg;
	size_t i, lines = 1;
	int ret;

	ret = config_parse((const char *)data, size, &cfg, &err);
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (ret && ret != -ENOMEM && err.line > lines)
		abort();
	if (!ret && cfg.npeers && !cfg.peers)
		abort();
	config_free(&cfg);
	return 0;
}
