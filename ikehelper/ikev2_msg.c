// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Building IKEv2 messages (RFC 7296 3.1, 3.2) and sealing and opening
 * their SK payload (3.14; RFC 5282 for the AEADs).
 */
#include <errno.h>
#include <string.h>

#include "ikev2_msg.h"

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

/* Start a message: the header, its length fixed by ikev2_out_fix_len(). */
void ikev2_out_hdr(struct ikev2_out *o, uint64_t spi_i, uint64_t spi_r,
		   uint8_t exchange, uint8_t flags, uint32_t msgid)
{
	memset(o->buf, 0, IKEV2_HDR_LEN);
	put64(o->buf, spi_i);
	put64(o->buf + 8, spi_r);
	o->buf[17] = IKEV2_VERSION;
	o->buf[18] = exchange;
	o->buf[19] = flags;
	put32(o->buf + 20, msgid);
	o->len = IKEV2_HDR_LEN;
	o->next_off = 16;
	o->err = 0;
}

/* Start a bare chain of payloads (the inside of an SK payload). */
void ikev2_out_chain(struct ikev2_out *o)
{
	o->len = 0;
	o->next_off = SIZE_MAX;
	o->first = IKEV2_PLD_NONE;
	o->err = 0;
}

/*
 * Append a payload of @len body bytes and return its body to fill, or
 * NULL (and o->err) when it does not fit.
 */
uint8_t *ikev2_out_pld(struct ikev2_out *o, uint8_t type, size_t len)
{
	uint8_t *p;

	if (o->err || len > 0xffff - IKEV2_PLD_HDR_LEN ||
	    o->len + IKEV2_PLD_HDR_LEN + len > sizeof(o->buf)) {
		o->err = -EMSGSIZE;
		return NULL;
	}
	if (o->next_off == SIZE_MAX)
		o->first = type;
	else
		o->buf[o->next_off] = type;
	p = o->buf + o->len;
	p[0] = IKEV2_PLD_NONE;
	p[1] = 0;
	p[2] = (uint8_t)((len + IKEV2_PLD_HDR_LEN) >> 8);
	p[3] = (uint8_t)(len + IKEV2_PLD_HDR_LEN);
	o->next_off = o->len;
	o->len += IKEV2_PLD_HDR_LEN + len;
	return p + IKEV2_PLD_HDR_LEN;
}

void ikev2_out_fix_len(struct ikev2_out *o)
{
	put32(o->buf + 24, (uint32_t)o->len);
}

/*
 * Wrap @inner in an SK payload at the end of @msg (a header, maybe other
 * payloads): IV, the encrypted payloads with padding and pad length, the
 * ICV.  The AAD is everything before the IV (RFC 5282 5.1); the checksum
 * of CBC + HMAC covers everything before the ICV (RFC 7296 3.14).  Fixes
 * the message length.
 */
int ikev2_out_seal(struct ikev2_out *msg, const struct ikev2_out *inner,
		   const struct ikev2_sk_keys *k)
{
	int ivlen = crypto_sk_ivlen(&k->alg), icvlen = crypto_sk_icvlen(&k->alg);
	int block = crypto_sk_blocklen(&k->alg), ret;
	size_t padlen, plain, aadlen;
	uint8_t *body, *iv, *data;

	if (inner->err)
		return inner->err;
	if (icvlen < 0)
		return icvlen;
	/* Pad so that payloads, padding and pad length fill whole blocks. */
	padlen = (size_t)(block - (int)((inner->len + 1) % (size_t)block)) %
		 (size_t)block;
	plain = inner->len + padlen + 1;
	body = ikev2_out_pld(msg, IKEV2_PLD_SK,
			     (size_t)ivlen + plain + (size_t)icvlen);
	if (!body)
		return msg->err;
	/* The SK payload's next-payload field: the first inner payload. */
	body[-IKEV2_PLD_HDR_LEN] = inner->first;
	ikev2_out_fix_len(msg);
	iv = body;
	data = iv + ivlen;
	ret = crypto_random(iv, (size_t)ivlen);
	if (ret)
		return ret;
	memcpy(data, inner->buf, inner->len);
	memset(data + inner->len, 0, padlen);
	data[inner->len + padlen] = (uint8_t)padlen;
	aadlen = (size_t)(iv - msg->buf);
	return crypto_sk_seal(&k->alg, k->ekey, k->ikey, msg->buf, aadlen, iv,
			      data, plain, data + plain);
}

/*
 * Check and decrypt the SK payload of a received message, in place in
 * @buf, and parse the payloads inside into @inner.
 * Return: 0, -EBADMSG (malformed or not authentic), -ENOENT (no SK).
 */
int ikev2_msg_open(uint8_t *buf, size_t len, const struct ikev2_msg *msg,
		   const struct ikev2_sk_keys *k, struct ikev2_msg *inner)
{
	int ivlen = crypto_sk_ivlen(&k->alg), icvlen = crypto_sk_icvlen(&k->alg);
	int block = crypto_sk_blocklen(&k->alg), ret;
	const struct ikev2_pld *sk;
	size_t clen, padlen, aadlen;
	uint8_t *iv, *data;

	if (!msg->npld || msg->pld[msg->npld - 1].type != IKEV2_PLD_SK)
		return -ENOENT;
	if (icvlen < 0)
		return icvlen;
	sk = &msg->pld[msg->npld - 1];
	if (sk->body.len < (size_t)(ivlen + icvlen + 1))
		return -EBADMSG;
	/* The views point into @buf; cast away their const to decrypt. */
	iv = buf + (sk->body.p - buf);
	if (iv < buf || iv + sk->body.len > buf + len)
		return -EBADMSG;
	data = iv + ivlen;
	clen = sk->body.len - (size_t)ivlen - (size_t)icvlen;
	if (clen % (size_t)block)
		return -EBADMSG;
	aadlen = (size_t)(iv - buf);
	ret = crypto_sk_open(&k->alg, k->ekey, k->ikey, buf, aadlen, iv, data,
			     clen, data + clen);
	if (ret)
		return ret;
	padlen = data[clen - 1];
	if (padlen + 1 > clen)
		return -EBADMSG;
	memset(inner, 0, sizeof(*inner));
	return ikev2_payloads_parse(data, clen - padlen - 1, msg->inner_next,
				    inner);
}
