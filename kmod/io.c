// SPDX-License-Identifier: GPL-2.0-only
/*
 * espif: the data path: ESP in tunnel mode (RFC 4303) over raw IP or UDP
 * (RFC 3948), outer and inner IPv4 and IPv6.
 *
 * Outbound (espif_xmit): inner destination -> peer (selectors) -> the
 * peer's outbound SA -> outer route -> encrypt -> outer headers -> send.
 * Inbound (espif_input, from the ESP protocol handler or the UDP socket):
 * SPI -> SA -> replay check -> decrypt -> replay commit -> trailer ->
 * anti-spoofing (inner source within the peer's selectors) -> deliver.
 *
 * Packet on the wire (tunnel mode, RFC 4303 section 2):
 *
 *   [outer IP][UDP, NAT-T only][SPI|seq][IV][inner packet|pad|pl|nh][ICV]
 *                               \______ authenticated ______/
 *                                          \__ encrypted __/
 *
 * The AEAD sees the ESP header through a scatterlist entry that points at
 * a copy in the per-packet temporary buffer, followed by the packet from
 * the IV on.  The copy lets extended sequence numbers put the high half in
 * the associated data (RFC 4106 5, RFC 7634 2.1; authencesn for HMAC)
 * without moving headers around inside the packet.
 */
#include <crypto/aead.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/scatterlist.h>
#include <linux/udp.h>
#include <net/dst.h>
#include <net/esp.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/udp.h>
#include <uapi/linux/espif.h>

#include "io.h"
#include "netlink.h"
#include "sa.h"
#include "udp.h"

/**
 * struct espif_xfer - per-packet state across (possibly asynchronous) crypto
 * @sa: the SA (a reference is held)
 * @seq: the full sequence number
 * @len: outbound: the inner packet's length
 * @family: the outer family
 * @saddr: outer source (outbound: to send from; inbound: seen)
 * @daddr: outer destination (outbound)
 * @sport: UDP source port (outbound: ours; inbound: the peer's), 0 = raw
 * @dport: UDP destination port (outbound), 0 = raw ESP
 * @aad: the ESP header as authenticated: SPI, [high half of seq], seq
 *
 * It heads one GFP_ATOMIC block laid out as in esp4.c: this struct, the IV
 * (aligned for the transform), the aead_request and its context, then the
 * scatterlist.
 */
struct espif_xfer {
	struct espif_sa *sa;
	u64 seq;
	unsigned int len;
	u8 family;
	union espif_addr saddr;
	union espif_addr daddr;
	__be16 sport;
	__be16 dport;
	__be32 aad[3];
};

struct espif_skb_cb {
	struct espif_xfer *xfer;
};

#define ESPIF_CB(skb) ((struct espif_skb_cb *)(skb)->cb)

static struct espif_xfer *espif_xfer_alloc(struct crypto_aead *aead,
					   int nsg)
{
	unsigned int len;

	len = sizeof(struct espif_xfer);
	len = ALIGN(len, crypto_aead_alignmask(aead) + 1) + 16;
	len = ALIGN(len, crypto_tfm_ctx_alignment());
	len += sizeof(struct aead_request) + crypto_aead_reqsize(aead);
	len = ALIGN(len, __alignof__(struct scatterlist));
	len += sizeof(struct scatterlist) * nsg;
	return kmalloc(len, GFP_ATOMIC);
}

static u8 *espif_xfer_iv(struct crypto_aead *aead, struct espif_xfer *x)
{
	return PTR_ALIGN((u8 *)(x + 1), crypto_aead_alignmask(aead) + 1);
}

static struct aead_request *espif_xfer_req(struct crypto_aead *aead,
					   struct espif_xfer *x)
{
	u8 *p = espif_xfer_iv(aead, x) + 16;

	return (void *)PTR_ALIGN(p, crypto_tfm_ctx_alignment());
}

static struct scatterlist *espif_xfer_sg(struct crypto_aead *aead,
					 struct aead_request *req)
{
	return (void *)PTR_ALIGN((u8 *)(req + 1) + crypto_aead_reqsize(aead),
				 __alignof__(struct scatterlist));
}

