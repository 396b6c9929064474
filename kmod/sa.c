// SPDX-License-Identifier: GPL-2.0-only
/*
 * espif: security associations: their transforms, their lookup by SPI,
 * their lifetimes.
 *
 * Inbound SAs are found by SPI (RFC 4303 2.1: the receiver chooses it) in
 * a hash shared by every interface of every namespace, the namespace being
 * part of the match; an inbound SPI is unique per namespace, because raw
 * ESP arrives through one protocol handler per namespace, whatever the
 * interface.  Outbound SAs are in a second hash only so that ICMP errors
 * about our own ESP packets can be recognised (path MTU).
 */
#include <crypto/authenc.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <uapi/linux/espif.h>

#include "sa.h"

bool espif_force_async;
module_param_named(force_async, espif_force_async, bool, 0644);
MODULE_PARM_DESC(force_async,
		 "Wrap the transforms of new SAs in cryptd (tests the asynchronous crypto path)");

#define ESPIF_SA_HASH_BITS	10
static DEFINE_HASHTABLE(espif_sa_in_hash, ESPIF_SA_HASH_BITS);
static DEFINE_HASHTABLE(espif_sa_out_hash, ESPIF_SA_HASH_BITS);

static struct net *espif_sa_net(const struct espif_sa *sa)
{
	return dev_net(sa->peer->edev->dev);
}

/* The kernel crypto API name of each transform, and its wire sizes. */
static const struct {
	const char *name;
	const char *name_esn;
	u8 ivlen;
	u8 align;
} espif_algs[] = {
	[ESPIF_ALG_AES_GCM] = {
		/* RFC 4106: 8-byte explicit IV, 4-byte salt after the key. */
		.name = "rfc4106(gcm(aes))",
		.name_esn = "rfc4106(gcm(aes))",
		.ivlen = 8,
		.align = 4,
	},
	[ESPIF_ALG_CHACHA20_POLY1305] = {
		/* RFC 7634: the same layout as RFC 4106. */
		.name = "rfc7539esp(chacha20,poly1305)",
		.name_esn = "rfc7539esp(chacha20,poly1305)",
		.ivlen = 8,
		.align = 4,
	},
	[ESPIF_ALG_AES_CBC_HMAC_SHA256] = {
		/*
		 * RFC 3602 and RFC 4868.  With ESN the high half of the
		 * sequence number is appended to the ICV input (RFC 4303
		 * 2.2.1), which authencesn does.
		 */
		.name = "authenc(hmac(sha256),cbc(aes))",
		.name_esn = "authencesn(hmac(sha256),cbc(aes))",
		.ivlen = 16,
		.align = 16,
	},
};

#define ESPIF_ICV_LEN	16

/*
 * authenc's key is an rtattr carrying the encryption key length, then the
 * integrity key, then the encryption key (crypto/authenc.c).
 */
static int espif_sa_setkey_authenc(struct crypto_aead *aead,
				   const struct espif_sa_params *p)
{
	struct crypto_authenc_key_param *param;
	unsigned int len;
	struct rtattr *rta;
	u8 *key, *q;
	int ret;

	len = RTA_SPACE(sizeof(*param)) + p->akeylen + p->keylen;
	key = kmalloc(len, GFP_KERNEL);
	if (!key)
		return -ENOMEM;
	rta = (struct rtattr *)key;
	rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
	rta->rta_len = RTA_LENGTH(sizeof(*param));
	param = RTA_DATA(rta);
	param->enckeylen = cpu_to_be32(p->keylen);
	q = key + RTA_SPACE(sizeof(*param));
	memcpy(q, p->akey, p->akeylen);
	memcpy(q + p->akeylen, p->key, p->keylen);
	ret = crypto_aead_setkey(aead, key, len);
	kfree_sensitive(key);
	return ret;
}

static void espif_sa_free_work(struct work_struct *work)
{
	struct espif_sa *sa = container_of(to_rcu_work(work), struct espif_sa,
					   rwork);

	/* crypto_free_aead() wipes the key schedule (kfree_sensitive). */
	crypto_free_aead(sa->aead);
	espif_replay_destroy(&sa->replay);
	espif_peer_put(sa->peer);
	kfree_sensitive(sa);
}

void espif_sa_put(struct espif_sa *sa)
{
	if (sa && refcount_dec_and_test(&sa->refcnt)) {
		INIT_RCU_WORK(&sa->rwork, espif_sa_free_work);
		queue_rcu_work(espif_wq, &sa->rwork);
	}
}

/**
 * espif_sa_create - allocate an SA and its transform, not yet visible
 * @peer: the peer it will belong to (a reference is taken)
 * @p: validated parameters (key lengths were checked against @p->alg)
 * @out: the SA, with one reference
 * @extack: where to say what failed
 *
 * Context: process, espif_cfg_lock held (the peer is alive).
 * Return: 0 or -errno.
 */
