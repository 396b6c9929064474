// SPDX-License-Identifier: GPL-2.0-only
/*
 * espif: peers, their outer endpoints and their traffic selectors.
 *
 * Outbound, the inner destination address picks the peer whose selectors
 * hold the longest matching prefix (like WireGuard's AllowedIPs); inbound,
 * the inner source of a decrypted packet must pick the peer of the SA that
 * decrypted it (anti-spoofing, RFC 4301 section 5.2).  Both use one table
 * per interface: every selector of every peer, longest prefix first, rebuilt
 * on each change and published with RCU.  Lookups scan it in order, which
 * is simple and fast for the tens of prefixes host-to-host and site-to-site
 * tunnels carry.
 */
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/inetdevice.h>
#include <net/ipv6.h>

#include "peer.h"
#include "sa.h"

/**
 * struct espif_lpm - the selector table of an interface
 * @rcu: deferred free
 * @n: number of entries
 * @e: the selectors, longest prefix first, each with its peer
 *
 * The peers an entry points to are alive while the table is reachable:
 * a peer is removed from the table (and the old table retired with RCU)
 * before its list reference is dropped.
 */
struct espif_lpm {
	struct rcu_head rcu;
	unsigned int n;
	struct {
		struct espif_selector sel;
		struct espif_peer *peer;
	} e[];
};

static bool espif_prefix_match(const struct espif_selector *sel, u8 family,
			       const union espif_addr *addr)
{
	if (sel->family != family)
		return false;
	if (family == AF_INET)
		return !((addr->ip4 ^ sel->addr.ip4) & inet_make_mask(sel->plen));
	return ipv6_prefix_equal(&addr->ip6, &sel->addr.ip6, sel->plen);
}

/**
 * espif_lpm_lookup - the peer whose selectors best match an inner address
 * @edev: the interface
 * @family: AF_INET or AF_INET6
 * @addr: the inner address
 *
 * Context: RCU or RCU-bh read side; the peer is valid within it.
 * Return: the peer with the longest matching prefix, or NULL.
 */
struct espif_peer *espif_lpm_lookup(struct espif_dev *edev, u8 family,
				    const union espif_addr *addr)
{
	struct espif_lpm *lpm = espif_deref(edev->lpm);
	unsigned int i;

	if (!lpm)
		return NULL;
	for (i = 0; i < lpm->n; i++)
		if (espif_prefix_match(&lpm->e[i].sel, family, addr))
			return lpm->e[i].peer;
	return NULL;
}

/* Longest prefix first; IPv4 before IPv6 at equal length, for stability. */
static int espif_lpm_cmp(const void *a, const void *b)
{
	const struct espif_selector *x = a, *y = b;

	if (x->plen != y->plen)
		return y->plen - x->plen;
	return x->family - y->family;
}

/* Rebuild the interface's table from its peers.  Under espif_cfg_lock. */
static int espif_lpm_rebuild(struct espif_dev *edev)
{
	struct espif_lpm *lpm, *old;
	struct espif_peer *peer;
	unsigned int n = 0, i, k = 0;

	lockdep_assert_held(&espif_cfg_lock);
	list_for_each_entry(peer, &edev->peers, node)
		n += peer->n_sel;

	lpm = kvzalloc(struct_size(lpm, e, n), GFP_KERNEL);
	if (!lpm)
		return -ENOMEM;
	lpm->n = n;
	list_for_each_entry(peer, &edev->peers, node) {
		for (i = 0; i < peer->n_sel; i++, k++) {
			lpm->e[k].sel = peer->sel[i];
			lpm->e[k].peer = peer;
		}
	}
	/* sel is the first member: the comparison sees a selector. */
	sort(lpm->e, n, sizeof(lpm->e[0]), espif_lpm_cmp, NULL);

	old = rcu_replace_pointer(edev->lpm, lpm,
				  lockdep_is_held(&espif_cfg_lock));
	if (old)
		kvfree_rcu(old, rcu);
	return 0;
}

void espif_lpm_free(struct espif_dev *edev)
{
	struct espif_lpm *old;

	old = rcu_replace_pointer(edev->lpm, NULL, true);
	if (old)
		kvfree_rcu(old, rcu);
}

/**
 * espif_selector_valid - a selector's prefix length fits its family and
 *	its host bits are zero
 * @sel: the selector
 */
bool espif_selector_valid(const struct espif_selector *sel)
{
	struct espif_selector masked = *sel;

	if (sel->family == AF_INET) {
		if (sel->plen > 32)
			return false;
		masked.addr.ip4 &= inet_make_mask(sel->plen);
		return masked.addr.ip4 == sel->addr.ip4;
	}
	if (sel->plen > 128)
		return false;
	ipv6_addr_prefix(&masked.addr.ip6, &sel->addr.ip6, sel->plen);
	return ipv6_addr_equal(&masked.addr.ip6, &sel->addr.ip6);
}

static bool espif_selector_equal(const struct espif_selector *a,
				 const struct espif_selector *b)
{
	return a->family == b->family && a->plen == b->plen &&
	       !memcmp(&a->addr, &b->addr, a->family == AF_INET ? 4 : 16);
}

/**
 * espif_peer_set_selectors - replace a peer's selectors
 * @peer: the peer, on its interface's list
 * @sel: the new selectors, validated; ownership passes to the peer
 * @n: their number
 * @extack: where to say why they are refused
 *
 * A prefix may belong to one peer only: the same prefix on two peers would
 * make outbound routing depend on insertion order.
 *
 * Context: espif_cfg_lock held.
 * Return: 0, or -EEXIST / -ENOMEM (then @sel is freed).
 */
