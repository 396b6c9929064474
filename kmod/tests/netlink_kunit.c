// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the "espif" generic netlink family as userspace sees it.
 *
 * Included at the end of netlink.c when CONFIG_ESPIF_KUNIT_TEST is set.
 * Requests go through a real netlink socket (a kernel socket with a file,
 * so that the CAP_NET_ADMIN check runs), the core's policy validation and
 * our handlers; the test reads the ack: the error, and the extack message,
 * bad attribute or missing attribute.  Each case names a command, the
 * attributes to send and the documented answer:
 *
 *   missing      a required attribute absent: -EINVAL, missing-type set
 *   wrong type   a scalar of the wrong size: -EINVAL, bad attribute set
 *                (a flag with a payload: -ERANGE, the core's choice)
 *   out of range a value outside the policy: -ERANGE, bad attribute set
 *   oversized    a binary attribute too long: -EINVAL from our handlers,
 *                -ERANGE where the policy has the exact length
 *   unknown      an attribute type beyond the set: -EINVAL
 *
 * An interface "espkunit0" (created over rtnetlink, as `ip link add` does)
 * and a peer 1 on it give the handlers something to find.
 */
#include <kunit/test.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/rtnetlink.h>
#include <net/sock.h>

struct espif_t_nl {
	struct socket *sock;
	struct file *file;
	u32 seq;
};

struct espif_t_ack {
	int error;
	char msg[160];
	int bad_type;		/* type of the attribute at the bad offset */
	int miss_type;
};

static int espif_t_nl_open(struct espif_t_nl *nl, int proto)
{
	int one = 1, ret;

	ret = sock_create_kern(&init_net, AF_NETLINK, SOCK_RAW, proto,
			       &nl->sock);
	if (ret)
		return ret;
	/* netlink_capable() looks at the file's credentials: ours, root. */
	nl->file = sock_alloc_file(nl->sock, 0, NULL);
	if (IS_ERR(nl->file))
		return PTR_ERR(nl->file);
	ret = nl->sock->ops->setsockopt(nl->sock, SOL_NETLINK, NETLINK_EXT_ACK,
					KERNEL_SOCKPTR(&one), sizeof(one));
	if (!ret)
		ret = nl->sock->ops->setsockopt(nl->sock, SOL_NETLINK,
						NETLINK_CAP_ACK,
						KERNEL_SOCKPTR(&one),
						sizeof(one));
	return ret;
}

static void espif_t_nl_close(struct espif_t_nl *nl)
{
	if (!IS_ERR_OR_NULL(nl->file))
		fput(nl->file);
}

/* Send one request (in @skb) and wait for its ack. */
static int espif_t_nl_xfer(struct espif_t_nl *nl, struct sk_buff *skb,
			   struct espif_t_ack *ack)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof(sa) };
	struct kvec iov = { .iov_base = skb->data, .iov_len = skb->len };
	struct nlmsghdr *nlh;
	int ret, len, rem;
	struct nlattr *a;
	u8 *buf;

	memset(ack, 0, sizeof(*ack));
	ack->bad_type = -1;
	ack->miss_type = -1;
	ret = kernel_sendmsg(nl->sock, &msg, &iov, 1, skb->len);
	if (ret < 0)
		return ret;

	buf = kmalloc(8192, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	/* The request is handled in sendmsg(): the ack is queued already. */
	for (;;) {
		struct msghdr rmsg = {};

		iov.iov_base = buf;
		iov.iov_len = 8192;
		len = kernel_recvmsg(nl->sock, &rmsg, &iov, 1, 8192,
				     MSG_DONTWAIT);
		if (len < 0) {
			ret = len;
			goto out;
		}
		nlh = (struct nlmsghdr *)buf;
		for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
			struct nlmsgerr *e = nlmsg_data(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			ack->error = e->error;
			if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
				goto done;
			rem = nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(*e);
			nla_for_each_attr(a, (struct nlattr *)(e + 1), rem, rem) {
				u32 off;

				switch (nla_type(a)) {
				case NLMSGERR_ATTR_MSG:
					nla_strscpy(ack->msg, a, sizeof(ack->msg));
					break;
				case NLMSGERR_ATTR_OFFS:
					off = nla_get_u32(a);
					if (off + NLA_HDRLEN <= skb->len)
						ack->bad_type = nla_type((struct nlattr *)
									 (skb->data + off));
					break;
				case NLMSGERR_ATTR_MISS_TYPE:
					ack->miss_type = nla_get_u32(a);
					break;
				}
			}
			goto done;
		}
	}
done:
	ret = 0;
out:
	kfree(buf);
	return ret;
}