int espif_sa_create(struct espif_peer *peer, const struct espif_sa_params *p,
		    struct espif_sa **out, struct netlink_ext_ack *extack)
{
	char name[CRYPTO_MAX_ALG_NAME];
	const char *alg;
	struct espif_sa *sa;
	int ret;

	sa = kzalloc(sizeof(*sa), GFP_KERNEL);
	if (!sa)
		return -ENOMEM;
	spin_lock_init(&sa->lock);
	refcount_set(&sa->refcnt, 1);
	INIT_LIST_HEAD(&sa->node);
	sa->spi = p->spi;
	sa->dir = p->dir;
	sa->alg = p->alg;
	sa->esn = p->esn;
	sa->ivlen = espif_algs[p->alg].ivlen;
	sa->align = espif_algs[p->alg].align;
	sa->icvlen = ESPIF_ICV_LEN;
	memcpy(sa->limits, p->limits, sizeof(sa->limits));

	/* Outbound SAs keep no window; only inbound ESN infers high bits. */
	if (p->dir == ESPIF_DIR_IN)
		ret = espif_replay_init(&sa->replay, p->window, p->esn,
					GFP_KERNEL);
	else
		ret = espif_replay_init(&sa->replay, 0, false, GFP_KERNEL);
	if (ret) {
		NL_SET_ERR_MSG_MOD(extack, "cannot set up the replay window");
		goto err_free;
	}
	if (p->dir == ESPIF_DIR_IN)
		sa->replay.top = p->seq;
	else
		sa->seq = p->seq;

	alg = p->esn ? espif_algs[p->alg].name_esn : espif_algs[p->alg].name;
	strscpy(name, alg, sizeof(name));
	if (espif_force_async) {
		/*
		 * cryptd wraps only synchronous transforms, and its instance
		 * is known by its driver name, "cryptd(<inner driver>)".
		 */
		sa->aead = crypto_alloc_aead(alg, 0, CRYPTO_ALG_ASYNC);
		if (!IS_ERR(sa->aead)) {
			snprintf(name, sizeof(name), "cryptd(%s)",
				 crypto_tfm_alg_driver_name(crypto_aead_tfm(sa->aead)));
			crypto_free_aead(sa->aead);
		}
	}
	sa->aead = crypto_alloc_aead(name, 0, 0);
	if (IS_ERR(sa->aead)) {
		ret = PTR_ERR(sa->aead);
		sa->aead = NULL;
		NL_SET_ERR_MSG_MOD(extack,
				   "the kernel crypto API has no transform for this algorithm");
		goto err_replay;
	}
	if (p->alg == ESPIF_ALG_AES_CBC_HMAC_SHA256)
		ret = espif_sa_setkey_authenc(sa->aead, p);
	else
		ret = crypto_aead_setkey(sa->aead, p->key, p->keylen);
	if (!ret)
		ret = crypto_aead_setauthsize(sa->aead, sa->icvlen);
	if (ret) {
		NL_SET_ERR_MSG_MOD(extack, "the transform refuses the key");
		goto err_aead;
	}

	refcount_inc(&peer->refcnt);
	sa->peer = peer;
	*out = sa;
	return 0;

err_aead:
	crypto_free_aead(sa->aead);
err_replay:
	espif_replay_destroy(&sa->replay);
err_free:
	kfree_sensitive(sa);
	return ret;
}

static struct hlist_head *espif_sa_bucket(u8 dir, __be32 spi)
{
	if (dir == ESPIF_DIR_IN)
		return &espif_sa_in_hash[hash_min((__force u32)spi,
						  ESPIF_SA_HASH_BITS)];
	return &espif_sa_out_hash[hash_min((__force u32)spi,
					   ESPIF_SA_HASH_BITS)];
}

/**
 * espif_sa_find - find an SA of an interface for configuration
 * @edev: the interface
 * @dir: direction
 * @spi: SPI
 * @peer_id: the peer, or 0 for any (an inbound SPI is unique anyway)
 *
 * Context: espif_cfg_lock held.
 */
struct espif_sa *espif_sa_find(struct espif_dev *edev, u8 dir, __be32 spi,
			       u32 peer_id)
{
	struct espif_sa *sa;

	lockdep_assert_held(&espif_cfg_lock);
	hlist_for_each_entry(sa, espif_sa_bucket(dir, spi), hnode) {
		if (sa->spi != spi || sa->dir != dir ||
		    sa->peer->edev != edev)
			continue;
		if (peer_id && sa->peer->id != peer_id)
			continue;
		return sa;
	}
	return NULL;
}

/**
 * espif_sa_link - make an SA visible
 * @sa: from espif_sa_create()
 * @extack: where to say why not
 *
 * An outbound SA becomes the one its peer sends with, in one pointer
 * store: the make-before-break switch of a rekey (RFC 7296 2.8).
 *
 * Context: espif_cfg_lock held.
 * Return: 0, or -EEXIST if the SPI is taken.
 */