int espif_peer_set_selectors(struct espif_peer *peer,
			     struct espif_selector *sel, unsigned int n,
			     struct netlink_ext_ack *extack)
{
	struct espif_selector *old_sel = peer->sel;
	unsigned int old_n = peer->n_sel, i, j;
	struct espif_peer *other;
	int ret;

	lockdep_assert_held(&espif_cfg_lock);
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++) {
			if (espif_selector_equal(&sel[i], &sel[j])) {
				NL_SET_ERR_MSG_MOD(extack,
						   "the same selector is given twice");
				kfree(sel);
				return -EINVAL;
			}
		}
		list_for_each_entry(other, &peer->edev->peers, node) {
			if (other == peer)
				continue;
			for (j = 0; j < other->n_sel; j++) {
				if (espif_selector_equal(&sel[i],
							 &other->sel[j])) {
					NL_SET_ERR_MSG_MOD(extack,
							   "a selector already belongs to another peer");
					kfree(sel);
					return -EEXIST;
				}
			}
		}
	}

	peer->sel = sel;
	peer->n_sel = n;
	ret = espif_lpm_rebuild(peer->edev);
	if (ret) {
		peer->sel = old_sel;
		peer->n_sel = old_n;
		kfree(sel);
		NL_SET_ERR_MSG_MOD(extack, "out of memory for the selector table");
		return ret;
	}
	/* Only configuration reads peer->sel; the data path has the table. */
	kfree(old_sel);
	return 0;
}

static void espif_peer_free_work(struct work_struct *work)
{
	struct espif_peer *peer = container_of(to_rcu_work(work),
					       struct espif_peer, rwork);

	dst_cache_destroy(&peer->dst_cache);
	kfree(peer->sel);
	kfree(peer);
}

void espif_peer_put(struct espif_peer *peer)
{
	if (peer && refcount_dec_and_test(&peer->refcnt)) {
		INIT_RCU_WORK(&peer->rwork, espif_peer_free_work);
		queue_rcu_work(espif_wq, &peer->rwork);
	}
}

/**
 * espif_peer_new - create a peer and add it to its interface
 * @edev: the interface
 * @id: the peer's identifier, not yet used on @edev
 *
 * Context: espif_cfg_lock held.
 * Return: the peer (its only reference is the interface's list) or NULL.
 */
struct espif_peer *espif_peer_new(struct espif_dev *edev, u32 id)
{
	struct espif_peer *peer;

	lockdep_assert_held(&espif_cfg_lock);
	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return NULL;
	if (dst_cache_init(&peer->dst_cache, GFP_KERNEL)) {
		kfree(peer);
		return NULL;
	}
	peer->edev = edev;
	peer->id = id;
	refcount_set(&peer->refcnt, 1);
	INIT_LIST_HEAD(&peer->sas);
	rwlock_init(&peer->ep_lock);
	peer->acquire_at = jiffies - HZ;
	list_add_tail(&peer->node, &edev->peers);
	return peer;
}

struct espif_peer *espif_peer_find(struct espif_dev *edev, u32 id)
{
	struct espif_peer *peer;

	lockdep_assert_held(&espif_cfg_lock);
	list_for_each_entry(peer, &edev->peers, node)
		if (peer->id == id)
			return peer;
	return NULL;
}

void espif_peer_set_endpoint(struct espif_peer *peer,
			     const struct espif_endpoint *ep)
{
	write_lock_bh(&peer->ep_lock);
	peer->ep = *ep;
	dst_cache_reset(&peer->dst_cache);
	write_unlock_bh(&peer->ep_lock);
}

void espif_peer_get_endpoint(struct espif_peer *peer,
			     struct espif_endpoint *ep)
{
	read_lock_bh(&peer->ep_lock);
	*ep = peer->ep;
	read_unlock_bh(&peer->ep_lock);
}

/**
 * espif_peer_del - remove a peer, its SAs and its selectors
 * @peer: the peer, on its interface's list
 *
 * Packets already past a lookup keep the peer alive through their SA
 * reference; new lookups no longer find it.
 *
 * Context: espif_cfg_lock held.
 */
void espif_peer_del(struct espif_peer *peer)
{
	struct espif_sa *sa, *tmp;

	lockdep_assert_held(&espif_cfg_lock);
	list_for_each_entry_safe(sa, tmp, &peer->sas, node)
		espif_sa_unlink(sa);
	list_del(&peer->node);
	peer->n_sel = 0;
	if (espif_lpm_rebuild(peer->edev)) {
		/*
		 * No memory for a smaller table: drop the whole table rather
		 * than leave a pointer to this peer in it.  Remaining peers
		 * lose their routes until the next change; never a stale
		 * pointer.
		 */
		espif_lpm_free(peer->edev);
	}
	/* The free waits for a grace period: table readers are done. */
	espif_peer_put(peer);
}

/* Remove every peer of an interface.  Context: espif_cfg_lock held. */
void espif_peers_flush(struct espif_dev *edev)
{
	struct espif_peer *peer, *tmp;

	lockdep_assert_held(&espif_cfg_lock);
	espif_lpm_free(edev);
	list_for_each_entry_safe(peer, tmp, &edev->peers, node) {
		struct espif_sa *sa, *stmp;

		list_for_each_entry_safe(sa, stmp, &peer->sas, node)
			espif_sa_unlink(sa);
		list_del(&peer->node);
		espif_peer_put(peer);
	}
}

#if IS_ENABLED(CONFIG_ESPIF_KUNIT_TEST)
#include "tests/lpm_kunit.c"
#endif
