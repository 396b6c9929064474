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

struct espif_prefix {
	uint8_t family;		/* 4 or 6 */
	uint8_t plen;
	uint8_t addr[16];
};

/* What peer-new/peer-set install: the outer endpoint and the selectors. */
struct espif_peer_cfg {
	uint32_t ifindex;
	uint32_t id;
	uint8_t family;		/* of remote and local: 4 or 6 */
	uint8_t remote[16];
	int has_local;
	uint8_t local[16];
	uint16_t port;		/* ESP in UDP to this port; 0: raw ESP */
	unsigned int nsel;
	const struct espif_prefix *sel;
};

/* One SA for sa-new; keys are the caller's to wipe. */
struct espif_sa_cfg {
	uint32_t ifindex;
	uint32_t peer_id;
	uint32_t spi;		/* host order */
	uint32_t dir;		/* ESPIF_DIR_IN/OUT */
	uint32_t alg;		/* ESPIF_ALG_* */
	const uint8_t *key;
	size_t keylen;
	const uint8_t *akey;
	size_t akeylen;
	int esn;
};

int espif_sock_attach(struct espif_nl *nl, uint32_t ifindex, int fd);
int espif_peer_put(struct espif_nl *nl, const struct espif_peer_cfg *p,
		   int set);
int espif_peer_del(struct espif_nl *nl, uint32_t ifindex, uint32_t id);
int espif_sa_new(struct espif_nl *nl, const struct espif_sa_cfg *s);
int espif_sa_del(struct espif_nl *nl, uint32_t ifindex, uint32_t peer_id,
		 uint32_t spi, uint32_t dir);

#endif
