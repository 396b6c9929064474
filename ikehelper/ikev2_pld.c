// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IKEv2 message and payload parsing (RFC 7296 section 3, RFC 7383 2.5).
 *
 * Everything here reads attacker-controlled bytes before any
 * authentication: each function checks every length against the bytes it
 * was given before reading, returns -EBADMSG for a malformed input (the
 * caller answers INVALID_SYNTAX where RFC 7296 2.21 says so), and never
 * allocates.  The libFuzzer harness tests/fuzz/pld_fuzz.c drives all of
 * it.
 */
#include <errno.h>
#include <string.h>

#include "ikev2.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* Known payload types; an unknown critical one fails the message. */
static int ikev2_pld_known(uint8_t type)
{
	return (type >= IKEV2_PLD_SA && type <= IKEV2_PLD_EAP) ||
	       type == IKEV2_PLD_SKF;
}

/**
 * ikev2_payloads_parse - walk a chain of generic payload headers
 * @buf: the first payload's header
 * @len: bytes up to the end of the chain
 * @first: the first payload's type (the header's, or the SK payload's
 *	next-payload field for a decrypted SK body)
 * @msg: payloads are appended to msg->pld
 *
 * RFC 7296 3.2: each payload gives the next one's type and its own length,
 * header included; the chain must end exactly at @len.  An SK or SKF
 * payload ends the chain (RFC 7296 3.14, RFC 7383 2.5).  An unknown type is
 * skipped unless its critical bit is set (RFC 7296 2.5).
 *
 * Return: 0, -EBADMSG, or -E2BIG when there are too many payloads.
 */
int ikev2_payloads_parse(const uint8_t *buf, size_t len, uint8_t first,
			 struct ikev2_msg *msg)
{
	uint8_t type = first;
	size_t off = 0;

	while (type != IKEV2_PLD_NONE) {
		struct ikev2_pld *pld;
		uint16_t plen;
		uint8_t next;

		if (len - off < IKEV2_PLD_HDR_LEN)
			return -EBADMSG;
		next = buf[off];
		plen = get16(buf + off + 2);
		if (plen < IKEV2_PLD_HDR_LEN || plen > len - off)
			return -EBADMSG;
		if (!ikev2_pld_known(type)) {
			if (buf[off + 1] & IKEV2_CRITICAL) {
				msg->unsupported_critical = type;
				return -EBADMSG;
			}
		} else {
			if (msg->npld == IKEV2_MAX_PLD)
				return -E2BIG;
			pld = &msg->pld[msg->npld++];
			pld->type = type;
			pld->critical = buf[off + 1] & IKEV2_CRITICAL;
			pld->body.p = buf + off + IKEV2_PLD_HDR_LEN;
			pld->body.len = plen - IKEV2_PLD_HDR_LEN;
		}
		off += plen;
		if (type == IKEV2_PLD_SK || type == IKEV2_PLD_SKF) {
			/* Encrypted: what follows is inside, not after it. */
			msg->inner_next = next;
			break;
		}
		type = next;
	}
	return off == len ? 0 : -EBADMSG;
}

/**
 * ikev2_msg_parse - parse an IKE message's header and payload chain
 * @buf: the message (after the non-ESP marker on port 4500)
 * @len: its length as received
 * @msg: the result
 *
 * RFC 7296 3.1: the length field must match what was received; a major
 * version above 2 gets INVALID_MAJOR_VERSION (-EPROTONOSUPPORT here).
 *
 * Return: 0, -EBADMSG, -EPROTONOSUPPORT or -E2BIG.
 */
int ikev2_msg_parse(const uint8_t *buf, size_t len, struct ikev2_msg *msg)
{
	memset(msg, 0, sizeof(*msg));
	if (len < IKEV2_HDR_LEN || len > IKEV2_MAX_MSG)
		return -EBADMSG;
	msg->spi_i = get64(buf);
	msg->spi_r = get64(buf + 8);
	msg->next = buf[16];
	msg->version = buf[17];
	msg->exchange = buf[18];
	msg->flags = buf[19];
	msg->msgid = get32(buf + 20);
	msg->length = get32(buf + 24);
	if ((msg->version >> 4) != 2)
		return -EPROTONOSUPPORT;
	if (msg->length != len)
		return -EBADMSG;
	return ikev2_payloads_parse(buf + IKEV2_HDR_LEN, len - IKEV2_HDR_LEN,
				    msg->next, msg);
}