/* The authenticated ESP header, with ESN's high half (RFC 4303 2.2.1). */
static unsigned int espif_fill_aad(struct espif_xfer *x)
{
	struct espif_sa *sa = x->sa;

	x->aad[0] = sa->spi;
	if (!sa->esn) {
		x->aad[1] = htonl(lower_32_bits(x->seq));
		return 8;
	}
	x->aad[1] = htonl(upper_32_bits(x->seq));
	x->aad[2] = htonl(lower_32_bits(x->seq));
	return 12;
}

/*
 * Prepare the request: sg[0] is the header copy, then the packet from the
 * IV (at @off) to its end.  The IV is associated data: RFC 4303's ICV
 * covers it, and for rfc4106/rfc7539esp the transform takes the last 8
 * bytes of the associated data as the IV.
 */
static struct aead_request *espif_xfer_req_init(struct sk_buff *skb,
						struct espif_xfer *x, int nsg,
						unsigned int off,
						unsigned int cryptlen,
						crypto_completion_t done)
{
	struct crypto_aead *aead = x->sa->aead;
	struct aead_request *req = espif_xfer_req(aead, x);
	struct scatterlist *sg = espif_xfer_sg(aead, req);
	unsigned int aadlen;
	int n;

	aadlen = espif_fill_aad(x);
	sg_init_table(sg, nsg);
	sg_set_buf(sg, x->aad, aadlen);
	n = skb_to_sgvec(skb, sg + 1, off, skb->len - off);
	if (unlikely(n < 0))
		return NULL;

	aead_request_set_tfm(req, aead);
	aead_request_set_callback(req, 0, done, skb);
	aead_request_set_ad(req, aadlen + x->sa->ivlen);
	aead_request_set_crypt(req, sg, sg, cryptlen, espif_xfer_iv(aead, x));
	return req;
}

/* Release what a packet held across crypto.  @x may outlive the skb's cb. */
static void espif_xfer_free(struct espif_xfer *x)
{
	struct net_device *dev = x->sa->peer->edev->dev;

	espif_sa_put(x->sa);
	kfree(x);
	dev_put(dev);
}

/* --- ESP framing (RFC 4303 section 2), shared with the KUnit tests ------ */

/* RFC 4303 2.4: pad to the block, and to 4 bytes at least. */
static unsigned int espif_esp_padlen(unsigned int len, unsigned int align)
{
	return ALIGN(len + 2, align) - len - 2;
}

/*
 * Make the room ESP needs around an inner packet: header and IV in front
 * (plus @headroom), padding, trailer and ICV behind, all writable.
 * Return: the number of scatterlist entries the packet needs, or -errno.
 */
static int espif_esp_reserve(struct sk_buff *skb, const struct espif_sa *sa,
			     unsigned int headroom, struct sk_buff **trailer)
{
	unsigned int tailen = espif_esp_padlen(skb->len, sa->align) + 2 +
			      sa->icvlen;

	if (skb_cow_head(skb, sizeof(struct ip_esp_hdr) + sa->ivlen + headroom))
		return -ENOMEM;
	return skb_cow_data(skb, tailen, trailer);
}

/*
 * Frame a reserved inner packet: SPI, sequence number, IV, then the packet,
 * padding, pad length, next header and room for the ICV, in clear.
 */
static void espif_esp_frame(struct sk_buff *skb, const struct espif_sa *sa,
			    struct sk_buff *trailer, u64 seq, u8 nexthdr)
{
	unsigned int plen = espif_esp_padlen(skb->len, sa->align), i;
	struct ip_esp_hdr *esph;
	u8 *tail;

	tail = pskb_put(skb, trailer, plen + 2 + sa->icvlen);
	/* RFC 4303 2.4: the default padding is 1, 2, 3, ... */
	for (i = 0; i < plen; i++)
		tail[i] = i + 1;
	tail[plen] = plen;
	tail[plen + 1] = nexthdr;

	esph = skb_push(skb, sizeof(*esph) + sa->ivlen);
	skb_reset_transport_header(skb);
	esph->spi = sa->spi;
	esph->seq_no = htonl(lower_32_bits(seq));
	if (sa->ivlen == 8) {
		/*
		 * RFC 4106 3.1 / RFC 7634 2: the IV must not repeat under a
		 * key; the sequence number never does.
		 */
		put_unaligned_be64(seq, esph + 1);
	} else {
		/* RFC 3602 2.3: CBC needs an unpredictable IV. */
		get_random_bytes(esph + 1, sa->ivlen);
	}
}

