// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: ESP framing and the crypto requests of kmod/io.c (RFC 4303 2,
 * RFC 4106, RFC 7634, RFC 3602 + RFC 4868).
 *
 * Included at the end of io.c when CONFIG_ESPIF_KUNIT_TEST is set, so that
 * the tests drive the same static helpers espif_encrypt() and
 * espif_input() use: espif_esp_reserve/frame/req/unframe.
 *
 *  - round trips for every algorithm, with and without ESN, for every
 *    inner length from 1 to 80 bytes (around every block boundary), over
 *    linear, paged-fragment and frag_list packets, checking the layout
 *    (header, IV, padding, pad length, next header, ICV room) and that any
 *    change to the ciphertext, the ICV or the ESN high half fails;
 *  - known answers: published ESP packets decrypt to their plaintext, and
 *    framing that plaintext gives the published ciphertext;
 *  - malformed trailers, one named case each.
 */
#include <kunit/test.h>

#include "tests/esp_kat.h"

/* An SA on a bare peer of a bare interface; espif_t_sa_free() undoes. */
struct espif_t_sa {
	struct espif_dev *edev;
	struct espif_peer *peer;
	struct espif_sa *sa;
};

static int espif_t_sa_new(struct kunit *test, struct espif_t_sa *t,
			  const struct espif_sa_params *p)
{
	int ret;

	t->edev = kunit_kzalloc(test, sizeof(*t->edev), GFP_KERNEL);
	if (!t->edev)
		return -ENOMEM;
	INIT_LIST_HEAD(&t->edev->peers);
	mutex_lock(&espif_cfg_lock);
	t->peer = espif_peer_new(t->edev, 1);
	ret = t->peer ? espif_sa_create(t->peer, p, &t->sa, NULL) : -ENOMEM;
	mutex_unlock(&espif_cfg_lock);
	return ret;
}

static void espif_t_sa_free(struct espif_t_sa *t)
{
	espif_sa_put(t->sa);
	mutex_lock(&espif_cfg_lock);
	espif_peers_flush(t->edev);
	mutex_unlock(&espif_cfg_lock);
	/* The SA and the peer are freed from espif_wq after a grace period. */
	rcu_barrier();
	flush_workqueue(espif_wq);
}

/* Encrypt or decrypt a framed packet, waiting for async transforms. */
static int espif_t_crypt(struct espif_sa *sa, struct sk_buff *skb, u64 seq,
			 int nsg, bool seal)
{
	struct aead_request *req;
	struct espif_xfer *x;
	DECLARE_CRYPTO_WAIT(wait);
	int err;

	x = espif_xfer_alloc(sa->aead, nsg);
	if (!x)
		return -ENOMEM;
	memset(x, 0, sizeof(*x));
	x->sa = sa;
	x->seq = seq;
	req = espif_esp_req(skb, x, nsg, seal, NULL);
	if (!req) {
		kfree(x);
		return -EINVAL;
	}
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				  crypto_req_done, &wait);
	err = crypto_wait_req(seal ? crypto_aead_encrypt(req) :
			      crypto_aead_decrypt(req), &wait);
	kfree(x);
	return err;
}

enum espif_t_layout { ESPIF_T_LINEAR, ESPIF_T_PAGED, ESPIF_T_FRAGLIST };

/*
 * An inner packet of @len bytes, byte i = @seed + i, laid out as asked:
 * all linear; 8 bytes linear and the rest in two page fragments; or split
 * between the head and one skb on the frag_list.
 */
static struct sk_buff *espif_t_skb(unsigned int len, u8 seed,
				   enum espif_t_layout layout)
{
	unsigned int head = layout == ESPIF_T_LINEAR ? len : min(len, 8U);
	struct sk_buff *skb, *frag;
	unsigned int i, rest, n;
	struct page *page;
	u8 *p;

	skb = alloc_skb(128 + head, GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, 128);
	p = skb_put(skb, head);
	for (i = 0; i < head; i++)
		p[i] = seed + i;
	rest = len - head;
	if (!rest)
		return skb;

	if (layout == ESPIF_T_PAGED) {
		for (n = 0; rest; n++) {
			unsigned int part = n ? rest : rest / 2 + 1;

			page = alloc_page(GFP_KERNEL);
			if (!page)
				goto err;
			p = page_address(page);
			for (i = 0; i < part; i++)
				p[100 + i] = seed + head + i;
			skb_add_rx_frag(skb, n, page, 100, part, PAGE_SIZE);
			head += part;
			rest -= part;
		}
		return skb;
	}