/* What a case sends: a list of attributes, scalars, blobs and nests. */
enum espif_t_kind {
	T_END, T_U8, T_U16, T_U32, T_U64, T_FLAG, T_BIN, T_NEST, T_NEST_END,
	T_IFINDEX,	/* u32: espkunit0's index */
};

struct espif_t_attr {
	u16 type;
	u8 kind;
	u16 len;	/* T_BIN: bytes of 0x5a */
	u64 val;
};

#define U8(t, v)	{ t, T_U8, 0, v }
#define U16(t, v)	{ t, T_U16, 0, v }
#define U32(t, v)	{ t, T_U32, 0, v }
#define U64(t, v)	{ t, T_U64, 0, v }
#define FLAG(t)		{ t, T_FLAG, 0, 0 }
#define BIN(t, n)	{ t, T_BIN, n, 0 }
#define NEST(t)		{ t, T_NEST, 0, 0 }
#define NEST_END	{ 0, T_NEST_END, 0, 0 }
#define IFINDEX(t)	{ t, T_IFINDEX, 0, 0 }

struct espif_t_nl_case {
	const char *name;
	u8 cmd;
	/* sa-new: start with ifindex, peer 1, SPI 0x1234, dir, alg, key */
	struct {
		bool on;
		u32 dir, alg;
		u16 keylen;
	} sa;
	struct espif_t_attr attrs[12];
	int error;
	const char *msg;	/* a substring of the extack message */
	int bad_type;		/* -1: none expected */
	int miss_type;		/* -1: none expected */
};

#define SA(dir, alg, keylen)	{ true, dir, alg, keylen }
#define IN			ESPIF_DIR_IN
#define OUT			ESPIF_DIR_OUT
#define GCM			ESPIF_ALG_AES_GCM
#define CBC			ESPIF_ALG_AES_CBC_HMAC_SHA256
#define NOSA			{}

