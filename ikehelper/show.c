// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ikehelper show [IFACE] [--json]: the espif interfaces of this network
 * namespace, as text (like `wg show`) or as a JSON array.
 */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikehelper.h"
#include "json.h"
#include "kernel.h"

static void show_usage(FILE *f)
{
	fprintf(f, "Usage: %s show [<interface>] [--json]\n", PROG_NAME);
}

static void print_text(const struct espif_dev_info *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			putchar('\n');
		printf("interface: %s\n", d[i].ifname);
		printf("  ifindex: %u\n", d[i].ifindex);
	}
}

static void print_json(const struct espif_dev_info *d, size_t n)
{
	size_t i;

	putchar('[');
	for (i = 0; i < n; i++) {
		printf("%s{\"ifname\":", i ? "," : "");
		json_string(stdout, d[i].ifname);
		printf(",\"ifindex\":%u}", d[i].ifindex);
	}
	puts("]");
}

/* Print why a request failed: the kernel's own words when it gave any. */
static void report(struct espif_nl *nl, const char *what, int err)
{
	const char *msg = nl ? espif_nl_error(nl) : "";

	if (*msg)
		fprintf(stderr, "%s: %s: %s (%s)\n", PROG_NAME, what, msg,
			strerror(-err));
	else if (err == -ENOENT && !nl)
		fprintf(stderr, "%s: %s: the espif module is not loaded\n",
			PROG_NAME, what);
	else
		fprintf(stderr, "%s: %s: %s\n", PROG_NAME, what, strerror(-err));
}

int show_main(int argc, char *argv[])
{
	struct espif_dev_info one, *devs = NULL;
	const char *ifname = NULL;
	struct espif_nl *nl = NULL;
	bool json = false;
	size_t n = 0;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			show_usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' || ifname) {
			fprintf(stderr, "%s: show: unexpected argument '%s'\n",
				PROG_NAME, argv[i]);
			show_usage(stderr);
			return 2;
		} else {
			ifname = argv[i];
		}
	}

	ret = espif_nl_open(&nl);
	if (ret) {
		report(NULL, "netlink", ret);
		return 1;
	}

	if (ifname) {
		unsigned int ifindex = if_nametoindex(ifname);

		if (!ifindex) {
			fprintf(stderr, "%s: %s: no such interface\n",
				PROG_NAME, ifname);
			ret = -ENODEV;
			goto out;
		}
		ret = espif_dev_get(nl, ifindex, &one);
		if (ret) {
			report(nl, ifname, ret);
			goto out;
		}
		devs = &one;
		n = 1;
	} else {
		ret = espif_dev_list(nl, &devs, &n);
		if (ret) {
			report(nl, "list", ret);
			goto out;
		}
	}

	if (json)
		print_json(devs, n);
	else
		print_text(devs, n);
	if (devs != &one)
		free(devs);
out:
	espif_nl_close(nl);
	return ret ? 1 : 0;
}
