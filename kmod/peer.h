/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * espif: peers, their outer endpoints and their traffic selectors.
 */
#ifndef _ESPIF_PEER_H
#define _ESPIF_PEER_H

#include <linux/in6.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/dst_cache.h>

#include "device.h"

union espif_addr {
	__be32 ip4;
	struct in6_addr ip6;
};

/**
 * struct espif_endpoint - where a peer's ESP goes
 * @family: AF_INET or AF_INET6, of both addresses
 * @remote: the peer's outer address
 * @local: the source address to use, all-zero to let routing choose
 * @port: the peer's UDP port for ESP in UDP (RFC 3948), 0 for raw ESP
 */
struct espif_endpoint {
	u8 family;
	union espif_addr remote;
	union espif_addr local;
	__be16 port;
};

/**
 * struct espif_selector - an inner prefix
 * @family: AF_INET or AF_INET6
 * @plen: prefix length
 * @addr: the prefix, host bits zero
 */
struct espif_selector {
	u8 family;
	u8 plen;
	union espif_addr addr;
};

struct espif_sa;

/**
 * struct espif_peer - a remote host or gateway of an espif interface
 * @edev: the interface (the peer never outlives its SAs' packets, which
 *	hold the net_device)
 * @id: identifier chosen by userspace, unique per interface
 * @refcnt: one for the interface's list, one per SA, one per lookup that
 *	outlives the RCU read section
 * @node: in edev->peers (espif_cfg_lock)
 * @sas: every SA of the peer, newest first (espif_cfg_lock)
 * @tx_sa: the outbound SA in use, the newest outbound one (RCU)
 * @ep_lock: protects @ep and @dst_cache against a concurrent peer-set
 * @ep: the outer endpoint
 * @dst_cache: cached outer route
 * @sel: the selectors (espif_cfg_lock; copied into the interface's table)
 * @n_sel: number of selectors
 * @acquire_at: jiffies of the last acquire notification (rate limit)
 * @rwork: deferred free
 */
struct espif_peer {
	struct espif_dev *edev;
	u32 id;
	refcount_t refcnt;
	struct list_head node;
	struct list_head sas;
	struct espif_sa __rcu *tx_sa;
	rwlock_t ep_lock;
	struct espif_endpoint ep;
	struct dst_cache dst_cache;
	struct espif_selector *sel;
	unsigned int n_sel;
	unsigned long acquire_at;
	struct rcu_work rwork;
};

/* Selectors per peer: enough for a routing table, bounded for memory. */
#define ESPIF_MAX_SELECTORS	1024

struct espif_peer *espif_peer_new(struct espif_dev *edev, u32 id);
void espif_peer_put(struct espif_peer *peer);
struct espif_peer *espif_peer_find(struct espif_dev *edev, u32 id);
void espif_peer_del(struct espif_peer *peer);
void espif_peer_set_endpoint(struct espif_peer *peer,
			     const struct espif_endpoint *ep);
void espif_peer_get_endpoint(struct espif_peer *peer,
			     struct espif_endpoint *ep);
int espif_peer_set_selectors(struct espif_peer *peer,
			     struct espif_selector *sel, unsigned int n,
			     struct netlink_ext_ack *extack);
void espif_peers_flush(struct espif_dev *edev);

struct espif_peer *espif_lpm_lookup(struct espif_dev *edev, u8 family,
				    const union espif_addr *addr);
bool espif_selector_valid(const struct espif_selector *sel);
void espif_lpm_free(struct espif_dev *edev);

#endif /* _ESPIF_PEER_H */