static const struct espif_t_nl_case espif_t_nl_cases[] = {
	/* Accepted: the controls that show the rest fail for their reason. */
	{ "dev_get_ok", ESPIF_CMD_DEV_GET, NOSA,
	  { IFINDEX(ESPIF_A_DEV_IFINDEX) }, 0, NULL, -1, -1 },
	{ "sa_new_ok", ESPIF_CMD_SA_NEW, SA(IN, GCM, 20),
	  {}, 0, NULL, -1, -1 },

	/* Missing. */
	{ "dev_get_no_ifindex", ESPIF_CMD_DEV_GET, NOSA, {},
	  -EINVAL, "ifindex", -1, ESPIF_A_DEV_IFINDEX },
	{ "sock_attach_no_fd", ESPIF_CMD_SOCK_ATTACH, NOSA,
	  { IFINDEX(ESPIF_A_DEV_IFINDEX) },
	  -EINVAL, "sock-fd", -1, ESPIF_A_DEV_SOCK_FD },
	{ "peer_new_no_ifindex", ESPIF_CMD_PEER_NEW, NOSA,
	  { U32(ESPIF_A_PEER_ID, 2), BIN(ESPIF_A_PEER_REMOTE, 4) },
	  -EINVAL, "ifindex", -1, ESPIF_A_PEER_IFINDEX },
	{ "peer_new_no_id", ESPIF_CMD_PEER_NEW, NOSA,
	  { IFINDEX(ESPIF_A_PEER_IFINDEX), BIN(ESPIF_A_PEER_REMOTE, 4) },
	  -EINVAL, "espif: ", -1, ESPIF_A_PEER_ID },
	{ "peer_new_no_remote", ESPIF_CMD_PEER_NEW, NOSA,
	  { IFINDEX(ESPIF_A_PEER_IFINDEX), U32(ESPIF_A_PEER_ID, 2) },
	  -EINVAL, "espif: ", -1, ESPIF_A_PEER_REMOTE },
	{ "peer_get_no_id", ESPIF_CMD_PEER_GET, NOSA,
	  { IFINDEX(ESPIF_A_PEER_IFINDEX) },
	  -EINVAL, "espif: ", -1, ESPIF_A_PEER_ID },
	{ "peer_del_no_id", ESPIF_CMD_PEER_DEL, NOSA,
	  { IFINDEX(ESPIF_A_PEER_IFINDEX) },
	  -EINVAL, "espif: ", -1, ESPIF_A_PEER_ID },
	{ "sa_new_no_key", ESPIF_CMD_SA_NEW, NOSA,
	  { IFINDEX(ESPIF_A_SA_IFINDEX), U32(ESPIF_A_SA_PEER_ID, 1),
	    U32(ESPIF_A_SA_SPI, 0x1235), U32(ESPIF_A_SA_DIR, 0),
	    U32(ESPIF_A_SA_ALG, 0) },
	  -EINVAL, "key", -1, ESPIF_A_SA_KEY },
	{ "sa_new_no_spi", ESPIF_CMD_SA_NEW, NOSA,
	  { IFINDEX(ESPIF_A_SA_IFINDEX), U32(ESPIF_A_SA_PEER_ID, 1),
	    U32(ESPIF_A_SA_DIR, 0), U32(ESPIF_A_SA_ALG, 0),
	    BIN(ESPIF_A_SA_KEY, 20) },
	  -EINVAL, "spi", -1, ESPIF_A_SA_SPI },
	{ "sa_del_no_dir", ESPIF_CMD_SA_DEL, NOSA,
	  { IFINDEX(ESPIF_A_SA_IFINDEX), U32(ESPIF_A_SA_SPI, 0x1234) },
	  -EINVAL, "espif: ", -1, ESPIF_A_SA_DIR },
	{ "sa_get_no_spi", ESPIF_CMD_SA_GET, NOSA,
	  { IFINDEX(ESPIF_A_SA_IFINDEX), U32(ESPIF_A_SA_DIR, 0) },
	  -EINVAL, "espif: ", -1, ESPIF_A_SA_SPI },

	/* Wrong type: a scalar of another size (strict validation). */
	{ "dev_get_ifindex_u16", ESPIF_CMD_DEV_GET, NOSA,
	  { U16(ESPIF_A_DEV_IFINDEX, 1) },
	  -EINVAL, "length", ESPIF_A_DEV_IFINDEX, -1 },
	{ "sa_new_seq_u32", ESPIF_CMD_SA_NEW, SA(OUT, 0, 20),
	  { U32(ESPIF_A_SA_SEQ, 1) },
	  -EINVAL, "length", ESPIF_A_SA_SEQ, -1 },
	{ "sa_new_spi_u64", ESPIF_CMD_SA_NEW, NOSA,
	  { IFINDEX(ESPIF_A_SA_IFINDEX), U64(ESPIF_A_SA_SPI, 0x1234) },
	  -EINVAL, "length", ESPIF_A_SA_SPI, -1 },
	{ "sa_new_esn_with_payload", ESPIF_CMD_SA_NEW, SA(IN, 0, 20),
	  /* A flag carries nothing; the core calls a payload a range error. */
	  { U32(ESPIF_A_SA_ESN, 1) },
	  -ERANGE, "policy", ESPIF_A_SA_ESN, -1 },
	{ "peer_new_selector_not_nested", ESPIF_CMD_PEER_NEW, NOSA,
	  { IFINDEX(ESPIF_A_PEER_IFINDEX), U32(ESPIF_A_PEER_ID, 3),
	    BIN(ESPIF_A_PEER_REMOTE, 4), U32(ESPIF_A_PEER_SELECTOR, 1) },
	  -EINVAL, NULL, ESPIF_A_PEER_SELECTOR, -1 },

	/* Out of range. */
	{ "dev_get_ifindex_zero", ESPIF_CMD_DEV_GET, NOSA,
	  { U32(ESPIF_A_DEV_IFINDEX, 0) },
	  -ERANGE, "range", ESPIF_A_DEV_IFINDEX, -1 },
	{ "peer_get_id_zero", ESPIF_CMD_PEER_GET, NOSA,
	  { IFINDEX(ESPIF_A_PEER_IFINDEX), U32(ESPIF_A_PEER_ID, 0) },
	  -ERANGE, "range", ESPIF_A_PEER_ID, -1 },
	{ "peer_new_port_zero", ESPIF_CMD_PEER_NEW, NOSA,
	  { IFINDEX(ESPIF_A_PEER_IFINDEX), U32(ESPIF_A_PEER_ID, 3),
	    BIN(ESPIF_A_PEER_REMOTE, 4), U16(ESPIF_A_PEER_PORT, 0) },
	  -ERANGE, "range", ESPIF_A_PEER_PORT, -1 },
	{ "peer_new_prefix_len_129", ESPIF_CMD_PEER_NEW, NOSA,
	  { IFINDEX(ESPIF_A_PEER_IFINDEX), U32(ESPIF_A_PEER_ID, 3),
	    BIN(ESPIF_A_PEER_REMOTE, 4), NEST(ESPIF_A_PEER_SELECTOR),
	    BIN(ESPIF_A_SELECTOR_ADDR, 16),
	    U8(ESPIF_A_SELECTOR_PREFIX_LEN, 129), NEST_END },
	  -ERANGE, "range", ESPIF_A_SELECTOR_PREFIX_LEN, -1 },
	{ "sa_new_dir_2", ESPIF_CMD_SA_NEW, SA(2, GCM, 20),
	  {},
	  -ERANGE, "range", ESPIF_A_SA_DIR, -1 },
	{ "sa_new_alg_3", ESPIF_CMD_SA_NEW, SA(IN, 3, 20),
	  {},
	  -ERANGE, "range", ESPIF_A_SA_ALG, -1 },
	{ "sa_new_window_65537", ESPIF_CMD_SA_NEW, SA(IN, GCM, 20),
	  { U32(ESPIF_A_SA_REPLAY_WINDOW, 65537) },
	  -EINVAL, "replay window", ESPIF_A_SA_REPLAY_WINDOW, -1 },
	{ "sa_new_seq_over_32_bits", ESPIF_CMD_SA_NEW, SA(OUT, GCM, 20),
	  { U64(ESPIF_A_SA_SEQ, 1ULL << 32) },
	  -EINVAL, "espif: ", ESPIF_A_SA_SEQ, -1 },

	/* Oversized (or undersized) binary attributes. */
	{ "sa_new_key_1000", ESPIF_CMD_SA_NEW, SA(IN, GCM, 1000),
	  {},
	  -EINVAL, "key", ESPIF_A_SA_KEY, -1 },
	{ "sa_new_key_19", ESPIF_CMD_SA_NEW, SA(IN, GCM, 19),
	  {},
	  -EINVAL, "key", ESPIF_A_SA_KEY, -1 },
	{ "sa_new_auth_key_33", ESPIF_CMD_SA_NEW, SA(IN, CBC, 16),
	  { BIN(ESPIF_A_SA_AUTH_KEY, 33) },
	  /* Exact length in the policy: the core's range error. */
	  -ERANGE, "size out of range", ESPIF_A_SA_AUTH_KEY, -1 },
	{ "peer_new_remote_5", ESPIF_CMD_PEER_NEW, NOSA,
	  { IFINDEX(ESPIF_A_PEER_IFINDEX), U32(ESPIF_A_PEER_ID, 3),
	    BIN(ESPIF_A_PEER_REMOTE, 5) },
	  -EINVAL, "4 (IPv4) or 16 (IPv6)", ESPIF_A_PEER_REMOTE, -1 },
	{ "peer_new_selector_addr_17", ESPIF_CMD_PEER_NEW, NOSA,
	  { IFINDEX(ESPIF_A_PEER_IFINDEX), U32(ESPIF_A_PEER_ID, 3),
	    BIN(ESPIF_A_PEER_REMOTE, 4), NEST(ESPIF_A_PEER_SELECTOR),
	    BIN(ESPIF_A_SELECTOR_ADDR, 17),
	    U8(ESPIF_A_SELECTOR_PREFIX_LEN, 8), NEST_END },
	  -EINVAL, "espif: ", -2, -1 },

	/* Unknown attribute type: strict parsing refuses it. */
	{ "peer_get_unknown_attr", ESPIF_CMD_PEER_GET, NOSA,
	  { IFINDEX(ESPIF_A_PEER_IFINDEX), U32(ESPIF_A_PEER_ID, 1),
	    U32(200, 1) },
	  -EINVAL, "Unknown attribute", 200, -1 },

	/* Not ours, or not there. */
	{ "dev_get_loopback", ESPIF_CMD_DEV_GET, NOSA,
	  { U32(ESPIF_A_DEV_IFINDEX, 1) },
	  -EOPNOTSUPP, "not an espif interface", ESPIF_A_DEV_IFINDEX, -1 },
	{ "dev_get_no_such_dev", ESPIF_CMD_DEV_GET, NOSA,
	  { U32(ESPIF_A_DEV_IFINDEX, 0x7ffffff0) },
	  -ENODEV, "no interface", ESPIF_A_DEV_IFINDEX, -1 },
	{ "peer_get_no_such_peer", ESPIF_CMD_PEER_GET, NOSA,
	  { IFINDEX(ESPIF_A_PEER_IFINDEX), U32(ESPIF_A_PEER_ID, 99) },
	  -ENOENT, "espif: ", ESPIF_A_PEER_ID, -1 },
};