	frag = alloc_skb(rest, GFP_KERNEL);
	if (!frag)
		goto err;
	p = skb_put(frag, rest);
	for (i = 0; i < rest; i++)
		p[i] = seed + head + i;
	skb_shinfo(skb)->frag_list = frag;
	skb->len += rest;
	skb->data_len += rest;
	skb->truesize += frag->truesize;
	return skb;
err:
	kfree_skb(skb);
	return NULL;
}

struct espif_t_alg {
	const char *name;
	u8 alg;
	bool esn;
	unsigned int keylen;
	unsigned int akeylen;
};

static const struct espif_t_alg espif_t_algs[] = {
	{ "aes_gcm_128", ESPIF_ALG_AES_GCM, false, 20, 0 },
	{ "aes_gcm_256_esn", ESPIF_ALG_AES_GCM, true, 36, 0 },
	{ "chacha20_poly1305", ESPIF_ALG_CHACHA20_POLY1305, false, 36, 0 },
	{ "chacha20_poly1305_esn", ESPIF_ALG_CHACHA20_POLY1305, true, 36, 0 },
	{ "aes_cbc_hmac_sha256", ESPIF_ALG_AES_CBC_HMAC_SHA256, false, 16, 32 },
	{ "aes_cbc_256_hmac_sha256_esn", ESPIF_ALG_AES_CBC_HMAC_SHA256, true,
	  32, 32 },
};

static void espif_t_alg_desc(const struct espif_t_alg *a, char *desc)
{
	strscpy(desc, a->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(espif_t_alg, espif_t_algs, espif_t_alg_desc);

static const u8 espif_t_key[64] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
	0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
};

/* Flip one bit at @off of a packet, wherever it lives. */
static void espif_t_flip(struct sk_buff *skb, unsigned int off)
{
	u8 b;

	WARN_ON(skb_copy_bits(skb, off, &b, 1));
	b ^= 0x10;
	WARN_ON(skb_store_bits(skb, off, &b, 1));
}

/*
 * Frame and encrypt one inner packet; on return @skb holds the ESP packet
 * and *@nsg the scatterlist size it needs.
 */
static int espif_t_seal(struct espif_sa *sa, struct sk_buff *skb, u64 seq,
			u8 nexthdr, int *nsg)
{
	struct sk_buff *trailer;
	int nfrags;

	nfrags = espif_esp_reserve(skb, sa, 0, &trailer);
	if (nfrags < 0)
		return nfrags;
	espif_esp_frame(skb, sa, trailer, seq, nexthdr);
	*nsg = nfrags + 1;
	return espif_t_crypt(sa, skb, seq, *nsg, true);
}

/* Every length 1..80 x every layout: layout, round trip, tampering. */
static void espif_io_test_roundtrip(struct kunit *test)
{
	const struct espif_t_alg *a = test->param_value;
	struct espif_sa_params p = {
		.spi = htonl(0x1000), .dir = ESPIF_DIR_OUT, .alg = a->alg,
		.key = espif_t_key, .keylen = a->keylen,
		.akey = espif_t_key + 32, .akeylen = a->akeylen, .esn = a->esn,
	};
	/* With ESN, the high half is non-zero and only in the AAD. */
	u64 seq = a->esn ? 0x500000007ULL : 7;
	unsigned int len, hdrlen, plen, i, off;
	struct espif_t_sa t = {};
	struct espif_sa *sa;
	int layout, nsg;
	u8 buf[128];

	KUNIT_ASSERT_EQ(test, espif_t_sa_new(test, &t, &p), 0);
	sa = t.sa;
	hdrlen = sizeof(struct ip_esp_hdr) + sa->ivlen;

	for (len = 1; len <= 80; len++) {
		for (layout = ESPIF_T_LINEAR; layout <= ESPIF_T_FRAGLIST;
		     layout++) {
			struct sk_buff *skb = espif_t_skb(len, len, layout);
			struct sk_buff *copy;
			u8 nh = 0;

			KUNIT_ASSERT_NOT_NULL(test, skb);
			KUNIT_ASSERT_EQ(test, espif_t_seal(sa, skb, seq,
							   IPPROTO_IPIP, &nsg),
					0);
			plen = espif_esp_padlen(len, sa->align);
			/* RFC 4303 2.4: minimal padding, aligned ciphertext. */
			KUNIT_EXPECT_LT(test, plen, sa->align);
			KUNIT_EXPECT_EQ(test, (len + plen + 2) % sa->align, 0);
			KUNIT_EXPECT_EQ(test, skb->len,
					hdrlen + len + plen + 2 + sa->icvlen);
			KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, buf, hdrlen), 0);
			KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf), 0x1000);
			KUNIT_EXPECT_EQ(test, get_unaligned_be32(buf + 4),
					lower_32_bits(seq));
			if (sa->ivlen == 8)
				KUNIT_EXPECT_EQ(test, get_unaligned_be64(buf + 8),
						seq);
			/*
			 * The ciphertext is not the plaintext (from 4 bytes
			 * on: one byte may match by chance, 1 in 256).
			 */
			KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, hdrlen, buf,
							    len), 0);
			for (i = 0; i < len; i++)
				if (buf[i] != (u8)(len + i))
					break;
			if (len >= 4)
				KUNIT_EXPECT_LT_MSG(test, i, len, "len %u in clear",
						    len);

			/*
			 * Tampered copies fail authentication: a bit of the
			 * IV, of the ciphertext, of the ICV.  The SPI and
			 * sequence number authenticated are the SA's and the
			 * inferred ones, not the header bytes: a different
			 * number, or another ESN high half, fails too.
			 */
			for (i = 0; i < 5; i++) {
				const unsigned int offs[] = {
					8, hdrlen, hdrlen + len / 2,
					skb->len - 16, skb->len - 1,
				};
				u64 s = seq;

				off = offs[i];
				copy = skb_copy(skb, GFP_KERNEL);
				KUNIT_ASSERT_NOT_NULL(test, copy);
				if (i < 3 || !(i & 1))
					espif_t_flip(copy, off);
				else
					s = a->esn ? seq + (1ULL << 32) : seq + 1;
				KUNIT_EXPECT_EQ_MSG(test,
						    espif_t_crypt(sa, copy, s, nsg,
								  false),
						    -EBADMSG, "len %u case %u",
						    len, i);
				kfree_skb(copy);
			}

			KUNIT_ASSERT_EQ_MSG(test,
					    espif_t_crypt(sa, skb, seq, nsg, false),
					    0, "len %u layout %d", len, layout);
			KUNIT_ASSERT_EQ(test, espif_esp_unframe(skb, sa, &nh), 0);
			KUNIT_EXPECT_EQ(test, nh, IPPROTO_IPIP);
			KUNIT_ASSERT_EQ(test, skb->len, len);
			KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, buf, len), 0);
			for (i = 0; i < len; i++)
				if (buf[i] != (u8)(len + i))
					break;
			KUNIT_EXPECT_EQ_MSG(test, i, len, "len %u layout %d",
					    len, layout);
			kfree_skb(skb);
		}
	}
	espif_t_sa_free(&t);
}

