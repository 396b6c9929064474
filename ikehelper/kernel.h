/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ikehelper: the one file that talks to espif.ko (the "espif" generic
 * netlink family, through libnl-3).
 */
#ifndef IKEHELPER_KERNEL_H
#define IKEHELPER_KERNEL_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

struct espif_nl;

struct espif_dev_info {
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
};

/*
 * Every function returns 0 or a negative errno.  When the kernel refused a
 * request with an extack message, espif_nl_error() returns it (else "").
 */
int espif_nl_open(struct espif_nl **nlp);
void espif_nl_close(struct espif_nl *nl);
const char *espif_nl_error(const struct espif_nl *nl);

int espif_dev_get(struct espif_nl *nl, uint32_t ifindex,
		  struct espif_dev_info *info);
/* *devs is malloc'd (free() it), *n its length; both set on success only. */
int espif_dev_list(struct espif_nl *nl, struct espif_dev_info **devs,
		   size_t *n);

#endif