/*
 * The request that encrypts (@seal) or decrypts a framed packet, whose
 * data starts at the ESP header; the IV is taken from the packet.
 */
static struct aead_request *espif_esp_req(struct sk_buff *skb,
					  struct espif_xfer *x, int nsg,
					  bool seal, crypto_completion_t done)
{
	struct espif_sa *sa = x->sa;
	unsigned int cryptlen;

	cryptlen = skb->len - sizeof(struct ip_esp_hdr) - sa->ivlen;
	if (seal)
		cryptlen -= sa->icvlen;
	memcpy(espif_xfer_iv(sa->aead, x), skb->data + sizeof(struct ip_esp_hdr),
	       sa->ivlen);
	return espif_xfer_req_init(skb, x, nsg, sizeof(struct ip_esp_hdr),
				   cryptlen, done);
}

/*
 * Check and strip the trailer (RFC 4303 2.4-2.6) and the header of a
 * decrypted packet, leaving the inner packet.
 * Return: 0 and the next header in @nexthdr, or -EBADMSG.
 */
static int espif_esp_unframe(struct sk_buff *skb, const struct espif_sa *sa,
			     u8 *nexthdr)
{
	unsigned int hdrlen = sizeof(struct ip_esp_hdr) + sa->ivlen;
	unsigned int len, i;
	u8 pad[256], tr[2];

	if (skb->len < hdrlen + 2 + sa->icvlen)
		return -EBADMSG;
	len = skb->len - sa->icvlen;
	if (skb_copy_bits(skb, len - 2, tr, 2))
		return -EBADMSG;
	if (hdrlen + tr[0] + 2 > len)
		return -EBADMSG;
	if (tr[0] && skb_copy_bits(skb, len - 2 - tr[0], pad, tr[0]))
		return -EBADMSG;
	for (i = 0; i < tr[0]; i++)
		if (pad[i] != i + 1)
			return -EBADMSG;
	if (pskb_trim(skb, len - 2 - tr[0]) || !pskb_may_pull(skb, hdrlen))
		return -EBADMSG;
	__skb_pull(skb, hdrlen);
	*nexthdr = tr[1];
	return 0;
}

/* --- outbound ----------------------------------------------------------- */

static void espif_report(struct espif_sa *sa, u32 ev)
{
	if (ev & ESPIF_EV_SOFT)
		espif_nl_notify_expire(sa, ESPIF_EXPIRE_SOFT);
	if (ev & ESPIF_EV_HARD)
		espif_nl_notify_expire(sa, ESPIF_EXPIRE_HARD);
	if (ev & ESPIF_EV_EXHAUSTED)
		espif_nl_notify_expire(sa, ESPIF_EXPIRE_SEQ_EXHAUSTED);
}

/*
 * Take the next sequence number and count the packet.  RFC 4303 3.3.3:
 * the counter must not cycle; the SA is then unusable until rekeyed.
 */
static int espif_sa_tx_seq(struct espif_sa *sa, unsigned int len, u64 *seq)
{
	u64 max = sa->esn ? U64_MAX : U32_MAX;
	u32 ev = 0;
	int ret = 0;

	spin_lock_bh(&sa->lock);
	if (sa->dead || (sa->events & ESPIF_EV_HARD)) {
		ret = -EKEYEXPIRED;
	} else if (sa->seq == max) {
		if (!(sa->events & ESPIF_EV_EXHAUSTED)) {
			ev = ESPIF_EV_EXHAUSTED;
			WRITE_ONCE(sa->events, sa->events | ev);
		}
		ret = -EOVERFLOW;
	} else {
		*seq = ++sa->seq;
		ev = espif_sa_account(sa, len);
	}
	spin_unlock_bh(&sa->lock);
	if (ev)
		espif_report(sa, ev);
	return ret;
}

static void espif_send4(struct sk_buff *skb, struct espif_xfer *x, u8 proto)
{
	struct net *net = dev_net(x->sa->peer->edev->dev);
	struct dst_entry *dst = skb_dst(skb);
	struct iphdr *iph;

	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = 0;
	/* DF clear: too-big inner packets got ICMP already (RFC 4459 3). */
	iph->frag_off = 0;
	iph->ttl = ip4_dst_hoplimit(dst);
	iph->protocol = proto;
	iph->saddr = x->saddr.ip4;
	iph->daddr = x->daddr.ip4;
	ip_select_ident(net, skb, NULL);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	skb->protocol = htons(ETH_P_IP);
	ip_local_out(net, NULL, skb);
}