static void espif_t_nl_case_desc(const struct espif_t_nl_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(espif_t_nl, espif_t_nl_cases, espif_t_nl_case_desc);

#define ESPIF_T_IFNAME	"espkunit0"

/* A generic netlink request for our family, with NLM_F_ACK. */
static struct sk_buff *espif_t_nl_req(const struct espif_t_nl_case *c,
				      int ifindex)
{
	struct nlattr *nest = NULL, *attr;
	const struct espif_t_attr *a;
	struct sk_buff *skb;
	void *hdr;
	int ret = 0;

	skb = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, 0, 1, &espif_nl_family, NLM_F_REQUEST | NLM_F_ACK,
			  c->cmd);
	if (!hdr)
		goto err;
	if (c->sa.on) {
		if (nla_put_u32(skb, ESPIF_A_SA_IFINDEX, ifindex) ||
		    nla_put_u32(skb, ESPIF_A_SA_PEER_ID, 1) ||
		    nla_put_u32(skb, ESPIF_A_SA_SPI, 0x1234) ||
		    nla_put_u32(skb, ESPIF_A_SA_DIR, c->sa.dir) ||
		    nla_put_u32(skb, ESPIF_A_SA_ALG, c->sa.alg))
			goto err;
		attr = nla_reserve(skb, ESPIF_A_SA_KEY, c->sa.keylen);
		if (!attr)
			goto err;
		memset(nla_data(attr), 0x5a, c->sa.keylen);
	}
	for (a = c->attrs; a < c->attrs + ARRAY_SIZE(c->attrs) && a->kind; a++) {
		switch (a->kind) {
		case T_U8:
			ret = nla_put_u8(skb, a->type, a->val);
			break;
		case T_U16:
			ret = nla_put_u16(skb, a->type, a->val);
			break;
		case T_U32:
			ret = nla_put_u32(skb, a->type, a->val);
			break;
		case T_IFINDEX:
			ret = nla_put_u32(skb, a->type, ifindex);
			break;
		case T_U64:
			ret = nla_put_u64_64bit(skb, a->type, a->val, 0);
			break;
		case T_FLAG:
			ret = nla_put_flag(skb, a->type);
			break;
		case T_BIN:
			attr = nla_reserve(skb, a->type, a->len);
			ret = attr ? 0 : -EMSGSIZE;
			if (attr)
				memset(nla_data(attr), 0x5a, a->len);
			break;
		case T_NEST:
			nest = nla_nest_start(skb, a->type);
			ret = nest ? 0 : -EMSGSIZE;
			break;
		case T_NEST_END:
			nla_nest_end(skb, nest);
			break;
		}
		if (ret)
			goto err;
	}
	genlmsg_end(skb, hdr);
	return skb;
err:
	kfree_skb(skb);
	return NULL;
}

