// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: traffic-selector lookup (kmod/peer.c), the table that picks the
 * outbound peer and checks inbound sources (RFC 4301 5.2).
 *
 * Included at the end of peer.c when CONFIG_ESPIF_KUNIT_TEST is set.  The
 * interface is a bare struct espif_dev: the table needs only its peers.
 *
 * A table of named scenarios (longest prefix, IPv4 and IPv6, overlaps,
 * removal, refusals), then a randomised differential test against a naive
 * linear model: every selector of every peer, the longest match wins.
 */
#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/prandom.h>

#define ESPIF_T_MAX_SEL	6
#define ESPIF_T_MAX_LOOKUP	6

struct espif_lpm_case {
	const char *name;
	/* selectors: peer id and prefix; an empty entry ends */
	struct {
		u32 peer;
		const char *prefix;
	} sel[ESPIF_T_MAX_SEL + 1];
	u32 del;		/* a peer to delete before the lookups, 0 none */
	int set_ret;		/* the last peer's espif_peer_set_selectors() */
	/* lookups: address and the peer expected (0: none) */
	struct {
		const char *addr;
		u32 peer;
	} lookup[ESPIF_T_MAX_LOOKUP + 1];
};

#define SEL(peer, prefix)	{ peer, prefix }
#define LOOKUP(addr, peer)	{ addr, peer }

static const struct espif_lpm_case espif_lpm_cases[] = {
	{ "v4_longest_wins",
	  { SEL(1, "10.0.0.0/8"), SEL(2, "10.1.0.0/16"),
	    SEL(3, "10.1.2.0/24") }, 0, 0,
	  { LOOKUP("10.1.2.3", 3), LOOKUP("10.1.3.4", 2),
	    LOOKUP("10.2.0.1", 1), LOOKUP("11.0.0.1", 0) } },
	{ "v6_longest_wins",
	  { SEL(1, "2001:db8::/32"), SEL(2, "2001:db8:1::/48"),
	    SEL(3, "2001:db8:1:2::/64") }, 0, 0,
	  { LOOKUP("2001:db8:1:2::1", 3), LOOKUP("2001:db8:1:3::1", 2),
	    LOOKUP("2001:db8:2::1", 1), LOOKUP("2001:db9::1", 0) } },
	{ "default_routes",
	  { SEL(1, "0.0.0.0/0"), SEL(2, "::/0"), SEL(3, "192.0.2.1/32") },
	  0, 0,
	  { LOOKUP("192.0.2.1", 3), LOOKUP("192.0.2.2", 1),
	    LOOKUP("2001:db8::1", 2) } },
	{ "families_apart",
	  /* A v4 /0 never matches an IPv6 address, and the reverse. */
	  { SEL(1, "0.0.0.0/0") }, 0, 0,
	  { LOOKUP("::ffff:10.0.0.1", 0), LOOKUP("10.0.0.1", 1) } },
	{ "host_routes_v6",
	  { SEL(1, "2001:db8::1/128"), SEL(2, "2001:db8::/127") }, 0, 0,
	  { LOOKUP("2001:db8::1", 1), LOOKUP("2001:db8::", 2),
	    LOOKUP("2001:db8::2", 0) } },
	{ "removal_falls_back",
	  { SEL(1, "10.0.0.0/8"), SEL(2, "10.1.0.0/16") }, 2, 0,
	  { LOOKUP("10.1.0.1", 1) } },
	{ "removal_leaves_nothing",
	  { SEL(1, "10.0.0.0/8") }, 1, 0,
	  { LOOKUP("10.0.0.1", 0) } },
	{ "same_prefix_two_peers",
	  { SEL(1, "10.0.0.0/8"), SEL(2, "10.0.0.0/8") }, 0, -EEXIST,
	  { LOOKUP("10.0.0.1", 1) } },
	{ "same_prefix_twice",
	  /* Refused as a whole: the peer keeps its first list. */
	  { SEL(1, "10.0.0.0/8"), SEL(1, "10.0.0.0/8") }, 0, -EINVAL,
	  { LOOKUP("10.0.0.1", 1) } },
	{ "same_addr_other_len",
	  { SEL(1, "10.0.0.0/8"), SEL(2, "10.0.0.0/9") }, 0, 0,
	  { LOOKUP("10.0.0.1", 2), LOOKUP("10.128.0.1", 1) } },
};

