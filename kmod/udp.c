// SPDX-License-Identifier: GPL-2.0-only
/*
 * espif: ESP in UDP (RFC 3948) on a socket userspace owns.
 *
 * The IKE daemon binds the socket (port 4500 is shared between IKE and
 * ESP, RFC 7296 2.23) and passes its descriptor in; the interface then
 * hooks the socket's encap_rcv.  On it:
 *   - a single 0xff byte is a NAT-keepalive (RFC 3948 2.3): consumed;
 *   - a payload starting with four zero bytes carries the non-ESP marker
 *     (RFC 3948 2.2): IKE, passed up to the socket for the daemon;
 *   - anything else is ESP (RFC 3948 2.1): decrypted here.
 * The socket stays userspace's: closing it detaches it (encap_destroy).
 * The interface holds a reference on the struct sock so that the pointer it
 * keeps stays valid until it is detached.
 */
#include <linux/file.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <net/esp.h>
#include <net/sock.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "device.h"
#include "io.h"
#include "sa.h"
#include "udp.h"

/**
 * struct espif_sock - an attached UDP socket
 * @sk: the socket (a reference is held)
 * @edev: the interface it carries ESP for
 * @sport: its local port
 * @rcu: deferred free
 */
struct espif_sock {
	struct sock *sk;
	struct espif_dev *edev;
	__be16 sport;
	struct rcu_head rcu;
};

/*
 * encap_rcv contract (udp_queue_rcv_one_skb): return 0 when the packet was
 * consumed, > 0 to deliver it to the socket as plain UDP.
 */
static int espif_udp_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct espif_sock *esock = rcu_dereference_sk_user_data(sk);
	unsigned int len = skb->len - sizeof(struct udphdr);
	struct ip_esp_hdr *esph;
	struct espif_sa *sa;
	__be16 sport;
	u8 *data;

	if (!esock)
		return 1;
	if (!pskb_may_pull(skb, sizeof(struct udphdr) + min(len, 8U)))
		return 1;
	data = skb->data + sizeof(struct udphdr);
	if (len == 1 && data[0] == 0xff) {
		consume_skb(skb);
		return 0;
	}
	if (len <= sizeof(*esph) || !*(u32 *)data)
		return 1;

	sport = udp_hdr(skb)->source;
	__skb_pull(skb, sizeof(struct udphdr));
	skb_reset_transport_header(skb);
	esph = (struct ip_esp_hdr *)skb->data;
	sa = espif_sa_lookup_in(sock_net(sk), esph->spi);
	if (!sa || sa->peer->edev != esock->edev) {
		espif_sa_put(sa);
		espif_count(esock->edev, rx_no_sa);
		dev_core_stats_rx_dropped_inc(esock->edev->dev);
		kfree_skb(skb);
		return 0;
	}
	espif_input(skb, sa, sport);
	return 0;
}

static void espif_sock_free_rcu(struct rcu_head *rcu)
{
	struct espif_sock *esock = container_of(rcu, struct espif_sock, rcu);

	sock_put(esock->sk);
	kfree(esock);
}

/* Undo the attach.  Context: espif_cfg_lock held. */
static void espif_udp_detach(struct espif_sock __rcu **slot)
{
	struct espif_sock *esock;
	struct sock *sk;

	esock = rcu_replace_pointer(*slot, NULL,
				    lockdep_is_held(&espif_cfg_lock));
	if (!esock)
		return;
	sk = esock->sk;
	WRITE_ONCE(udp_sk(sk)->encap_type, 0);
	WRITE_ONCE(udp_sk(sk)->encap_rcv, NULL);
	WRITE_ONCE(udp_sk(sk)->encap_destroy, NULL);
	rcu_assign_sk_user_data(sk, NULL);
	call_rcu(&esock->rcu, espif_sock_free_rcu);
}

/* The socket is being closed by its owner. */
static void espif_udp_encap_destroy(struct sock *sk)
{
	struct espif_sock *esock;

	mutex_lock(&espif_cfg_lock);
	rcu_read_lock();
	esock = rcu_dereference_sk_user_data(sk);
	rcu_read_unlock();
	/* Still ours: only espif_cfg_lock holders detach, and we hold it. */
	if (esock) {
		struct espif_dev *edev = esock->edev;

		if (rcu_access_pointer(edev->sock4) == esock)
			espif_udp_detach(&edev->sock4);
		else if (rcu_access_pointer(edev->sock6) == esock)
			espif_udp_detach(&edev->sock6);
	}
	mutex_unlock(&espif_cfg_lock);
}