static void espif_send6(struct sk_buff *skb, struct espif_xfer *x, u8 proto)
{
	struct net *net = dev_net(x->sa->peer->edev->dev);
	struct ipv6hdr *ip6h;

	if (proto == IPPROTO_UDP)
		/* IPv6 forbids the zero UDP checksum IPv4 may use (RFC 8200 8.1). */
		udp6_set_csum(false, skb, &x->saddr.ip6, &x->daddr.ip6,
			      skb->len);
	ip6h = skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->nexthdr = proto;
	ip6h->hop_limit = ip6_dst_hoplimit(skb_dst(skb));
	ip6h->saddr = x->saddr.ip6;
	ip6h->daddr = x->daddr.ip6;
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	skb->protocol = htons(ETH_P_IPV6);
	/* Let IPv6 fragment at the source when the path shrank. */
	skb->ignore_df = 1;
	ip6_local_out(net, NULL, skb);
}

/* Encrypted: add the outer headers and send.  Consumes @skb. */
static void espif_encrypt_finish(struct sk_buff *skb, int err)
{
	struct espif_xfer *x = ESPIF_CB(skb)->xfer;
	struct espif_dev *edev = x->sa->peer->edev;
	unsigned int len = x->len;
	u8 proto = IPPROTO_ESP;
	struct udphdr *uh;

	if (unlikely(err)) {
		net_dbg_ratelimited("%s: encryption failed: %d\n",
				    edev->dev->name, err);
		espif_count(edev, tx_errors);
		dev_core_stats_tx_dropped_inc(edev->dev);
		espif_xfer_free(x);
		kfree_skb(skb);
		return;
	}
	if (x->dport) {
		uh = skb_push(skb, sizeof(*uh));
		skb_reset_transport_header(skb);
		uh->source = x->sport;
		uh->dest = x->dport;
		uh->len = htons(skb->len);
		/* RFC 3948 2.1: the IPv4 checksum may be zero. */
		uh->check = 0;
		proto = IPPROTO_UDP;
	}
	skb->ip_summed = CHECKSUM_NONE;
	skb->mark = 0;
	if (x->family == AF_INET)
		espif_send4(skb, x, proto);
	else
		espif_send6(skb, x, proto);
	dev_sw_netstats_tx_add(edev->dev, 1, len);
	espif_xfer_free(x);
}

static void espif_encrypt_done(ESPIF_CRYPTO_CB_ARG arg, int err)
{
	struct sk_buff *skb = espif_crypto_cb_data(arg);

	espif_encrypt_finish(skb, err);
}

/*
 * ESP-encapsulate one inner packet (not GSO) with @sa and send it.  The
 * outer route is already attached (skb_dst).  Consumes @skb.
 */
static void espif_encrypt(struct sk_buff *skb, struct espif_sa *sa,
			  const struct espif_xfer *tmpl)
{
	struct espif_dev *edev = sa->peer->edev;
	struct sk_buff *trailer;
	struct aead_request *req;
	struct espif_xfer *x;
	unsigned int len;
	int nfrags, err;
	u8 nexthdr;
	u64 seq;

	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		goto err;
	len = skb->len;
	nexthdr = skb->protocol == htons(ETH_P_IP) ? IPPROTO_IPIP :
						       IPPROTO_IPV6;
	nfrags = espif_esp_reserve(skb, sa, ESPIF_OUTER_HEADROOM +
				   LL_RESERVED_SPACE(skb_dst(skb)->dev),
				   &trailer);
	if (nfrags < 0)
		goto err;

	if (espif_sa_tx_seq(sa, len, &seq)) {
		espif_count(edev, tx_no_sa);
		goto drop;
	}
	espif_esp_frame(skb, sa, trailer, seq, nexthdr);

	x = espif_xfer_alloc(sa->aead, nfrags + 1);
	if (!x)
		goto err;
	*x = *tmpl;
	x->sa = sa;
	x->seq = seq;
	x->len = len;
	espif_sa_hold(sa);
	dev_hold(edev->dev);
	ESPIF_CB(skb)->xfer = x;

	req = espif_esp_req(skb, x, nfrags + 1, true, espif_encrypt_done);
	if (!req) {
		espif_encrypt_finish(skb, -EINVAL);
		return;
	}
	err = crypto_aead_encrypt(req);
	if (err == -EINPROGRESS || err == -EBUSY)
		return;
	espif_encrypt_finish(skb, err);
	return;

err:
	net_dbg_ratelimited("%s: no memory for ESP\n", edev->dev->name);
	espif_count(edev, tx_errors);
drop:
	dev_core_stats_tx_dropped_inc(edev->dev);
	kfree_skb(skb);
}