int espif_sa_link(struct espif_sa *sa, struct netlink_ext_ack *extack)
{
	struct espif_peer *peer = sa->peer;
	struct net *net = espif_sa_net(sa);
	struct espif_sa *other;

	lockdep_assert_held(&espif_cfg_lock);
	hlist_for_each_entry(other, espif_sa_bucket(sa->dir, sa->spi), hnode) {
		if (other->spi != sa->spi)
			continue;
		if (sa->dir == ESPIF_DIR_IN &&
		    net_eq(espif_sa_net(other), net)) {
			NL_SET_ERR_MSG_MOD(extack,
					   "an inbound SA with this SPI already exists in this network namespace");
			return -EEXIST;
		}
		if (sa->dir == ESPIF_DIR_OUT && other->peer == peer) {
			NL_SET_ERR_MSG_MOD(extack,
					   "the peer already has an outbound SA with this SPI");
			return -EEXIST;
		}
	}
	hlist_add_head_rcu(&sa->hnode, espif_sa_bucket(sa->dir, sa->spi));
	list_add(&sa->node, &peer->sas);
	if (sa->dir == ESPIF_DIR_OUT)
		rcu_assign_pointer(peer->tx_sa, sa);
	return 0;
}

/**
 * espif_sa_unlink - make an SA invisible and drop the link's reference
 * @sa: a linked SA
 *
 * If it was the peer's outbound SA, the newest remaining outbound SA takes
 * over; with none left the peer sends nothing (and asks for one).
 *
 * Context: espif_cfg_lock held.
 */
void espif_sa_unlink(struct espif_sa *sa)
{
	struct espif_peer *peer = sa->peer;
	struct espif_sa *next = NULL, *s;

	lockdep_assert_held(&espif_cfg_lock);
	WRITE_ONCE(sa->dead, true);
	hlist_del_rcu(&sa->hnode);
	list_del(&sa->node);
	if (rcu_access_pointer(peer->tx_sa) == sa) {
		list_for_each_entry(s, &peer->sas, node) {
			if (s->dir == ESPIF_DIR_OUT) {
				next = s;
				break;
			}
		}
		rcu_assign_pointer(peer->tx_sa, next);
	}
	espif_sa_put(sa);
}

/**
 * espif_sa_lookup_in - the inbound SA for a received SPI
 * @net: the namespace the packet arrived in
 * @spi: the SPI, network order
 *
 * Context: RCU read side (softirq).
 * Return: the SA with a reference held, or NULL.
 */
struct espif_sa *espif_sa_lookup_in(struct net *net, __be32 spi)
{
	struct espif_sa *sa;

	hlist_for_each_entry_rcu(sa, espif_sa_bucket(ESPIF_DIR_IN, spi), hnode) {
		if (sa->spi == spi && net_eq(espif_sa_net(sa), net))
			return espif_sa_hold(sa) ? sa : NULL;
	}
	return NULL;
}

/* Context: RCU read side.  Is this one of our outbound SPIs? */
bool espif_sa_out_exists(struct net *net, __be32 spi)
{
	struct espif_sa *sa;

	hlist_for_each_entry_rcu(sa, espif_sa_bucket(ESPIF_DIR_OUT, spi),
				 hnode) {
		if (sa->spi == spi && net_eq(espif_sa_net(sa), net))
			return true;
	}
	return false;
}

/* May the SA carry one more packet?  A lockless hint for the fast path. */
bool espif_sa_usable(struct espif_sa *sa)
{
	return !READ_ONCE(sa->dead) &&
	       !(READ_ONCE(sa->events) & (ESPIF_EV_HARD | ESPIF_EV_EXHAUSTED));
}

/**
 * espif_sa_account - count a packet against the SA's lifetimes
 * @sa: the SA
 * @len: the inner packet's length
 *
 * The packet that reaches a hard limit is the last one the SA carries.
 *
 * Context: sa->lock held.
 * Return: the events (enum espif_sa_event) reached now for the first time,
 * which the caller reports once it has dropped the lock.
 */
u32 espif_sa_account(struct espif_sa *sa, unsigned int len)
{
	const u64 *lim = sa->limits;
	u32 ev = 0;

	lockdep_assert_held(&sa->lock);
	sa->packets++;
	sa->bytes += len;
	sa->last_used = ktime_get_real_seconds();

	if ((lim[ESPIF_LIM_SOFT_BYTES] && sa->bytes >= lim[ESPIF_LIM_SOFT_BYTES]) ||
	    (lim[ESPIF_LIM_SOFT_PACKETS] &&
	     sa->packets >= lim[ESPIF_LIM_SOFT_PACKETS]))
		ev |= ESPIF_EV_SOFT;
	if ((lim[ESPIF_LIM_HARD_BYTES] && sa->bytes >= lim[ESPIF_LIM_HARD_BYTES]) ||
	    (lim[ESPIF_LIM_HARD_PACKETS] &&
	     sa->packets >= lim[ESPIF_LIM_HARD_PACKETS]))
		ev |= ESPIF_EV_HARD;
	ev &= ~sa->events;
	WRITE_ONCE(sa->events, sa->events | ev);
	return ev;
}