/* RFC 7296 3.3.5: attributes; only Key Length (TV) is defined. */
static int ikev2_xform_attrs(const uint8_t *p, size_t len,
			     struct ikev2_xform *xf)
{
	while (len) {
		uint16_t type, alen;

		if (len < 4)
			return -EBADMSG;
		type = get16(p);
		if (type & IKEV2_ATTR_TV) {
			if ((type & ~IKEV2_ATTR_TV) == IKEV2_ATTR_KEY_LENGTH)
				xf->keylen = get16(p + 2);
			p += 4;
			len -= 4;
			continue;
		}
		/* TLV: no such attribute is defined; skip it. */
		alen = get16(p + 2);
		if (alen > len - 4)
			return -EBADMSG;
		p += 4 + alen;
		len -= 4 + alen;
	}
	return 0;
}

/* RFC 7296 3.3.2: the transforms of one proposal. */
static int ikev2_xforms(const uint8_t *p, size_t len, unsigned int n,
			struct ikev2_proposal *prop)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct ikev2_xform *xf;
		uint16_t tlen;
		int ret;

		if (len < 8)
			return -EBADMSG;
		tlen = get16(p + 2);
		if (tlen < 8 || tlen > len)
			return -EBADMSG;
		/* Last-substruc: 0 on the last, 3 on the others. */
		if (p[0] != (i + 1 == n ? 0 : 3))
			return -EBADMSG;
		if (prop->nxforms == IKEV2_MAX_XFORMS)
			return -E2BIG;
		xf = &prop->xf[prop->nxforms++];
		xf->type = p[4];
		xf->id = get16(p + 6);
		xf->keylen = 0;
		ret = ikev2_xform_attrs(p + 8, tlen - 8, xf);
		if (ret)
			return ret;
		p += tlen;
		len -= tlen;
	}
	return len ? -EBADMSG : 0;
}

/**
 * ikev2_pld_sa - parse an SA payload's proposals (RFC 7296 3.3.1)
 * @b: the payload body
 * @sa: the proposals
 *
 * Proposals are numbered from 1, each one more than the last; every
 * substructure's length is checked against what contains it.
 */
int ikev2_pld_sa(const struct ikev2_buf *b, struct ikev2_sa *sa)
{
	const uint8_t *p = b->p;
	size_t len = b->len;

	memset(sa, 0, sizeof(*sa));
	if (!len)
		return -EBADMSG;
	while (len) {
		struct ikev2_proposal *prop;
		uint16_t plen;
		int ret;

		if (len < 8)
			return -EBADMSG;
		plen = get16(p + 2);
		if (plen < 8 || plen > len)
			return -EBADMSG;
		/* Last-substruc: 0 on the last proposal, 2 on the others. */
		if (p[0] != (plen == len ? 0 : 2))
			return -EBADMSG;
		if (sa->nprop == IKEV2_MAX_PROPOSALS)
			return -E2BIG;
		prop = &sa->prop[sa->nprop++];
		prop->num = p[4];
		prop->proto = p[5];
		prop->spi_size = p[6];
		if (prop->num != sa->nprop)
			return -EBADMSG;
		if (prop->spi_size > sizeof(prop->spi) ||
		    8u + prop->spi_size > plen)
			return -EBADMSG;
		memcpy(prop->spi, p + 8, prop->spi_size);
		ret = ikev2_xforms(p + 8 + prop->spi_size,
				   plen - 8 - prop->spi_size, p[7], prop);
		if (ret)
			return ret;
		p += plen;
		len -= plen;
	}
	return 0;
}

/* RFC 7296 3.4: DH group, two reserved bytes, key exchange data. */
int ikev2_pld_ke(const struct ikev2_buf *b, struct ikev2_ke *ke)
{
	if (b->len < 5)
		return -EBADMSG;
	ke->group = get16(b->p);
	ke->data.p = b->p + 4;
	ke->data.len = b->len - 4;
	return 0;
}

/* RFC 7296 3.5: ID type, three reserved bytes, identification data. */
int ikev2_pld_id(const struct ikev2_buf *b, struct ikev2_id *id)
{
	if (b->len < 5)
		return -EBADMSG;
	id->type = b->p[0];
	id->data.p = b->p + 4;
	id->data.len = b->len - 4;
	return 0;
}

