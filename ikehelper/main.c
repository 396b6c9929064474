// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ikehelper: the IKEv2 helper for espif interfaces.
 *
 * Subcommands print; helpers return -errno (wireguard-tools' habit).
 */
#include <stdio.h>
#include <string.h>

#include "ikehelper.h"

#ifndef IKEHELPER_VERSION
#define IKEHELPER_VERSION "0.1.0"
#endif

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *help;
} subcommands[] = {
	{ "show", show_main, "Show espif interfaces (--json for JSON)" },
	{ "daemon", daemon_main, "Run IKEv2 for an interface in the foreground" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s <cmd> [<args>]\n\nAvailable subcommands:\n",
		PROG_NAME);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-8s %s\n", subcommands[i].name,
			subcommands[i].help);
	fprintf(f, "\nYou may pass --help to any subcommand.\n");
}

int main(int argc, char *argv[])
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version")) {
		printf("%s %s\n", PROG_NAME, IKEHELPER_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);

	fprintf(stderr, "%s: invalid subcommand '%s'\n", PROG_NAME, argv[1]);
	usage(stderr);
	return 2;
}