static void espif_lpm_case_desc(const struct espif_lpm_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(espif_lpm, espif_lpm_cases, espif_lpm_case_desc);

/* "addr" or "addr/len" into a selector; false if it does not parse. */
static bool espif_t_parse(const char *s, struct espif_selector *sel)
{
	const char *end;
	unsigned int plen;

	memset(sel, 0, sizeof(*sel));
	if (in4_pton(s, -1, (u8 *)&sel->addr.ip4, '/', &end)) {
		sel->family = AF_INET;
		sel->plen = 32;
	} else if (in6_pton(s, -1, sel->addr.ip6.s6_addr, '/', &end)) {
		sel->family = AF_INET6;
		sel->plen = 128;
	} else {
		return false;
	}
	if (*end == '/') {
		if (kstrtouint(end + 1, 10, &plen))
			return false;
		sel->plen = plen;
	}
	return true;
}

static struct espif_dev *espif_t_dev(struct kunit *test)
{
	struct espif_dev *edev = kunit_kzalloc(test, sizeof(*edev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, edev);
	INIT_LIST_HEAD(&edev->peers);
	return edev;
}

/* The peer with @id, created on first use.  espif_cfg_lock held. */
static struct espif_peer *espif_t_peer(struct espif_dev *edev, u32 id)
{
	struct espif_peer *peer = espif_peer_find(edev, id);

	return peer ?: espif_peer_new(edev, id);
}

/* Add one selector to a peer, as peer-set does: the whole list again. */
static int espif_t_add_sel(struct espif_peer *peer,
			   const struct espif_selector *s)
{
	struct espif_selector *sel;

	sel = kmalloc_array(peer->n_sel + 1, sizeof(*sel), GFP_KERNEL);
	if (!sel)
		return -ENOMEM;
	if (peer->n_sel)
		memcpy(sel, peer->sel, peer->n_sel * sizeof(*sel));
	sel[peer->n_sel] = *s;
	return espif_peer_set_selectors(peer, sel, peer->n_sel + 1, NULL);
}

static u32 espif_t_lookup(struct espif_dev *edev,
			  const struct espif_selector *a)
{
	struct espif_peer *peer;
	u32 id;

	rcu_read_lock();
	peer = espif_lpm_lookup(edev, a->family, &a->addr);
	id = peer ? peer->id : 0;
	rcu_read_unlock();
	return id;
}

static void espif_lpm_test_table(struct kunit *test)
{
	const struct espif_lpm_case *c = test->param_value;
	struct espif_dev *edev = espif_t_dev(test);
	struct espif_selector sel[ESPIF_T_MAX_SEL];
	struct espif_peer *peer;
	u32 ids[ESPIF_T_MAX_SEL];
	struct espif_selector s;
	int ret = 0, i, n;

	/* Parse first: no assertion may fire with espif_cfg_lock held. */
	for (n = 0; c->sel[n].prefix; n++) {
		ids[n] = c->sel[n].peer;
		KUNIT_ASSERT_TRUE(test, espif_t_parse(c->sel[n].prefix, &sel[n]));
		KUNIT_ASSERT_TRUE(test, espif_selector_valid(&sel[n]));
	}

	mutex_lock(&espif_cfg_lock);
	for (i = 0; i < n; i++) {
		peer = espif_t_peer(edev, ids[i]);
		ret = peer ? espif_t_add_sel(peer, &sel[i]) : -ENOMEM;
		if (ret && i + 1 < n)
			break;
	}
	if (c->del)
		espif_peer_del(espif_peer_find(edev, c->del));
	mutex_unlock(&espif_cfg_lock);
	KUNIT_EXPECT_EQ(test, ret, c->set_ret);
	KUNIT_EXPECT_EQ(test, i, n);

	for (i = 0; c->lookup[i].addr; i++) {
		KUNIT_ASSERT_TRUE(test, espif_t_parse(c->lookup[i].addr, &s));
		KUNIT_EXPECT_EQ_MSG(test, espif_t_lookup(edev, &s),
				    c->lookup[i].peer, "%s", c->lookup[i].addr);
	}

	mutex_lock(&espif_cfg_lock);
	espif_peers_flush(edev);
	mutex_unlock(&espif_cfg_lock);
	/* The table and the peers go after a grace period. */
	rcu_barrier();
}

static void espif_lpm_test_valid(struct kunit *test)
{
	static const struct {
		const char *sel;
		bool ok;
	} v[] = {
		{ "10.0.0.0/8", true }, { "10.0.0.1/8", false },
		{ "0.0.0.0/0", true }, { "1.0.0.0/0", false },
		{ "10.0.0.1/32", true }, { "10.0.0.0/33", false },
		{ "2001:db8::/32", true }, { "2001:db8::1/64", false },
		{ "::/0", true }, { "::1/128", true }, { "::/129", false },
	};
	struct espif_selector s;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		KUNIT_ASSERT_TRUE(test, espif_t_parse(v[i].sel, &s));
		KUNIT_EXPECT_EQ_MSG(test, espif_selector_valid(&s), v[i].ok,
				    "%s", v[i].sel);
	}
}

/* The naive model: scan every selector of every peer, keep the longest. */
static u32 espif_model_lookup(struct espif_dev *edev,
			      const struct espif_selector *a)
{
	struct espif_peer *peer;
	int best = -1;
	unsigned int i;
	u32 id = 0;

	list_for_each_entry(peer, &edev->peers, node) {
		for (i = 0; i < peer->n_sel; i++) {
			const struct espif_selector *s = &peer->sel[i];
			bool match;

			if (s->family != a->family || s->plen <= best)
				continue;
			if (a->family == AF_INET)
				match = !s->plen ||
					!((ntohl(a->addr.ip4) ^
					   ntohl(s->addr.ip4)) >>
					  (32 - s->plen));
			else
				match = ipv6_prefix_equal(&a->addr.ip6,
							  &s->addr.ip6,
							  s->plen);
			if (match) {
				best = s->plen;
				id = peer->id;
			}
		}
	}
	return id;
}

/* A random prefix inside a small space, so that prefixes overlap. */
static void espif_t_random_sel(struct rnd_state *rnd,
			       struct espif_selector *s, bool v6)
{
	u32 r = prandom_u32_state(rnd);

	memset(s, 0, sizeof(*s));
	if (!v6) {
		s->family = AF_INET;
		s->plen = 8 + r % 25;
		s->addr.ip4 = htonl(0x0a000000 | (prandom_u32_state(rnd) &
						  0x00ff0f0f));
		s->addr.ip4 &= inet_make_mask(s->plen);
	} else {
		s->family = AF_INET6;
		s->plen = 32 + r % 97;
		s->addr.ip6.s6_addr32[0] = htonl(0x20010db8);
		s->addr.ip6.s6_addr32[1] = htonl(prandom_u32_state(rnd) & 0x0f0f);
		s->addr.ip6.s6_addr32[3] = htonl(prandom_u32_state(rnd) & 0x0f);
		ipv6_addr_prefix(&s->addr.ip6, &s->addr.ip6, s->plen);
	}
}

static void espif_lpm_test_random(struct kunit *test)
{
	struct espif_dev *edev = espif_t_dev(test);
	unsigned int round, i, bad = 0;
	struct espif_selector s, a;
	struct rnd_state rnd;
	u32 id, got, want;

	prandom_seed_state(&rnd, 0x6c706d0aULL);
	mutex_lock(&espif_cfg_lock);
	for (round = 0; round < 200 && !bad; round++) {
		u32 op = prandom_u32_state(&rnd) % 8;
		struct espif_peer *peer;

		id = 1 + prandom_u32_state(&rnd) % 16;
		peer = espif_peer_find(edev, id);
		if (op == 0 && peer) {
			espif_peer_del(peer);
		} else {
			espif_t_random_sel(&rnd, &s, op & 1);
			peer = espif_t_peer(edev, id);
			/* A prefix another peer holds is refused (tested above). */
			if (peer)
				espif_t_add_sel(peer, &s);
		}

		for (i = 0; i < 50; i++) {
			/* Addresses from the same small space. */
			espif_t_random_sel(&rnd, &a, i & 1);
			if (a.family == AF_INET)
				a.addr.ip4 |= htonl(prandom_u32_state(&rnd) &
						    0x000f0f0f);
			else
				a.addr.ip6.s6_addr32[3] |=
					htonl(prandom_u32_state(&rnd) & 0x0f);
			got = espif_t_lookup(edev, &a);
			want = espif_model_lookup(edev, &a);
			if (got != want) {
				bad++;
				break;
			}
		}
	}
	espif_peers_flush(edev);
	mutex_unlock(&espif_cfg_lock);
	rcu_barrier();
	KUNIT_EXPECT_EQ_MSG(test, got, want, "round %u lookup %u (%s /%u)",
			    round, i, a.family == AF_INET ? "IPv4" : "IPv6",
			    a.family == AF_INET ? 32 : 128);
}

static struct kunit_case espif_lpm_test_cases[] = {
	KUNIT_CASE_PARAM(espif_lpm_test_table, espif_lpm_gen_params),
	KUNIT_CASE(espif_lpm_test_valid),
	KUNIT_CASE(espif_lpm_test_random),
	{}
};

static struct kunit_suite espif_lpm_test_suite = {
	.name = "espif_lpm",
	.test_cases = espif_lpm_test_cases,
};

kunit_test_suite(espif_lpm_test_suite);