/* Known answers: decrypt the published packet, then rebuild it. */
static void espif_t_kat_desc(const struct espif_kat *k, char *desc)
{
	strscpy(desc, k->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(espif_t_kat, espif_kats, espif_t_kat_desc);

static struct sk_buff *espif_t_kat_skb(const struct espif_kat *k,
				       const u8 *body, unsigned int len)
{
	struct sk_buff *skb = alloc_skb(128 + 16 + len + 16, GFP_KERNEL);

	if (!skb)
		return NULL;
	skb_reserve(skb, 128);
	put_unaligned_be32(k->spi, skb_put(skb, 4));
	put_unaligned_be32(k->seq, skb_put(skb, 4));
	skb_put_data(skb, k->iv, 8);
	skb_put_data(skb, body, len);
	return skb;
}

static void espif_io_test_kat(struct kunit *test)
{
	const struct espif_kat *k = test->param_value;
	struct espif_sa_params p = {
		.spi = htonl(k->spi), .dir = ESPIF_DIR_IN, .alg = k->alg,
		.key = k->key, .keylen = k->keylen, .window = 32,
	};
	unsigned int plen = k->ptext[k->ptext_len - 2];
	unsigned int inner = k->ptext_len - 2 - plen;
	struct espif_t_sa t = {};
	struct sk_buff *skb, *trailer;
	u8 nh = 0, *buf;
	int nfrags;

	buf = kunit_kzalloc(test, k->ctext_len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, espif_t_sa_new(test, &t, &p), 0);

	/* Inbound: the published packet opens to the published inner one. */
	skb = espif_t_kat_skb(k, k->ctext, k->ctext_len);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, espif_t_crypt(t.sa, skb, k->seq, 2, false), 0);
	KUNIT_EXPECT_EQ(test, espif_esp_unframe(skb, t.sa, &nh), 0);
	KUNIT_EXPECT_EQ(test, nh, k->ptext[k->ptext_len - 1]);
	KUNIT_EXPECT_EQ(test, skb->len, inner);
	KUNIT_EXPECT_MEMEQ(test, skb->data, k->ptext, min(skb->len, inner));
	kfree_skb(skb);

	/*
	 * Outbound: our framing of the inner packet, under the published IV
	 * (ours would be the sequence number), gives the published bytes.
	 */
	skb = alloc_skb(128 + k->ctext_len + 32, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 128);
	skb_put_data(skb, k->ptext, inner);
	nfrags = espif_esp_reserve(skb, t.sa, 0, &trailer);
	KUNIT_ASSERT_GT(test, nfrags, 0);
	espif_esp_frame(skb, t.sa, trailer, k->seq, k->ptext[k->ptext_len - 1]);
	memcpy(skb->data + 8, k->iv, 8);
	KUNIT_EXPECT_EQ(test, espif_t_crypt(t.sa, skb, k->seq, nfrags + 1, true),
			0);
	KUNIT_ASSERT_EQ(test, skb->len, 16 + k->ctext_len);
	KUNIT_EXPECT_MEMEQ(test, skb->data + 16, k->ctext, k->ctext_len);
	kfree_skb(skb);
	espif_t_sa_free(&t);
}

/* Malformed trailers, checked on a packet in clear (no crypto needed). */
struct espif_t_trailer {
	const char *name;
	unsigned int len;	/* inner bytes */
	u8 pad[8];		/* what follows the inner bytes */
	unsigned int npad;
	u8 padlen, nexthdr;
	int ret;
};

static const struct espif_t_trailer espif_t_trailers[] = {
	{ "no_padding", 2, {}, 0, 0, IPPROTO_IPIP, 0 },
	{ "padding_1_2_3", 3, { 1, 2, 3 }, 3, 3, IPPROTO_IPV6, 0 },
	{ "padding_not_monotonic", 3, { 1, 3, 2 }, 3, 3, IPPROTO_IPIP,
	  -EBADMSG },
	{ "padding_zeros", 2, { 0, 0, 0, 0 }, 4, 4, IPPROTO_IPIP, -EBADMSG },
	{ "pad_length_past_payload", 2, {}, 0, 7, IPPROTO_IPIP, -EBADMSG },
	{ "pad_length_255", 2, {}, 0, 255, IPPROTO_IPIP, -EBADMSG },
	{ "empty_payload", 0, { 1, 2 }, 2, 2, IPPROTO_IPIP, 0 },
	{ "dummy_packet", 0, { 1, 2 }, 2, 2, IPPROTO_NONE, 0 },
};

static void espif_t_trailer_desc(const struct espif_t_trailer *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(espif_t_trailer, espif_t_trailers, espif_t_trailer_desc);

static void espif_io_test_trailer(struct kunit *test)
{
	const struct espif_t_trailer *c = test->param_value;
	struct espif_sa sa = { .ivlen = 8, .icvlen = 16, .align = 4 };
	struct sk_buff *skb;
	u8 nh = 0;

	skb = alloc_skb(16 + c->len + c->npad + 2 + 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	memset(skb_put(skb, 16 + c->len), 0xab, 16 + c->len);
	skb_put_data(skb, c->pad, c->npad);
	skb_put_u8(skb, c->padlen);
	skb_put_u8(skb, c->nexthdr);
	skb_put_zero(skb, 16);
	KUNIT_EXPECT_EQ(test, espif_esp_unframe(skb, &sa, &nh), c->ret);
	if (!c->ret) {
		KUNIT_EXPECT_EQ(test, skb->len, c->len);
		KUNIT_EXPECT_EQ(test, nh, c->nexthdr);
	}
	kfree_skb(skb);
}

static void espif_io_test_padlen(struct kunit *test)
{
	unsigned int len, align;

	/* Payload, padding and the two trailer bytes end on the block. */
	for (align = 4; align <= 16; align *= 2) {
		for (len = 0; len < 100; len++) {
			unsigned int plen = espif_esp_padlen(len, align);

			KUNIT_EXPECT_EQ(test, (len + plen + 2) % align, 0);
			KUNIT_EXPECT_LT(test, plen, align);
		}
	}
}

static struct kunit_case espif_io_test_cases[] = {
	KUNIT_CASE(espif_io_test_padlen),
	KUNIT_CASE_PARAM(espif_io_test_trailer, espif_t_trailer_gen_params),
	KUNIT_CASE_PARAM(espif_io_test_kat, espif_t_kat_gen_params),
	KUNIT_CASE_PARAM_ATTR(espif_io_test_roundtrip, espif_t_alg_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite espif_io_test_suite = {
	.name = "espif_esp",
	.test_cases = espif_io_test_cases,
};

kunit_test_suite(espif_io_test_suite);