/*
 * The outer route to the peer, from its cache when possible.  Fills the
 * outer addresses and ports of @x.  Context: BH disabled.
 */
static struct dst_entry *espif_route(struct espif_peer *peer,
				     struct espif_xfer *x)
{
	struct net_device *dev = peer->edev->dev;
	struct net *net = dev_net(dev);
	struct dst_entry *dst = NULL;
	struct espif_endpoint *ep;

	read_lock_bh(&peer->ep_lock);
	ep = &peer->ep;
	x->family = ep->family;
	x->daddr = ep->remote;
	x->dport = ep->port;
	if (ep->family == AF_INET) {
		struct flowi4 fl4 = {
			.daddr = ep->remote.ip4,
			.saddr = ep->local.ip4,
			.flowi4_proto = ep->port ? IPPROTO_UDP : IPPROTO_ESP,
		};
		struct rtable *rt;

		rt = dst_cache_get_ip4(&peer->dst_cache, &x->saddr.ip4);
		if (rt) {
			dst = &rt->dst;
		} else {
			rt = ip_route_output_key(net, &fl4);
			if (IS_ERR(rt))
				goto out;
			dst = &rt->dst;
			if (dst->dev == dev) {
				/* The outer route leads back into us. */
				dst_release(dst);
				dst = NULL;
				goto out;
			}
			x->saddr.ip4 = fl4.saddr;
			dst_cache_set_ip4(&peer->dst_cache, dst, fl4.saddr);
		}
	} else {
		struct flowi6 fl6 = {
			.daddr = ep->remote.ip6,
			.saddr = ep->local.ip6,
			.flowi6_proto = ep->port ? IPPROTO_UDP : IPPROTO_ESP,
		};

		dst = dst_cache_get_ip6(&peer->dst_cache, &x->saddr.ip6);
		if (!dst) {
			dst = ip6_dst_lookup_flow(net, NULL, &fl6, NULL);
			if (IS_ERR(dst)) {
				dst = NULL;
				goto out;
			}
			if (dst->dev == dev) {
				dst_release(dst);
				dst = NULL;
				goto out;
			}
			x->saddr.ip6 = fl6.saddr;
			dst_cache_set_ip6(&peer->dst_cache, dst, &fl6.saddr);
		}
	}
out:
	read_unlock_bh(&peer->ep_lock);
	return dst;
}

/* The largest inner packet that fits the outer path MTU in one ESP packet. */
static unsigned int espif_inner_mtu(struct espif_sa *sa,
				    const struct espif_xfer *x,
				    unsigned int mtu)
{
	unsigned int over;

	over = (x->family == AF_INET ? sizeof(struct iphdr) :
				       sizeof(struct ipv6hdr)) +
	       (x->dport ? sizeof(struct udphdr) : 0) +
	       sizeof(struct ip_esp_hdr) + sa->ivlen + sa->icvlen;
	if (mtu < over + 2 + sa->align)
		return 0;
	return round_down(mtu - over, sa->align) - 2;
}

/*
 * RFC 4459 / RFC 1191: a packet that cannot fit the path and may not be
 * fragmented gets "too big" with the inner MTU, like any router would
 * send.  IPv4 without DF is sent anyway: the outer packet is fragmented.
 */