/**
 * espif_udp_attach - carry ESP in UDP on a socket of the caller
 * @edev: the interface
 * @fd: the caller's descriptor of a bound UDP socket
 * @extack: where to say why not
 *
 * Context: espif_cfg_lock held.
 * Return: 0 or -errno.
 */
int espif_udp_attach(struct espif_dev *edev, int fd,
		     struct netlink_ext_ack *extack)
{
	struct espif_sock __rcu **slot;
	struct espif_sock *esock;
	struct socket *sock;
	struct sock *sk;
	int ret;

	sock = sockfd_lookup(fd, &ret);
	if (!sock) {
		NL_SET_ERR_MSG_MOD(extack, "not a socket of the caller");
		return ret;
	}
	sk = sock->sk;
	ret = -EPROTONOSUPPORT;
	if (sk->sk_protocol != IPPROTO_UDP || sk->sk_type != SOCK_DGRAM ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		NL_SET_ERR_MSG_MOD(extack, "not a UDP socket");
		goto out;
	}
	ret = -EINVAL;
	if (!net_eq(sock_net(sk), dev_net(edev->dev))) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the socket is in another network namespace than the interface");
		goto out;
	}
	if (!inet_sk(sk)->inet_sport) {
		NL_SET_ERR_MSG_MOD(extack, "the socket is not bound to a port");
		goto out;
	}
	ret = -EBUSY;
	if (rcu_access_pointer(sk->sk_user_data) ||
	    READ_ONCE(udp_sk(sk)->encap_type)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the socket is already encapsulated by another owner");
		goto out;
	}
	slot = sk->sk_family == AF_INET ? &edev->sock4 : &edev->sock6;
	ret = -EEXIST;
	if (rcu_access_pointer(*slot)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the interface already has a UDP socket of this family");
		goto out;
	}
	ret = -ENOMEM;
	esock = kzalloc(sizeof(*esock), GFP_KERNEL);
	if (!esock)
		goto out;
	sock_hold(sk);
	esock->sk = sk;
	esock->edev = edev;
	esock->sport = inet_sk(sk)->inet_sport;
	/*
	 * What setsockopt(UDP_ENCAP) does for xfrm, with our receive hook;
	 * by hand because setup_udp_tunnel_sock() changed its arguments in
	 * 7.x and would add a dependency on the udp_tunnel module.
	 */
	lock_sock(sk);
	rcu_assign_sk_user_data(sk, esock);
	WRITE_ONCE(udp_sk(sk)->encap_type, UDP_ENCAP_ESPINUDP);
	WRITE_ONCE(udp_sk(sk)->encap_rcv, espif_udp_encap_rcv);
	WRITE_ONCE(udp_sk(sk)->encap_destroy, espif_udp_encap_destroy);
	udp_tunnel_encap_enable(sk);
	release_sock(sk);
	rcu_assign_pointer(*slot, esock);
	ret = 0;
out:
	sockfd_put(sock);
	return ret;
}

/* Context: espif_cfg_lock held. */
void espif_udp_detach_all(struct espif_dev *edev)
{
	espif_udp_detach(&edev->sock4);
	espif_udp_detach(&edev->sock6);
}

/**
 * espif_udp_sport - the local port for ESP in UDP of an outer family
 * @edev: the interface
 * @family: AF_INET or AF_INET6
 * @sport: the port
 *
 * An IPv6 socket not restricted to IPv6 also serves IPv4.
 * Return: 0, or -ENOTCONN when no socket is attached.
 */
int espif_udp_sport(struct espif_dev *edev, u8 family, __be16 *sport)
{
	struct espif_sock *esock;
	int ret = -ENOTCONN;

	rcu_read_lock();
	if (family == AF_INET)
		esock = rcu_dereference(edev->sock4);
	else
		esock = rcu_dereference(edev->sock6);
	if (!esock && family == AF_INET) {
		esock = rcu_dereference(edev->sock6);
		if (esock && esock->sk->sk_ipv6only)
			esock = NULL;
	}
	if (esock) {
		*sport = esock->sport;
		ret = 0;
	}
	rcu_read_unlock();
	return ret;
}

/* The local ports of the attached sockets (at most 2).  Return: count. */
int espif_udp_ports(struct espif_dev *edev, __be16 *ports)
{
	struct espif_sock *esock;
	int n = 0;

	rcu_read_lock();
	esock = rcu_dereference(edev->sock4);
	if (esock)
		ports[n++] = esock->sport;
	esock = rcu_dereference(edev->sock6);
	if (esock)
		ports[n++] = esock->sport;
	rcu_read_unlock();
	return n;
}