/* RTM_NEWLINK/RTM_DELLINK for espkunit0, as `ip link add/del` sends. */
static int espif_t_link(struct espif_t_nl *rt, bool add, int ifindex)
{
	struct ifinfomsg *ifm;
	struct espif_t_ack ack;
	struct nlmsghdr *nlh;
	struct nlattr *info;
	struct sk_buff *skb;
	int ret = -EMSGSIZE;

	skb = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	nlh = nlmsg_put(skb, 0, 1, add ? RTM_NEWLINK : RTM_DELLINK,
			sizeof(*ifm), NLM_F_REQUEST | NLM_F_ACK |
			(add ? NLM_F_CREATE | NLM_F_EXCL : 0));
	if (!nlh)
		goto out;
	ifm = nlmsg_data(nlh);
	memset(ifm, 0, sizeof(*ifm));
	ifm->ifi_index = ifindex;
	if (add) {
		if (nla_put_string(skb, IFLA_IFNAME, ESPIF_T_IFNAME))
			goto out;
		info = nla_nest_start(skb, IFLA_LINKINFO);
		if (!info || nla_put_string(skb, IFLA_INFO_KIND, "espif"))
			goto out;
		nla_nest_end(skb, info);
	}
	nlmsg_end(skb, nlh);
	ret = espif_t_nl_xfer(rt, skb, &ack);
	if (!ret)
		ret = ack.error;
out:
	kfree_skb(skb);
	return ret;
}