static bool espif_too_big(struct sk_buff *skb, unsigned int inner_mtu)
{
	bool fits;

	if (skb_is_gso(skb))
		fits = skb_gso_validate_network_len(skb, inner_mtu);
	else
		fits = skb->len <= inner_mtu;
	if (fits)
		return false;

	if (skb->protocol == htons(ETH_P_IP)) {
		if (!(ip_hdr(skb)->frag_off & htons(IP_DF)))
			return false;
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			      htonl(inner_mtu));
	} else {
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0,
				max_t(unsigned int, inner_mtu, IPV6_MIN_MTU));
	}
	return true;
}

/* Inner family and destination, after checking the header is there. */
static u8 espif_inner_dst(struct sk_buff *skb, union espif_addr *dst)
{
	switch (skb->protocol) {
	case htons(ETH_P_IP):
		if (!pskb_network_may_pull(skb, sizeof(struct iphdr)) ||
		    ip_hdr(skb)->version != 4)
			return 0;
		dst->ip4 = ip_hdr(skb)->daddr;
		return AF_INET;
	case htons(ETH_P_IPV6):
		if (!pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) ||
		    ipv6_hdr(skb)->version != 6)
			return 0;
		dst->ip6 = ipv6_hdr(skb)->daddr;
		return AF_INET6;
	}
	return 0;
}

static void espif_acquire(struct espif_peer *peer)
{
	unsigned long last = READ_ONCE(peer->acquire_at), now = jiffies;

	/* At most one a second per peer, like xfrm's acquire timer. */
	if (time_before(now, last + HZ) ||
	    cmpxchg(&peer->acquire_at, last, now) != last)
		return;
	espif_nl_notify_acquire(peer);
}

/**
 * espif_xmit - ndo_start_xmit: encrypt what is routed into the interface
 * @skb: an inner IPv4 or IPv6 packet, maybe GSO
 * @dev: the espif interface
 *
 * Nothing leaves without an SA: a packet no peer claims, or whose peer
 * has no usable outbound SA, is dropped and counted.
 */
netdev_tx_t espif_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct espif_dev *edev = netdev_priv(dev);
	struct espif_xfer tmpl = {};
	struct sk_buff *segs, *next;
	struct espif_peer *peer;
	struct dst_entry *dst;
	union espif_addr daddr;
	struct espif_sa *sa;
	u8 family;

	family = espif_inner_dst(skb, &daddr);
	if (!family) {
		net_dbg_ratelimited("%s: not IPv4 or IPv6: %04x\n",
				    dev->name, ntohs(skb->protocol));
		espif_count(edev, tx_errors);
		goto drop;
	}

	rcu_read_lock_bh();
	peer = espif_lpm_lookup(edev, family, &daddr);
	if (!peer) {
		rcu_read_unlock_bh();
		espif_count(edev, tx_no_peer);
		goto drop;
	}
	sa = espif_deref(peer->tx_sa);
	if (!sa || !espif_sa_usable(sa) || !espif_sa_hold(sa)) {
		espif_acquire(peer);
		rcu_read_unlock_bh();
		espif_count(edev, tx_no_sa);
		goto drop;
	}
	rcu_read_unlock_bh();

	dst = espif_route(peer, &tmpl);
	if (!dst) {
		net_dbg_ratelimited("%s: no route to peer %u\n", dev->name,
				    peer->id);
		espif_count(edev, tx_errors);
		goto drop_sa;
	}
	if (tmpl.dport && espif_udp_sport(edev, tmpl.family, &tmpl.sport)) {
		/* ESP in UDP needs the socket userspace attaches. */
		net_dbg_ratelimited("%s: no UDP socket for peer %u\n",
				    dev->name, peer->id);
		espif_count(edev, tx_errors);
		goto drop_dst;
	}
	if (espif_too_big(skb, espif_inner_mtu(sa, &tmpl, dst_mtu(dst)))) {
		espif_count(edev, tx_too_big);
		goto drop_dst;
	}

	skb_dst_drop(skb);
	if (skb_is_gso(skb)) {
		segs = skb_gso_segment(skb, 0);
		if (IS_ERR_OR_NULL(segs)) {
			net_dbg_ratelimited("%s: GSO segmentation failed\n",
					    dev->name);
			espif_count(edev, tx_errors);
			goto drop_dst;
		}
		consume_skb(skb);
		skb = segs;
	}
	skb_list_walk_safe(skb, skb, next) {
		skb_mark_not_on_list(skb);
		skb_dst_set(skb, dst_clone(dst));
		espif_encrypt(skb, sa, &tmpl);
	}
	dst_release(dst);
	espif_sa_put(sa);
	return NETDEV_TX_OK;

