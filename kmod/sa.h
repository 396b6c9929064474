/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * espif: security associations.
 */
#ifndef _ESPIF_SA_H
#define _ESPIF_SA_H

#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <crypto/aead.h>

#include "peer.h"
#include "replay.h"

enum espif_limit {
	ESPIF_LIM_SOFT_BYTES,
	ESPIF_LIM_HARD_BYTES,
	ESPIF_LIM_SOFT_PACKETS,
	ESPIF_LIM_HARD_PACKETS,
	ESPIF_LIM_N,
};

/* Events an SA reports once each (struct espif_sa.events). */
enum espif_sa_event {
	ESPIF_EV_SOFT = BIT(0),
	ESPIF_EV_HARD = BIT(1),
	ESPIF_EV_EXHAUSTED = BIT(2),
};

/**
 * struct espif_sa_params - what userspace asks for in sa-new
 * @spi: the SPI, network order
 * @dir: ESPIF_DIR_IN or ESPIF_DIR_OUT
 * @alg: enum espif_alg
 * @key: encryption key (with salt for AEADs)
 * @keylen: its length
 * @akey: integrity key or NULL
 * @akeylen: its length
 * @esn: extended sequence numbers
 * @window: replay window (inbound)
 * @limits: lifetimes, 0 = none
 * @seq: the initial sequence number (last sent, or highest received)
 */
struct espif_sa_params {
	__be32 spi;
	u8 dir;
	u8 alg;
	const u8 *key;
	unsigned int keylen;
	const u8 *akey;
	unsigned int akeylen;
	bool esn;
	u32 window;
	u64 limits[ESPIF_LIM_N];
	u64 seq;
};

/**
 * struct espif_sa - one direction of an ESP security association
 * @hnode: in the global SPI hash of its direction (RCU, espif_cfg_lock)
 * @node: in peer->sas (espif_cfg_lock)
 * @peer: the peer (a reference is held)
 * @refcnt: one while linked, one per packet in flight
 * @rwork: deferred free (crypto transforms are freed in process context)
 * @aead: the transform; the key lives only inside it
 * @spi: SPI, network order
 * @dir: ESPIF_DIR_IN or ESPIF_DIR_OUT
 * @alg: enum espif_alg
 * @esn: extended sequence numbers
 * @dead: unlinked: no new packet may use it
 * @ivlen: IV bytes on the wire
 * @icvlen: ICV bytes
 * @align: the ciphertext's length is a multiple of this (RFC 4303 2.4)
 * @lock: protects everything below
 * @seq: outbound: the last sequence number used
 * @replay: inbound: the anti-replay window
 * @limits: lifetimes, 0 = none
 * @events: enum espif_sa_event bits already reported
 * @packets: packets through the SA
 * @bytes: inner bytes through the SA
 * @replay_drops: inbound packets refused as replays or too old
 * @auth_fails: inbound packets that failed authentication
 * @last_used: wall-clock seconds of the last packet
 * @map_addr: inbound ESP in UDP: the last outer source reported as a
 *	NAT mapping change, so that it is reported once
 * @map_port: and its port
 */
struct espif_sa {
	struct hlist_node hnode;
	struct list_head node;
	struct espif_peer *peer;
	refcount_t refcnt;
	struct rcu_work rwork;
	struct crypto_aead *aead;
	__be32 spi;
	u8 dir;
	u8 alg;
	bool esn;
	bool dead;
	u8 ivlen;
	u8 icvlen;
	u8 align;

	/* Per-packet state: taken once per packet in each direction. */
	spinlock_t lock;
	u64 seq;
	struct espif_replay replay;
	u64 limits[ESPIF_LIM_N];
	u32 events;
	u64 packets;
	u64 bytes;
	u64 replay_drops;
	u64 auth_fails;
	time64_t last_used;
	union espif_addr map_addr;
	__be16 map_port;
};

/* Module parameter: wrap every transform in cryptd, to test async crypto. */
extern bool espif_force_async;

int espif_sa_create(struct espif_peer *peer, const struct espif_sa_params *p,
		    struct espif_sa **out, struct netlink_ext_ack *extack);
int espif_sa_link(struct espif_sa *sa, struct netlink_ext_ack *extack);
void espif_sa_unlink(struct espif_sa *sa);
void espif_sa_put(struct espif_sa *sa);
struct espif_sa *espif_sa_find(struct espif_dev *edev, u8 dir, __be32 spi,
			       u32 peer_id);
struct espif_sa *espif_sa_lookup_in(struct net *net, __be32 spi);
bool espif_sa_out_exists(struct net *net, __be32 spi);
u32 espif_sa_account(struct espif_sa *sa, unsigned int len);
bool espif_sa_usable(struct espif_sa *sa);

static inline bool espif_sa_hold(struct espif_sa *sa)
{
	return refcount_inc_not_zero(&sa->refcnt);
}

#endif /* _ESPIF_SA_H */