struct espif_t_nl_env {
	struct espif_t_nl rt, gn;
	int ifindex;
};

static int espif_t_nl_init(struct kunit *test)
{
	static const struct espif_t_nl_case peer = {
		.name = "peer",
		.cmd = ESPIF_CMD_PEER_NEW,
		.attrs = { IFINDEX(ESPIF_A_PEER_IFINDEX),
			   U32(ESPIF_A_PEER_ID, 1),
			   BIN(ESPIF_A_PEER_REMOTE, 4) },
	};
	struct espif_t_nl_env *env;
	struct net_device *dev;
	struct espif_t_ack ack;
	struct sk_buff *skb;

	env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, env);
	test->priv = env;
	KUNIT_ASSERT_EQ(test, espif_t_nl_open(&env->rt, NETLINK_ROUTE), 0);
	KUNIT_ASSERT_EQ(test, espif_t_nl_open(&env->gn, NETLINK_GENERIC), 0);
	KUNIT_ASSERT_EQ(test, espif_t_link(&env->rt, true, 0), 0);
	dev = dev_get_by_name(&init_net, ESPIF_T_IFNAME);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	env->ifindex = dev->ifindex;
	dev_put(dev);

	skb = espif_t_nl_req(&peer, env->ifindex);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, espif_t_nl_xfer(&env->gn, skb, &ack), 0);
	KUNIT_EXPECT_EQ_MSG(test, ack.error, 0, "peer-new: %s", ack.msg);
	kfree_skb(skb);
	return 0;
}

static void espif_t_nl_exit(struct kunit *test)
{
	struct espif_t_nl_env *env = test->priv;

	if (!env)
		return;
	if (env->ifindex)
		KUNIT_EXPECT_EQ(test, espif_t_link(&env->rt, false,
						   env->ifindex), 0);
	espif_t_nl_close(&env->gn);
	espif_t_nl_close(&env->rt);
}

static void espif_nl_test_request(struct kunit *test)
{
	const struct espif_t_nl_case *c = test->param_value;
	struct espif_t_nl_env *env = test->priv;
	struct espif_t_ack ack;
	struct sk_buff *skb;

	skb = espif_t_nl_req(c, env->ifindex);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, espif_t_nl_xfer(&env->gn, skb, &ack), 0);
	kfree_skb(skb);

	KUNIT_EXPECT_EQ_MSG(test, ack.error, c->error, "extack: \"%s\"",
			    ack.msg);
	if (c->msg)
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(ack.msg, c->msg),
					  "extack \"%s\" lacks \"%s\"", ack.msg,
					  c->msg);
	if (c->error)
		KUNIT_EXPECT_STRNEQ(test, ack.msg, "");
	/* -2: some attribute must be named, whichever the core picks. */
	if (c->bad_type == -2)
		KUNIT_EXPECT_GE(test, ack.bad_type, 0);
	else
		KUNIT_EXPECT_EQ(test, ack.bad_type, c->bad_type);
	KUNIT_EXPECT_EQ(test, ack.miss_type, c->miss_type);
}

/* Every command needs CAP_NET_ADMIN (in the namespace's user namespace). */
static void espif_nl_test_perm(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(espif_nl_ops); i++)
		KUNIT_EXPECT_TRUE_MSG(test, espif_nl_ops[i].flags &
				      (GENL_ADMIN_PERM | GENL_UNS_ADMIN_PERM),
				      "command %u", espif_nl_ops[i].cmd);
}

static struct kunit_case espif_nl_test_cases[] = {
	KUNIT_CASE(espif_nl_test_perm),
	KUNIT_CASE_PARAM(espif_nl_test_request, espif_t_nl_gen_params),
	{}
};

static struct kunit_suite espif_nl_test_suite = {
	.name = "espif_netlink",
	.init = espif_t_nl_init,
	.exit = espif_t_nl_exit,
	.test_cases = espif_nl_test_cases,
};

kunit_test_suite(espif_nl_test_suite);
