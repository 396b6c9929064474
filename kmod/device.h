/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * espif: ESP (IPsec) tunnel interfaces.
 */
#ifndef _ESPIF_DEVICE_H
#define _ESPIF_DEVICE_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/workqueue.h>
#include <net/gro_cells.h>

/*
 * Worst-case tunnel overhead, used for the default MTU so that a full-size
 * inner packet still fits a 1500-byte outer link:
 *   outer IPv6 header (40) + UDP for NAT-T, RFC 3948 (8)
 *   + ESP header, RFC 4303 section 2 (8) + IV (16, AES-CBC)
 *   + padding to the 16-byte cipher block (15) + pad length and next header (2)
 *   + ICV (16).
 */
enum espif_limits {
	ESPIF_MAX_OVERHEAD = 40 + 8 + 8 + 16 + 15 + 2 + 16,
	ESPIF_DEFAULT_MTU = ETH_DATA_LEN - ESPIF_MAX_OVERHEAD,
	ESPIF_MIN_MTU = 576,	/* RFC 791: every IPv4 host must accept 576 */
	/* Room for the outer headers pushed in front of the ESP header. */
	ESPIF_OUTER_HEADROOM = 40 + 8,
};

/**
 * struct espif_dev_stats - drop counters, one per reason
 *
 * Rare events, hence plain atomics; the per-packet success counters are the
 * per-CPU netdev tstats.
 */
struct espif_dev_stats {
	atomic64_t tx_no_peer;
	atomic64_t tx_no_sa;
	atomic64_t tx_errors;
	atomic64_t tx_too_big;
	atomic64_t rx_no_sa;
	atomic64_t rx_malformed;
	atomic64_t rx_spoofed;
};

#define espif_count(edev, what) atomic64_inc(&(edev)->stats.what)

struct espif_lpm;
struct espif_sock;

/**
 * struct espif_dev - private state of one espif interface
 * @dev: the net_device this state belongs to
 * @peers: the peers (struct espif_peer), under espif_cfg_lock
 * @lpm: the selector table for outbound lookups and inbound anti-spoofing,
 *	rebuilt under espif_cfg_lock and published with RCU
 * @sock4: attached IPv4 UDP socket for ESP in UDP (RCU, espif_cfg_lock)
 * @sock6: attached IPv6 UDP socket for ESP in UDP (RCU, espif_cfg_lock)
 * @gro_cells: delivery of decrypted packets to the stack
 * @stats: drop counters
 * @dead: set under espif_cfg_lock when the interface is being unregistered:
 *	no peer, SA or socket may be added any more
 *
 * Lifetime: allocated with the net_device by rtnl (alloc_netdev via
 * rtnl_link_ops), freed with it (needs_free_netdev).  ndo_uninit removes
 * every peer, SA and socket; packets in flight through asynchronous crypto
 * hold a reference on the net_device, so the memory outlives them.
 */
struct espif_dev {
	struct net_device *dev;
	struct list_head peers;
	struct espif_lpm __rcu *lpm;
	struct espif_sock __rcu *sock4;
	struct espif_sock __rcu *sock6;
	struct gro_cells gro_cells;
	struct espif_dev_stats stats;
	bool dead;
};

/*
 * Serialises every configuration change (netlink requests, interface
 * teardown, socket close) across all espif interfaces.  Changes are rare;
 * the data path never takes it: it reads with RCU.  Lock order: RTNL, then
 * espif_cfg_lock.
 */
extern struct mutex espif_cfg_lock;
/* Deferred frees that need process context (crypto transforms). */
extern struct workqueue_struct *espif_wq;

/* Read an RCU pointer from the data path (BH) or a reader (RCU). */
#define espif_deref(p) rcu_dereference_check(p, rcu_read_lock_bh_held())

extern struct rtnl_link_ops espif_link_ops;

bool espif_dev_is_espif(const struct net_device *dev);
int espif_device_init(void);
void espif_device_uninit(void);

#endif /* _ESPIF_DEVICE_H */