/* RFC 7296 3.8: method, three reserved bytes, authentication data. */
int ikev2_pld_auth(const struct ikev2_buf *b, struct ikev2_auth *auth)
{
	if (b->len < 5)
		return -EBADMSG;
	auth->method = b->p[0];
	auth->data.p = b->p + 4;
	auth->data.len = b->len - 4;
	return 0;
}

/* RFC 7296 3.9: 16 to 256 bytes. */
int ikev2_pld_nonce(const struct ikev2_buf *b)
{
	return b->len < IKEV2_NONCE_MIN || b->len > IKEV2_NONCE_MAX ?
	       -EBADMSG : 0;
}

/* RFC 7296 3.10: protocol, SPI size, type, SPI, data. */
int ikev2_pld_notify(const struct ikev2_buf *b, struct ikev2_notify *n)
{
	if (b->len < 4)
		return -EBADMSG;
	n->proto = b->p[0];
	n->spi_size = b->p[1];
	n->type = get16(b->p + 2);
	if (n->spi_size > b->len - 4)
		return -EBADMSG;
	n->spi.p = b->p + 4;
	n->spi.len = n->spi_size;
	n->data.p = n->spi.p + n->spi_size;
	n->data.len = b->len - 4 - n->spi_size;
	return 0;
}

/* RFC 7296 3.11: protocol, SPI size, count, the SPIs. */
int ikev2_pld_delete(const struct ikev2_buf *b, struct ikev2_delete *d)
{
	if (b->len < 4)
		return -EBADMSG;
	d->proto = b->p[0];
	d->spi_size = b->p[1];
	d->nspi = get16(b->p + 2);
	/* IKE: no SPI (the message's SA); ESP/AH: 4-byte SPIs. */
	if (d->proto == IKEV2_PROTO_IKE ? d->spi_size || d->nspi :
	    d->spi_size != 4)
		return -EBADMSG;
	if ((size_t)d->nspi * d->spi_size != b->len - 4)
		return -EBADMSG;
	d->spis.p = b->p + 4;
	d->spis.len = b->len - 4;
	return 0;
}

/* RFC 7296 3.13: count, three reserved bytes, the selectors. */
int ikev2_pld_ts(const struct ikev2_buf *b, struct ikev2_tss *tss)
{
	const uint8_t *p = b->p;
	size_t len = b->len;
	unsigned int i, n;

	memset(tss, 0, sizeof(*tss));
	if (len < 4)
		return -EBADMSG;
	n = p[0];
	if (!n)
		return -EBADMSG;
	p += 4;
	len -= 4;
	for (i = 0; i < n; i++) {
		struct ikev2_ts *ts;
		unsigned int alen;
		uint16_t slen;

		if (len < 8)
			return -EBADMSG;
		slen = get16(p + 2);
		if (slen > len)
			return -EBADMSG;
		switch (p[0]) {
		case IKEV2_TS_IPV4_ADDR_RANGE:
			alen = 4;
			break;
		case IKEV2_TS_IPV6_ADDR_RANGE:
			alen = 16;
			break;
		default:
			/* Unknown TS types are skipped (RFC 7296 3.13.1). */
			if (slen < 8)
				return -EBADMSG;
			p += slen;
			len -= slen;
			continue;
		}
		if (slen != 8 + 2 * alen)
			return -EBADMSG;
		if (tss->n == IKEV2_MAX_TS)
			return -E2BIG;
		ts = &tss->ts[tss->n++];
		ts->type = p[0];
		ts->ipproto = p[1];
		ts->start_port = get16(p + 4);
		ts->end_port = get16(p + 6);
		ts->family = alen == 4 ? 4 : 6;
		memcpy(ts->start, p + 8, alen);
		memcpy(ts->end, p + 8 + alen, alen);
		p += slen;
		len -= slen;
	}
	return len ? -EBADMSG : 0;
}

/* RFC 7383 2.5: fragment number and total, then IV, data, ICV. */
int ikev2_pld_skf(const struct ikev2_buf *b, struct ikev2_skf *skf)
{
	if (b->len < 4)
		return -EBADMSG;
	skf->num = get16(b->p);
	skf->total = get16(b->p + 2);
	/* Numbered from 1, never past the total. */
	if (!skf->num || skf->num > skf->total)
		return -EBADMSG;
	skf->data.p = b->p + 4;
	skf->data.len = b->len - 4;
	return 0;
}