drop_dst:
	dst_release(dst);
drop_sa:
	espif_sa_put(sa);
drop:
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

/* --- inbound ------------------------------------------------------------ */

static void espif_rx_drop(struct sk_buff *skb)
{
	struct espif_xfer *x = ESPIF_CB(skb)->xfer;

	dev_core_stats_rx_dropped_inc(x->sa->peer->edev->dev);
	espif_xfer_free(x);
	kfree_skb(skb);
}

/* The inner source, after checking the inner header is whole. */
static u8 espif_inner_src(struct sk_buff *skb, u8 nexthdr,
			  union espif_addr *src)
{
	if (nexthdr == IPPROTO_IPIP) {
		if (!pskb_may_pull(skb, sizeof(struct iphdr)) ||
		    ip_hdr(skb)->version != 4 || ip_hdr(skb)->ihl < 5)
			return 0;
		src->ip4 = ip_hdr(skb)->saddr;
		skb->protocol = htons(ETH_P_IP);
		return AF_INET;
	}
	if (nexthdr == IPPROTO_IPV6) {
		if (!pskb_may_pull(skb, sizeof(struct ipv6hdr)) ||
		    ipv6_hdr(skb)->version != 6)
			return 0;
		src->ip6 = ipv6_hdr(skb)->saddr;
		skb->protocol = htons(ETH_P_IPV6);
		return AF_INET6;
	}
	return 0;
}

/* RFC 3948 / RFC 7296 2.23: tell userspace the peer's NAT mapping moved. */
static void espif_check_mapping(struct espif_sa *sa, struct espif_xfer *x)
{
	struct espif_peer *peer = sa->peer;
	unsigned int alen = x->family == AF_INET ? 4 : 16;
	bool moved, report = false;

	read_lock_bh(&peer->ep_lock);
	moved = peer->ep.family != x->family || peer->ep.port != x->sport ||
		memcmp(&peer->ep.remote, &x->saddr, alen);
	read_unlock_bh(&peer->ep_lock);
	if (!moved)
		return;

	spin_lock_bh(&sa->lock);
	if (sa->map_port != x->sport || memcmp(&sa->map_addr, &x->saddr, alen)) {
		sa->map_port = x->sport;
		sa->map_addr = x->saddr;
		report = true;
	}
	spin_unlock_bh(&sa->lock);
	if (report)
		espif_nl_notify_mapping(sa, x->family, &x->saddr, x->sport);
}

/* Decrypted (or not): check, strip and deliver.  Consumes @skb. */
static void espif_decrypt_finish(struct sk_buff *skb, int err)
{
	struct espif_xfer *x = ESPIF_CB(skb)->xfer;
	struct espif_sa *sa = x->sa;
	struct espif_dev *edev = sa->peer->edev;
	union espif_addr src;
	u8 nexthdr, family;
	unsigned int len;
	bool ok;
	u32 ev;

	if (unlikely(err)) {
		spin_lock_bh(&sa->lock);
		if (err == -EBADMSG)
			sa->auth_fails++;
		spin_unlock_bh(&sa->lock);
		if (err != -EBADMSG)
			espif_count(edev, rx_malformed);
		goto drop;
	}

	/* Authentic: now the window may move (RFC 4303 3.4.3). */
	spin_lock_bh(&sa->lock);
	ok = espif_replay_advance(&sa->replay, x->seq);
	if (!ok)
		sa->replay_drops++;
	spin_unlock_bh(&sa->lock);
	if (!ok)
		goto drop;

	if (espif_esp_unframe(skb, sa, &nexthdr))
		goto malformed;
	if (nexthdr == IPPROTO_NONE) {
		/* RFC 4303 2.6: a dummy packet (TFC), silently dropped. */
		espif_xfer_free(x);
		consume_skb(skb);
		return;
	}

	skb_reset_network_header(skb);
	family = espif_inner_src(skb, nexthdr, &src);
	if (!family)
		goto malformed;

	/* RFC 4301 5.2: the inner source must be one the SA may carry. */
	rcu_read_lock_bh();
	ok = espif_lpm_lookup(edev, family, &src) == sa->peer;
	rcu_read_unlock_bh();
	if (!ok) {
		espif_count(edev, rx_spoofed);
		goto drop;
	}

	spin_lock_bh(&sa->lock);
	ok = !(sa->events & ESPIF_EV_HARD);
	ev = ok ? espif_sa_account(sa, skb->len) : 0;
	spin_unlock_bh(&sa->lock);
	if (ev)
		espif_report(sa, ev);
	if (!ok)
		goto drop;

	if (x->sport)
		espif_check_mapping(sa, x);

	skb_scrub_packet(skb, !net_eq(dev_net(edev->dev),
				      dev_net(skb->dev)));
	skb->dev = edev->dev;
	skb_reset_mac_header(skb);
	skb_reset_transport_header(skb);
	/* Authenticated end to end: the inner checksums need no check. */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->csum_level = ~0;
	len = skb->len;
	if (gro_cells_receive(&edev->gro_cells, skb) == NET_RX_SUCCESS)
		dev_sw_netstats_rx_add(edev->dev, len);
	/* Last: the net_device reference is dropped here. */
	espif_xfer_free(x);
	return;

malformed:
	espif_count(edev, rx_malformed);
drop:
	espif_rx_drop(skb);
}

