// SPDX-License-Identifier: GPL-2.0-only
/*
 * espif: raw ESP (IP protocol 50) reception, shared with xfrm.
 *
 * The kernel has one ESP protocol handler per family, with a chain of
 * users (xfrm4_protocol.c): ip_vti and xfrmi register there, and so does
 * espif, ahead of xfrm's own ESP (priority 0).  Each user is asked in turn;
 * -EINVAL means "not mine, ask the next".  espif claims only the SPIs of
 * its inbound SAs, so espif and xfrm SAs coexist in one namespace.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/esp.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/xfrm.h>

#include "io.h"
#include "proto.h"
#include "sa.h"

/* Above xfrm's ESP (0), ip_vti (100) and xfrmi (10). */
#define ESPIF_PROTO_PRIORITY	150

static int espif_esp_rcv(struct sk_buff *skb)
{
	struct ip_esp_hdr *esph;
	struct espif_sa *sa;

	if (!pskb_may_pull(skb, sizeof(*esph)))
		return -EINVAL;
	esph = (struct ip_esp_hdr *)skb->data;
	sa = espif_sa_lookup_in(dev_net(skb->dev), esph->spi);
	if (!sa)
		return -EINVAL;
	espif_input(skb, sa, 0);
	return 0;
}

/* xfrm's own ESP-in-UDP sockets and resumed input: never ours. */
static int espif_esp_input(struct sk_buff *skb, int nexthdr, __be32 spi,
			   int encap_type)
{
	return -EINVAL;
}

/* After xfrm decrypted a packet: not ours, let the next handler see it. */
static int espif_esp_rcv_cb(struct sk_buff *skb, int err)
{
	return 1;
}

/*
 * ICMP about an ESP packet we sent: learn the path MTU (RFC 1191) so that
 * the next inner packets get "too big" at the right size.
 */
static int espif_esp4_err(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const struct ip_esp_hdr *esph;
	struct net *net = dev_net(skb->dev);

	esph = (const struct ip_esp_hdr *)(skb->data + (iph->ihl << 2));
	if (!espif_sa_out_exists(net, esph->spi))
		return -ENOENT;
	switch (icmp_hdr(skb)->type) {
	case ICMP_DEST_UNREACH:
		if (icmp_hdr(skb)->code != ICMP_FRAG_NEEDED)
			return 0;
		ipv4_update_pmtu(skb, net, info, 0, IPPROTO_ESP);
		break;
	case ICMP_REDIRECT:
		ipv4_redirect(skb, net, 0, IPPROTO_ESP);
		break;
	}
	return 0;
}

static int espif_esp6_err(struct sk_buff *skb, struct inet6_skb_parm *opt,
			  u8 type, u8 code, int offset, __be32 info)
{
	const struct ip_esp_hdr *esph;
	struct net *net = dev_net(skb->dev);

	esph = (const struct ip_esp_hdr *)(skb->data + offset);
	if (!espif_sa_out_exists(net, esph->spi))
		return -ENOENT;
	if (type == NDISC_REDIRECT)
		ip6_redirect(skb, net, skb->dev->ifindex, 0,
			     sock_net_uid(net, NULL));
	else if (type == ICMPV6_PKT_TOOBIG)
		ip6_update_pmtu(skb, net, info, 0, 0, sock_net_uid(net, NULL));
	return 0;
}

static struct xfrm4_protocol espif_esp4_protocol __read_mostly = {
	.handler	= espif_esp_rcv,
	.input_handler	= espif_esp_input,
	.cb_handler	= espif_esp_rcv_cb,
	.err_handler	= espif_esp4_err,
	.priority	= ESPIF_PROTO_PRIORITY,
};

static struct xfrm6_protocol espif_esp6_protocol __read_mostly = {
	.handler	= espif_esp_rcv,
	.input_handler	= espif_esp_input,
	.cb_handler	= espif_esp_rcv_cb,
	.err_handler	= espif_esp6_err,
	.priority	= ESPIF_PROTO_PRIORITY,
};

int espif_proto_init(void)
{
	int ret;

	ret = xfrm4_protocol_register(&espif_esp4_protocol, IPPROTO_ESP);
	if (ret)
		return ret;
	ret = xfrm6_protocol_register(&espif_esp6_protocol, IPPROTO_ESP);
	if (ret)
		xfrm4_protocol_deregister(&espif_esp4_protocol, IPPROTO_ESP);
	return ret;
}

void espif_proto_uninit(void)
{
	xfrm6_protocol_deregister(&espif_esp6_protocol, IPPROTO_ESP);
	xfrm4_protocol_deregister(&espif_esp4_protocol, IPPROTO_ESP);
}