static void espif_decrypt_done(ESPIF_CRYPTO_CB_ARG arg, int err)
{
	struct sk_buff *skb = espif_crypto_cb_data(arg);

	espif_decrypt_finish(skb, err);
}

/**
 * espif_input - decrypt and deliver an inbound ESP packet
 * @skb: the packet, data at the ESP header, network header the outer one
 * @sa: its SA, found by SPI (the caller's reference passes to us)
 * @sport: the outer UDP source port for ESP in UDP, 0 for raw ESP
 *
 * Context: softirq.  Always consumes @skb.
 */
void espif_input(struct sk_buff *skb, struct espif_sa *sa, __be16 sport)
{
	struct espif_dev *edev = sa->peer->edev;
	struct ip_esp_hdr *esph;
	struct sk_buff *trailer;
	struct aead_request *req;
	struct espif_xfer *x;
	unsigned int hdrlen;
	int elen, nfrags, err;
	bool ok;
	u64 seq;

	hdrlen = sizeof(*esph) + sa->ivlen;
	if (!pskb_may_pull(skb, hdrlen))
		goto malformed;
	elen = skb->len - hdrlen - sa->icvlen;
	/* RFC 4303 2.4: the ciphertext ends 4-byte aligned (block for CBC). */
	if (elen < 2 || elen % sa->align)
		goto malformed;

	esph = (struct ip_esp_hdr *)skb->data;
	spin_lock_bh(&sa->lock);
	seq = espif_replay_infer(&sa->replay, ntohl(esph->seq_no));
	ok = espif_replay_check(&sa->replay, seq);
	if (!ok)
		sa->replay_drops++;
	spin_unlock_bh(&sa->lock);
	if (!ok)
		goto drop;

	nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0)
		goto drop;
	x = espif_xfer_alloc(sa->aead, nfrags + 1);
	if (!x)
		goto drop;
	memset(x, 0, sizeof(*x));
	x->sa = sa;
	x->seq = seq;
	x->sport = sport;
	if (ip_hdr(skb)->version == 4) {
		x->family = AF_INET;
		x->saddr.ip4 = ip_hdr(skb)->saddr;
	} else {
		x->family = AF_INET6;
		x->saddr.ip6 = ipv6_hdr(skb)->saddr;
	}
	dev_hold(edev->dev);
	ESPIF_CB(skb)->xfer = x;

	req = espif_esp_req(skb, x, nfrags + 1, false, espif_decrypt_done);
	if (!req) {
		espif_decrypt_finish(skb, -EINVAL);
		return;
	}
	err = crypto_aead_decrypt(req);
	if (err == -EINPROGRESS || err == -EBUSY)
		return;
	espif_decrypt_finish(skb, err);
	return;

malformed:
	espif_count(edev, rx_malformed);
drop:
	dev_core_stats_rx_dropped_inc(edev->dev);
	espif_sa_put(sa);
	kfree_skb(skb);
}

#if IS_ENABLED(CONFIG_ESPIF_KUNIT_TEST)
#include "tests/esp_kunit.c"
#endif
