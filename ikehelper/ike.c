// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IKE SAs and their exchanges (see ike.h).  Section numbers are RFC 7296's
 * unless another RFC is named.
 *
 *   initiator                              responder
 *   IKE_SA_INIT  HDR, SAi1, KEi, Ni,  -->
 *                N(NAT_DETECTION_*)
 *                                     <--  HDR, SAr1, KEr, Nr, N(NAT_D*)
 *                                          (or N(COOKIE), N(INVALID_KE))
 *                N(SIGNATURE_HASH_ALGORITHMS)  (with certificates)
 *                                     <--  ..., [CERTREQ,] [N(SIGNATURE_HASH_*)]
 *   IKE_AUTH     HDR, SK {IDi, [CERT+,]  -->
 *                [CERTREQ,] AUTH, SAi2, TSi, TSr}
 *                                     <--  HDR, SK {IDr, [CERT+,] AUTH, SAr2,
 *                                          TSi, TSr}
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/espif.h>

#include "ike.h"
#include "ikev2.h"
#include "ikev2_msg.h"
#include "sig.h"

/* Notify types (3.10.1). */
#define N_UNSUPPORTED_CRITICAL_PAYLOAD	1
#define N_INVALID_SYNTAX		7
#define N_NO_PROPOSAL_CHOSEN		14
#define N_INVALID_KE_PAYLOAD		17
#define N_AUTHENTICATION_FAILED		24
#define N_TS_UNACCEPTABLE		38
#define N_INITIAL_CONTACT		16384
#define N_NAT_DETECTION_SOURCE_IP	16388
#define N_NAT_DETECTION_DESTINATION_IP	16389
#define N_COOKIE			16390
#define N_REKEY_SA			16393
#define N_NO_ADDITIONAL_SAS		35

/* The AUTH method of pre-shared keys (3.8); ID types are in cred.h. */
#define AUTH_SHARED_KEY	2

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static struct config_peer *peer_cfg(const struct ike_sa *sa)
{
	return &sa->ctx->cfg->peers[sa->peer_idx];
}

const char *ike_peer_name(const struct ike_sa *sa)
{
	const struct config_peer *p = peer_cfg(sa);

	return p->name[0] ? p->name : p->remote_id;
}

static void __attribute__((format(printf, 2, 3)))
ike_log(const struct ike_sa *sa, const char *fmt, ...)
{
	char addr[INET6_ADDRSTRLEN] = "?";
	va_list ap;

	inet_ntop(sa->remote.family == 4 ? AF_INET : AF_INET6,
		  sa->remote.addr, addr, sizeof(addr));
	fprintf(stderr, "ikehelper: %s (%s) %016llx: ", ike_peer_name(sa), addr,
		(unsigned long long)sa->spi_i);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void sa_free(struct ike_sa *sa)
{
	crypto_ke_free(sa->ke);
	crypto_ke_free(sa->rk_ke);
	free(sa->init_req);
	free(sa->init_resp);
	free(sa->req);
	free(sa->resp);
	explicit_bzero(sa, sizeof(*sa));
	free(sa);
}

static void sa_unlink(struct ike_sa *sa)
{
	struct ike_sa **pp;

	for (pp = &sa->ctx->sas; *pp; pp = &(*pp)->next) {
		if (*pp == sa) {
			*pp = sa->next;
			return;
		}
	}
}

static struct ike_sa *sa_new(struct ike_ctx *ctx, unsigned int peer_idx,
			     bool initiator)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sa->ctx = ctx;
	sa->peer_idx = peer_idx;
	sa->initiator = initiator;
	sa->last_heard = ctx->now;
	sa->next = ctx->sas;
	ctx->sas = sa;
	return sa;
}

/*
 * When we rekey an established IKE SA: at 90 % of IkeLifetime as its
 * initiator, 97 % as its responder, so both rarely start at once (2.8.1).
 */
static void ike_rekey_schedule(struct ike_sa *sa)
{
	const struct config_peer *p = peer_cfg(sa);

	sa->ike_rekey_at = p->ike_lifetime ? sa->ctx->now +
			   (time_t)p->ike_lifetime * (sa->initiator ? 90 : 97) / 100 : 0;
}

/* Our nonces: at least half the PRF's key size (2.10); 32 unless set. */
static size_t our_nonce_len(const struct ike_ctx *ctx)
{
	if (ctx->nonce_len >= 16 && ctx->nonce_len <= IKEV2_NONCE_MAX)
		return ctx->nonce_len;
	return 32;
}

static uint64_t random_spi(void)
{
	uint64_t spi = 0;

	while (!spi)
		if (crypto_random((uint8_t *)&spi, sizeof(spi)))
			return 0;
	return spi;
}

/* A Child SA SPI outside the reserved 0-255 (RFC 4303 2.1). */
static uint32_t random_child_spi(void)
{
	uint32_t spi = 0;

	while (spi < 256)
		if (crypto_random((uint8_t *)&spi, sizeof(spi)))
			return 0;
	return spi;
}

/* --- building payloads --------------------------------------------------- */

static uint8_t *put_xform(uint8_t *p, bool last, uint8_t type, uint16_t id,
			  uint16_t keylen)
{
	size_t len = keylen ? 12 : 8;

	p[0] = last ? 0 : 3;
	p[1] = 0;
	put16(p + 2, (uint16_t)len);
	p[4] = type;
	p[5] = 0;
	put16(p + 6, id);
	if (keylen) {
		put16(p + 8, IKEV2_ATTR_TV | IKEV2_ATTR_KEY_LENGTH);
		put16(p + 10, keylen);
	}
	return p + len;
}

/* espif can carry this ESP transform set. */
static bool esp_supported(uint16_t encr, uint16_t keylen, uint16_t integ)
{
	switch (encr) {
	case IKEV2_ENCR_AES_GCM_16:
		return (keylen == 128 || keylen == 256) && !integ;
	case IKEV2_ENCR_CHACHA20_POLY1305:
		return !integ;
	case IKEV2_ENCR_AES_CBC:
		return (keylen == 128 || keylen == 256) &&
		       integ == IKEV2_AUTH_HMAC_SHA2_256_128;
	}
	return false;
}

/*
 * One SA payload from the configured proposals.  IKE: no SPI in
 * IKE_SA_INIT (@spi 0, 3.3.1), the new 8-byte SPI when rekeying (2.18);
 * ESP: our inbound SPI.  Proposals are numbered from @num0: 1 for an
 * offer, the initiator's number for a responder's choice.
 */
static int out_sa(struct ikev2_out *o, const struct proposal *props,
		  unsigned int nprop, uint8_t proto, uint64_t spi, uint8_t num0)
{
	unsigned int spisz = proto == IKEV2_PROTO_IKE ? (spi ? 8 : 0) : 4;
	uint8_t tmp[2048], *p = tmp, *ph = NULL, *body;
	unsigned int i, j, nx, nxform, num = 0;

	for (i = 0; i < nprop; i++) {
		const struct proposal *pr = &props[i];
		uint8_t *x;

		if (p + 8 + 4 + 32 * 12 > tmp + sizeof(tmp))
			return -EMSGSIZE;
		ph = p;
		x = ph + 8 + spisz;
		nxform = pr->n_encr + pr->n_integ + pr->n_dh +
			 (proto == IKEV2_PROTO_IKE ? pr->n_prf : pr->n_esn);
		if (!nxform)
			continue;
		nx = nxform;
		for (j = 0; j < pr->n_encr; j++)
			x = put_xform(x, --nx == 0, IKEV2_XFORM_ENCR, pr->encr[j],
				      pr->encr_keylen[j]);
		if (proto == IKEV2_PROTO_IKE)
			for (j = 0; j < pr->n_prf; j++)
				x = put_xform(x, --nx == 0, IKEV2_XFORM_PRF,
					      pr->prf[j], 0);
		for (j = 0; j < pr->n_integ; j++)
			x = put_xform(x, --nx == 0, IKEV2_XFORM_INTEG,
				      pr->integ[j], 0);
		/* ESP has key exchange methods only for PFS (1.3.1). */
		for (j = 0; j < pr->n_dh; j++)
			x = put_xform(x, --nx == 0, IKEV2_XFORM_DH, pr->dh[j], 0);
		if (proto != IKEV2_PROTO_IKE)
			for (j = 0; j < pr->n_esn; j++)
				x = put_xform(x, --nx == 0, IKEV2_XFORM_ESN,
					      pr->esn[j], 0);
		ph[0] = 2;	/* more proposals; the last one fixed below */
		ph[1] = 0;
		put16(ph + 2, (uint16_t)(x - ph));
		ph[4] = (uint8_t)(num0 + num++);
		ph[5] = proto;
		ph[6] = (uint8_t)spisz;
		ph[7] = (uint8_t)nxform;
		if (spisz == 4)
			put32(ph + 8, (uint32_t)spi);
		else if (spisz == 8)
			put64(ph + 8, spi);
		p = x;
	}
	if (!num)
		return -EINVAL;
	ph[0] = 0;
	body = ikev2_out_pld(o, IKEV2_PLD_SA, (size_t)(p - tmp));
	if (!body)
		return o->err;
	memcpy(body, tmp, (size_t)(p - tmp));
	return 0;
}

static int out_notify(struct ikev2_out *o, uint16_t type, const uint8_t *data,
		      size_t len)
{
	uint8_t *b = ikev2_out_pld(o, IKEV2_PLD_NOTIFY, 4 + len);

	if (!b)
		return o->err;
	b[0] = 0;	/* protocol: none (about the IKE SA) */
	b[1] = 0;	/* SPI size */
	put16(b + 2, type);
	if (len)
		memcpy(b + 4, data, len);
	return 0;
}

/* A KE payload (3.4): the group, reserved, the public value. */
static int out_ke(struct ikev2_out *o, uint16_t group, const uint8_t *kd,
		  size_t kdlen)
{
	uint8_t *b = ikev2_out_pld(o, IKEV2_PLD_KE, 4 + kdlen);

	if (!b)
		return o->err;
	put16(b, group);
	put16(b + 2, 0);
	memcpy(b + 4, kd, kdlen);
	return 0;
}

static int out_nonce(struct ikev2_out *o, const uint8_t *n, size_t len)
{
	uint8_t *b = ikev2_out_pld(o, IKEV2_PLD_NONCE, len);

	if (!b)
		return o->err;
	memcpy(b, n, len);
	return 0;
}

/* RFC 7296 2.23: SHA-1(SPIi | SPIr | IP | port). */
static int natd_hash(uint64_t spi_i, uint64_t spi_r, const struct ike_addr *a,
		     uint8_t out[20])
{
	uint8_t buf[8 + 8 + 16 + 2];
	size_t alen = a->family == 4 ? 4 : 16;

	put64(buf, spi_i);
	put64(buf + 8, spi_r);
	memcpy(buf + 16, a->addr, alen);
	put16(buf + 16 + alen, a->port);
	return crypto_sha1(buf, 16 + alen + 2, out);
}

static int out_natd(struct ikev2_out *o, const struct ike_sa *sa)
{
	uint8_t h[20];

	if (natd_hash(sa->spi_i, sa->spi_r, &sa->local, h) ||
	    out_notify(o, N_NAT_DETECTION_SOURCE_IP, h, 20) ||
	    natd_hash(sa->spi_i, sa->spi_r, &sa->remote, h) ||
	    out_notify(o, N_NAT_DETECTION_DESTINATION_IP, h, 20))
		return -EMSGSIZE;
	return 0;
}

/* A traffic selector payload (3.13) from prefixes, as address ranges. */
static int out_ts(struct ikev2_out *o, uint8_t type,
		  const struct config_prefix *pfx, unsigned int n)
{
	uint8_t *b, *p;
	unsigned int i, j, len = 4;

	for (i = 0; i < n; i++)
		len += pfx[i].family == 4 ? 16 : 40;
	if (!n || n > 255)
		return -EINVAL;
	b = ikev2_out_pld(o, type, len);
	if (!b)
		return o->err;
	b[0] = (uint8_t)n;
	b[1] = b[2] = b[3] = 0;
	p = b + 4;
	for (i = 0; i < n; i++) {
		unsigned int alen = pfx[i].family == 4 ? 4 : 16;

		p[0] = pfx[i].family == 4 ? IKEV2_TS_IPV4_ADDR_RANGE :
					    IKEV2_TS_IPV6_ADDR_RANGE;
		p[1] = 0;
		put16(p + 2, (uint16_t)(8 + 2 * alen));
		put16(p + 4, 0);
		put16(p + 6, 65535);
		for (j = 0; j < alen; j++) {
			unsigned int bits = j * 8;
			uint8_t mask = bits >= pfx[i].plen ? 0 :
				       pfx[i].plen - bits >= 8 ? 0xff :
				       (uint8_t)(0xff << (8 - (pfx[i].plen - bits)));

			p[8 + j] = pfx[i].addr[j] & mask;
			p[8 + alen + j] = (uint8_t)(pfx[i].addr[j] | ~mask);
		}
		p += 8 + 2 * alen;
	}
	return 0;
}

/* --- traffic selector narrowing (2.9) ------------------------------------ */

typedef unsigned __int128 u128;

static u128 addr_to_int(const uint8_t *a, unsigned int alen)
{
	u128 v = 0;
	unsigned int i;

	for (i = 0; i < alen; i++)
		v = v << 8 | a[i];
	return v;
}

static void int_to_addr(u128 v, uint8_t *a, unsigned int alen)
{
	unsigned int i;

	memset(a, 0, 16);
	for (i = alen; i-- > 0;) {
		a[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* Append the prefixes covering [lo, hi] to @out (a range into CIDRs). */
static int range_to_prefixes(uint8_t family, u128 lo, u128 hi,
			     struct config_prefix *out, unsigned int *n)
{
	unsigned int bits = family == 4 ? 32 : 128, alen = family == 4 ? 4 : 16;

	for (;;) {
		unsigned int k = 0;

		/* The largest aligned block from lo that stays within hi. */
		while (k < bits && !((lo >> k) & 1) &&
		       (k + 1 == bits ? lo == 0 && hi == (family == 4 ?
							  (u128)0xffffffff : ~(u128)0) :
			lo + (((u128)2 << k) - 1) <= hi) &&
		       lo + (((u128)2 << k) - 1) >= lo)
			k++;
		if (*n == CONFIG_MAX_SEL)
			return -E2BIG;
		out[*n].family = family;
		out[*n].plen = (uint8_t)(bits - k);
		int_to_addr(lo, out[*n].addr, alen);
		(*n)++;
		if (k == bits)
			return 0;
		if (lo + (((u128)1 << k) - 1) >= hi)
			return 0;
		lo += (u128)1 << k;
	}
}

struct ts_range {
	uint8_t family;
	u128 lo, hi;
};

static void prefix_range(const struct config_prefix *p, struct ts_range *r)
{
	unsigned int bits = p->family == 4 ? 32 : 128;
	unsigned int alen = p->family == 4 ? 4 : 16;
	u128 host = p->plen >= bits ? 0 :
		    (p->plen == 0 ? (bits == 128 ? ~(u128)0 : (u128)0xffffffff) :
		     (((u128)1 << (bits - p->plen)) - 1));

	r->family = p->family;
	r->lo = addr_to_int(p->addr, alen) & ~host;
	r->hi = r->lo | host;
}

/*
 * Narrow the peer's proposed selectors (@ts) to what our prefixes allow;
 * the result as prefixes.  Ports and protocols other than "any" are not
 * something espif can enforce: such selectors are refused.
 */
static int narrow(const struct ikev2_tss *ts, const struct config_prefix *ours,
		  unsigned int n_ours, struct config_prefix *out,
		  unsigned int *n_out)
{
	unsigned int i, j;

	*n_out = 0;
	for (i = 0; i < ts->n; i++) {
		const struct ikev2_ts *t = &ts->ts[i];
		unsigned int alen = t->family == 4 ? 4 : 16;
		u128 lo = addr_to_int(t->start, alen), hi = addr_to_int(t->end, alen);

		if (t->ipproto || t->start_port != 0 || t->end_port != 65535)
			continue;
		for (j = 0; j < n_ours; j++) {
			struct ts_range r;
			u128 a, b;

			if (ours[j].family != t->family)
				continue;
			prefix_range(&ours[j], &r);
			a = lo > r.lo ? lo : r.lo;
			b = hi < r.hi ? hi : r.hi;
			if (a > b)
				continue;
			if (range_to_prefixes(t->family, a, b, out, n_out))
				return -E2BIG;
		}
	}
	return *n_out ? 0 : -ENOENT;
}

/* --- keys (2.14, 2.15, 2.17) --------------------------------------------- */

static struct crypto_sk_alg sk_alg(const struct ike_sa *sa)
{
	struct crypto_sk_alg a = { sa->encr, sa->encr_keylen, sa->integ };

	return a;
}

/* Keys for what we send / what we receive. */
static struct ikev2_sk_keys keys_out(const struct ike_sa *sa)
{
	struct ikev2_sk_keys k = { sk_alg(sa),
		sa->initiator ? sa->sk_ei : sa->sk_er,
		sa->initiator ? sa->sk_ai : sa->sk_ar };

	return k;
}

static struct ikev2_sk_keys keys_in(const struct ike_sa *sa)
{
	struct ikev2_sk_keys k = { sk_alg(sa),
		sa->initiator ? sa->sk_er : sa->sk_ei,
		sa->initiator ? sa->sk_ar : sa->sk_ai };

	return k;
}

/*
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED,
 * Ni | Nr | SPIi | SPIr), with the SA's own PRF, nonces and SPIs (2.14;
 * 2.18 for a rekeyed IKE SA, whose SKEYSEED came from the old PRF and has
 * that PRF's length, @seedlen).
 */
static int ike_keys_from_skeyseed(struct ike_sa *sa, const uint8_t *skeyseed,
				  size_t seedlen)
{
	struct crypto_sk_alg a = sk_alg(sa);
	uint8_t seed[2 * IKEV2_NONCE_MAX + 16], km[7 * CRYPTO_MAX_KEY], *p;
	int ret, plen = crypto_prf_len(sa->prf);
	size_t total;

	if (plen < 0 || crypto_sk_keylen(&a) < 0 || crypto_sk_integ_keylen(&a) < 0)
		return -ENOTSUP;
	sa->prf_len = (size_t)plen;
	sa->ekey_len = (size_t)crypto_sk_keylen(&a);
	sa->ikey_len = (size_t)crypto_sk_integ_keylen(&a);
	memcpy(seed, sa->ni, sa->ni_len);
	memcpy(seed + sa->ni_len, sa->nr, sa->nr_len);
	put64(seed + sa->ni_len + sa->nr_len, sa->spi_i);
	put64(seed + sa->ni_len + sa->nr_len + 8, sa->spi_r);
	total = 3 * sa->prf_len + 2 * sa->ikey_len + 2 * sa->ekey_len;
	ret = crypto_prf_plus(sa->prf, skeyseed, seedlen, seed,
			      sa->ni_len + sa->nr_len + 16, km, total);
	if (ret)
		goto out;
	p = km;
	memcpy(sa->sk_d, p, sa->prf_len);
	p += sa->prf_len;
	memcpy(sa->sk_ai, p, sa->ikey_len);
	p += sa->ikey_len;
	memcpy(sa->sk_ar, p, sa->ikey_len);
	p += sa->ikey_len;
	memcpy(sa->sk_ei, p, sa->ekey_len);
	p += sa->ekey_len;
	memcpy(sa->sk_er, p, sa->ekey_len);
	p += sa->ekey_len;
	memcpy(sa->sk_pi, p, sa->prf_len);
	p += sa->prf_len;
	memcpy(sa->sk_pr, p, sa->prf_len);
out:
	explicit_bzero(km, sizeof(km));
	return ret;
}

/* SKEYSEED = prf(Ni | Nr, g^ir) (2.14), then the seven keys. */
static int derive_ike_keys(struct ike_sa *sa, const uint8_t *peer_ke,
			   size_t peer_ke_len)
{
	uint8_t gir[CRYPTO_MAX_KE], nonces[2 * IKEV2_NONCE_MAX];
	uint8_t skeyseed[CRYPTO_MAX_KEY];
	size_t girlen = sizeof(gir);
	int ret, plen = crypto_prf_len(sa->prf);

	if (plen < 0)
		return -ENOTSUP;
	ret = crypto_ke_shared(sa->ke, peer_ke, peer_ke_len, gir, &girlen);
	if (ret)
		return ret;
	memcpy(nonces, sa->ni, sa->ni_len);
	memcpy(nonces + sa->ni_len, sa->nr, sa->nr_len);
	ret = crypto_prf(sa->prf, nonces, sa->ni_len + sa->nr_len, gir, girlen,
			 skeyseed);
	if (!ret)
		ret = ike_keys_from_skeyseed(sa, skeyseed, (size_t)plen);
	explicit_bzero(gir, sizeof(gir));
	explicit_bzero(skeyseed, sizeof(skeyseed));
	return ret;
}

/*
 * The octets AUTH covers (2.15): RealMessage | Nonce of the other side |
 * prf(SK_p, ID payload body), for the initiator's AUTH or the responder's.
 */
static int signed_octets(const struct ike_sa *sa, bool of_initiator,
			 const uint8_t *id, size_t idlen, uint8_t **out,
			 size_t *outlen)
{
	const uint8_t *msg = of_initiator ? sa->init_req : sa->init_resp;
	const uint8_t *nonce = of_initiator ? sa->nr : sa->ni;
	size_t msglen = of_initiator ? sa->init_req_len : sa->init_resp_len;
	size_t nlen = of_initiator ? sa->nr_len : sa->ni_len;
	uint8_t macid[CRYPTO_MAX_KEY], *octets;
	int ret;

	ret = crypto_prf(sa->prf, of_initiator ? sa->sk_pi : sa->sk_pr,
			 sa->prf_len, id, idlen, macid);
	if (ret)
		return ret;
	octets = malloc(msglen + nlen + sa->prf_len);
	if (!octets)
		return -ENOMEM;
	memcpy(octets, msg, msglen);
	memcpy(octets + msglen, nonce, nlen);
	memcpy(octets + msglen + nlen, macid, sa->prf_len);
	*out = octets;
	*outlen = msglen + nlen + sa->prf_len;
	return 0;
}

/* AUTH for a pre-shared key (2.15): prf(prf(PSK, "Key Pad for IKEv2"), octets). */
static int psk_auth(const struct ike_sa *sa, bool of_initiator,
		    const uint8_t *id, size_t idlen, uint8_t *out)
{
	const struct config_peer *p = peer_cfg(sa);
	static const char pad[] = "Key Pad for IKEv2";
	uint8_t key[CRYPTO_MAX_KEY], *octets;
	size_t olen;
	int ret;

	ret = signed_octets(sa, of_initiator, id, idlen, &octets, &olen);
	if (ret)
		return ret;
	ret = crypto_prf(sa->prf, p->psk, p->psk_len, (const uint8_t *)pad,
			 sizeof(pad) - 1, key);
	if (!ret)
		ret = crypto_prf(sa->prf, key, sa->prf_len, octets, olen, out);
	explicit_bzero(key, sizeof(key));
	free(octets);
	return ret;
}

/* The certificates for sa's peer; NULL with a pre-shared key. */
static struct cred *peer_cred(const struct ike_sa *sa)
{
	if (peer_cfg(sa)->auth != CONFIG_AUTH_PUBKEY || !sa->ctx->creds)
		return NULL;
	return sa->ctx->creds[sa->peer_idx];
}

/* Our ID payload body towards sa's peer (3.5); the length or -errno. */
static int our_id(const struct ike_sa *sa, uint8_t *out, size_t max)
{
	return cred_id_encode(peer_cfg(sa)->local_id, peer_cred(sa), out, max);
}

/* The peer's ID payload body must name the configured RemoteId. */
static bool id_matches(const struct config_peer *p, const struct ikev2_buf *idb)
{
	uint8_t want[CRED_ID_MAX];
	int wl = cred_id_encode(p->remote_id, NULL, want, sizeof(want));

	return wl > 0 && cred_id_equal(want, (size_t)wl, idb->p, idb->len);
}

/* CERT payloads (3.6): our certificate first, then intermediates. */
static int out_certs(struct ikev2_out *o, const struct cred *cr)
{
	unsigned int i;
	size_t len;

	for (i = 0; i < cred_ncerts(cr); i++) {
		const uint8_t *der = cred_cert(cr, i, &len);
		uint8_t *b = ikev2_out_pld(o, IKEV2_PLD_CERT, 1 + len);

		if (!b)
			return -EMSGSIZE;
		b[0] = CERT_X509_SIGNATURE;
		memcpy(b + 1, der, len);
	}
	return 0;
}

/*
 * CERTREQ (3.7): the hashes of the trust anchors of @creds[0..n), each
 * once (a responder does not know its peer yet, so it names the anchors
 * of every peer).  strongSwan and Libreswan send their certificate by
 * default only when asked.
 */
static int out_certreq(struct ikev2_out *o, struct cred *const *creds,
		       unsigned int n)
{
	uint8_t hashes[CRED_MAX_CERTS * 20 * 4], *b;
	size_t have = 0, len, j, k;
	unsigned int i;

	for (i = 0; creds && i < n; i++) {
		const uint8_t *h;

		if (!creds[i])
			continue;
		h = cred_certreq(creds[i], &len);
		for (j = 0; j + 20 <= len && have + 20 <= sizeof(hashes); j += 20) {
			for (k = 0; k < have && memcmp(hashes + k, h + j, 20); k += 20)
				;
			if (k == have) {
				memcpy(hashes + have, h + j, 20);
				have += 20;
			}
		}
	}
	if (!have)
		return 0;
	b = ikev2_out_pld(o, IKEV2_PLD_CERTREQ, 1 + have);
	if (!b)
		return -EMSGSIZE;
	b[0] = CERT_X509_SIGNATURE;
	memcpy(b + 1, hashes, have);
	return 0;
}

/* RFC 7427 4: the hashes we can verify, in IKE_SA_INIT. */
static int out_sig_hashes(struct ikev2_out *o, const struct ike_ctx *ctx)
{
	uint8_t h[8];

	if (ctx->no_sig_hashes)
		return 0;
	return out_notify(o, N_SIGNATURE_HASH_ALGORITHMS, h, sig_hashes_ours(h));
}

static bool any_pubkey_peer(const struct ike_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->cfg->npeers; i++)
		if (ctx->cfg->peers[i].auth == CONFIG_AUTH_PUBKEY)
			return true;
	return false;
}

/* Our AUTH payload (2.15): a MAC with the pre-shared key or a signature. */
static int out_auth(struct ikev2_out *o, const struct ike_sa *sa,
		    const uint8_t *id, size_t idlen)
{
	const struct config_peer *p = peer_cfg(sa);
	const struct cred *cr = peer_cred(sa);
	uint8_t data[SIG_AUTH_MAX], method = AUTH_SHARED_KEY, *b, *octets;
	size_t len = sa->prf_len, olen;
	int ret;

	if (!cr) {
		if (p->auth == CONFIG_AUTH_PUBKEY)
			return -ENOKEY;
		ret = psk_auth(sa, sa->initiator, id, idlen, data);
	} else {
		ret = signed_octets(sa, sa->initiator, id, idlen, &octets, &olen);
		if (ret)
			return ret;
		len = sizeof(data);
		ret = sig_sign(cred_key(cr), sa->peer_hashes,
			       p->rsa_pss || sa->peer_pss, octets, olen,
			       &method, data, &len);
		free(octets);
	}
	if (ret)
		return ret;
	b = ikev2_out_pld(o, IKEV2_PLD_AUTH, 4 + len);
	if (b) {
		memset(b, 0, 4);
		b[0] = method;
		memcpy(b + 4, data, len);
	}
	explicit_bzero(data, sizeof(data));
	return b ? 0 : -EMSGSIZE;
}

/*
 * The peer's AUTH (2.15): a MAC with the pre-shared key, or a signature
 * by the certificate it sent, which must chain to our trust anchors and
 * hold the ID it claims (RFC 4945 3.1).  0, or -errno with @why set.
 */
static int verify_peer(struct ike_sa *sa, const struct ikev2_msg *in,
		       const struct ikev2_buf *idb, const struct ikev2_auth *a,
		       char *why, size_t whylen)
{
	const struct cred *cr = peer_cred(sa);
	const uint8_t *der[CRED_MAX_CERTS];
	size_t dlen[CRED_MAX_CERTS], olen;
	uint8_t want[CRYPTO_MAX_KEY], *octets;
	unsigned int i, n = 0;
	EVP_PKEY *key = NULL;
	char err[256], name[64];
	bool pss = false;
	int ret;

	if (peer_cfg(sa)->auth == CONFIG_AUTH_PSK) {
		snprintf(why, whylen, "AUTH does not verify (pre-shared key?)");
		if (a->method != AUTH_SHARED_KEY || a->data.len != sa->prf_len)
			return -EBADMSG;
		ret = psk_auth(sa, !sa->initiator, idb->p, idb->len, want);
		if (ret)
			return ret;
		ret = crypto_memeq(want, a->data.p, sa->prf_len) ? 0 : -EACCES;
		explicit_bzero(want, sizeof(want));
		if (!ret)
			sa->peer_auth = AUTH_SHARED_KEY;
		return ret;
	}
	if (!cr) {
		snprintf(why, whylen, "no certificates loaded for this peer");
		return -ENOKEY;
	}
	if (a->method == AUTH_SHARED_KEY) {
		snprintf(why, whylen, "a pre-shared key AUTH, but Auth = pubkey");
		return -EACCES;
	}
	/* 3.6: the first CERT holds the key; the others are intermediates. */
	for (i = 0; i < in->npld && n < CRED_MAX_CERTS; i++) {
		const struct ikev2_pld *pl = &in->pld[i];

		if (pl->type != IKEV2_PLD_CERT || pl->body.len < 2 ||
		    pl->body.p[0] != CERT_X509_SIGNATURE)
			continue;
		der[n] = pl->body.p + 1;
		dlen[n++] = pl->body.len - 1;
	}
	if (!n) {
		snprintf(why, whylen, "no X.509 certificate in IKE_AUTH");
		return -EACCES;
	}
	ret = cred_verify_peer(cr, der, dlen, n, sa->ctx->cert_time ?
			       sa->ctx->cert_time : time(NULL), idb->p,
			       idb->len, &key, err, sizeof(err));
	if (ret) {
		snprintf(why, whylen, "certificate refused: %s", ret == -EBADMSG ?
			 "it does not parse" : err);
		return ret;
	}
	ret = signed_octets(sa, !sa->initiator, idb->p, idb->len, &octets, &olen);
	if (!ret) {
		ret = sig_verify(key, a->method, a->data.p, a->data.len, octets,
				 olen, SIG_HASHES_OURS, &pss);
		free(octets);
	}
	EVP_PKEY_free(key);
	sig_name(a->method, a->data.p, a->data.len, name, sizeof(name));
	if (ret) {
		snprintf(why, whylen, "%s signature (AUTH method %u) %s", name,
			 a->method, ret == -EACCES ? "does not verify" :
			 "not acceptable");
		return ret;
	}
	sa->peer_pss = pss;
	sa->peer_auth = a->method;
	ike_log(sa, "peer authenticated by certificate, %s signature", name);
	return 0;
}

/*
 * Child SA keys (2.17): KEYMAT = prf+(SK_d, Ni | Nr); initiator-to-
 * responder first, encryption key (with salt for AEADs, RFC 4106 8.1)
 * before integrity key, then responder-to-initiator.
 */
static int derive_child_keys(struct ike_sa *sa, struct ike_child *c,
			     bool we_initiated, const uint8_t *gir, size_t girlen,
			     const uint8_t *ni, size_t nilen,
			     const uint8_t *nr, size_t nrlen)
{
	uint8_t seed[CRYPTO_MAX_KE + 2 * IKEV2_NONCE_MAX];
	uint8_t km[2 * (CRYPTO_MAX_ENCR_KEY + 32)];
	uint8_t *ir_e, *ir_a, *ri_e, *ri_a;
	size_t per = c->keylen + c->akeylen;
	int ret;

	/* 2.17: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr). */
	if (girlen + nilen + nrlen > sizeof(seed))
		return -EINVAL;
	if (girlen)
		memcpy(seed, gir, girlen);
	memcpy(seed + girlen, ni, nilen);
	memcpy(seed + girlen + nilen, nr, nrlen);
	ret = crypto_prf_plus(sa->prf, sa->sk_d, sa->prf_len, seed,
			      girlen + nilen + nrlen, km, 2 * per);
	explicit_bzero(seed, sizeof(seed));
	if (ret)
		return ret;
	ir_e = km;
	ir_a = km + c->keylen;
	ri_e = km + per;
	ri_a = ri_e + c->keylen;
	/* "Initiator" is the exchange's: IKE_AUTH's or CREATE_CHILD_SA's. */
	memcpy(we_initiated ? c->key_out : c->key_in, ir_e, c->keylen);
	memcpy(we_initiated ? c->akey_out : c->akey_in, ir_a, c->akeylen);
	memcpy(we_initiated ? c->key_in : c->key_out, ri_e, c->keylen);
	memcpy(we_initiated ? c->akey_in : c->akey_out, ri_a, c->akeylen);
	explicit_bzero(km, sizeof(km));
	return 0;
}

/* --- proposals (2.7) ----------------------------------------------------- */

struct chosen {
	uint8_t num;
	uint16_t encr, keylen, integ, prf, dh, esn;
	uint32_t spi;		/* ESP */
	uint64_t spi64;		/* IKE, when rekeying */
};

static bool list_has(const uint16_t *l, unsigned int n, uint16_t v)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (l[i] == v)
			return true;
	return false;
}

/* The peer's transform @id, if ours allow it and none is taken yet. */
static void take(const uint16_t *ours, unsigned int n, uint16_t id,
		 bool *got, uint16_t *slot)
{
	if (!*got && list_has(ours, n, id)) {
		*slot = id;
		*got = true;
	}
}

/*
 * The first of the peer's proposals that one of ours accepts whole: one
 * transform of each type the kind needs (the first acceptable one).
 */
static int choose(const struct ikev2_sa *offer, const struct proposal *ours,
		  unsigned int nours, uint8_t proto, struct chosen *c)
{
	unsigned int i, j, k;

	for (i = 0; i < offer->nprop; i++) {
		const struct ikev2_proposal *op = &offer->prop[i];

		/* IKE: no SPI, or the new one when rekeying (2.18). */
		if (op->proto != proto ||
		    (proto == IKEV2_PROTO_IKE ? op->spi_size != 0 && op->spi_size != 8 :
		     op->spi_size != 4))
			continue;
		for (j = 0; j < nours; j++) {
			const struct proposal *pr = &ours[j];
			bool got_encr = false, got_integ = false, got_prf = false,
			     got_dh = false, got_esn = false;

			memset(c, 0, sizeof(*c));
			for (k = 0; k < op->nxforms; k++) {
				const struct ikev2_xform *x = &op->xf[k];
				unsigned int e;

				switch (x->type) {
				case IKEV2_XFORM_ENCR:
					for (e = 0; !got_encr && e < pr->n_encr; e++) {
						if (pr->encr[e] == x->id &&
						    pr->encr_keylen[e] == x->keylen) {
							c->encr = x->id;
							c->keylen = x->keylen;
							got_encr = true;
						}
					}
					break;
				case IKEV2_XFORM_INTEG:
					take(pr->integ, pr->n_integ, x->id, &got_integ,
					     &c->integ);
					break;
				case IKEV2_XFORM_PRF:
					take(pr->prf, pr->n_prf, x->id, &got_prf, &c->prf);
					break;
				case IKEV2_XFORM_DH:
					take(pr->dh, pr->n_dh, x->id, &got_dh, &c->dh);
					break;
				case IKEV2_XFORM_ESN:
					take(pr->esn, pr->n_esn, x->id, &got_esn, &c->esn);
					break;
				}
			}
			if (!got_encr || (pr->n_integ && !got_integ))
				continue;
			if (proto == IKEV2_PROTO_IKE && (!got_prf || !got_dh))
				continue;
			if (proto == IKEV2_PROTO_ESP) {
				if (!got_esn)
					continue;
				if (!esp_supported(c->encr, c->keylen, c->integ))
					continue;
				c->spi = get32(op->spi);
			}
			if (proto == IKEV2_PROTO_IKE && op->spi_size == 8)
				c->spi64 = (uint64_t)get32(op->spi) << 32 |
					   get32(op->spi + 4);
			c->num = op->num;
			return 0;
		}
	}
	return -ENOENT;
}

/* Our proposals reduced to one transform each: the responder's answer. */
static void chosen_to_proposal(const struct chosen *c, uint8_t proto,
			       struct proposal *p)
{
	memset(p, 0, sizeof(*p));
	p->encr[0] = c->encr;
	p->encr_keylen[0] = c->keylen;
	p->n_encr = 1;
	if (c->integ) {
		p->integ[0] = c->integ;
		p->n_integ = 1;
	}
	if (proto == IKEV2_PROTO_IKE) {
		p->prf[0] = c->prf;
		p->n_prf = 1;
		p->dh[0] = c->dh;
		p->n_dh = 1;
	} else {
		p->esn[0] = c->esn;
		p->n_esn = 1;
	}
}

static int child_from_chosen(const struct chosen *c, struct ike_child *child)
{
	child->esn = c->esn == IKEV2_ESN_YES;
	child->akeylen = 0;
	switch (c->encr) {
	case IKEV2_ENCR_AES_GCM_16:
		child->alg = ESPIF_ALG_AES_GCM;
		child->keylen = c->keylen / 8 + 4;
		break;
	case IKEV2_ENCR_CHACHA20_POLY1305:
		child->alg = ESPIF_ALG_CHACHA20_POLY1305;
		child->keylen = 36;
		break;
	case IKEV2_ENCR_AES_CBC:
		child->alg = ESPIF_ALG_AES_CBC_HMAC_SHA256;
		child->keylen = c->keylen / 8;
		child->akeylen = 32;
		break;
	default:
		return -ENOTSUP;
	}
	return 0;
}

/* --- sending ------------------------------------------------------------- */

static int send_raw(struct ike_sa *sa, const uint8_t *buf, size_t len)
{
	return sa->ctx->be->send(sa->ctx, sa, buf, len);
}

/* Send a request and keep it for retransmission (2.1). */
static int send_request(struct ike_sa *sa, const struct ikev2_out *o)
{
	uint8_t *copy = malloc(o->len);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, o->buf, o->len);
	free(sa->req);
	sa->req = copy;
	sa->req_len = o->len;
	sa->tries = 0;
	sa->retransmit_at = sa->ctx->now + 1;
	return send_raw(sa, o->buf, o->len);
}

/* Send a response and keep it for a retransmitted request (2.1). */
static int send_response(struct ike_sa *sa, const struct ikev2_out *o)
{
	uint8_t *copy = malloc(o->len);

	if (copy) {
		memcpy(copy, o->buf, o->len);
		free(sa->resp);
		sa->resp = copy;
		sa->resp_len = o->len;
	}
	return send_raw(sa, o->buf, o->len);
}

static uint8_t resp_flags(const struct ike_sa *sa)
{
	return IKEV2_FLAG_RESPONSE | (sa->initiator ? IKEV2_FLAG_INITIATOR : 0);
}

static uint8_t req_flags(const struct ike_sa *sa)
{
	return sa->initiator ? IKEV2_FLAG_INITIATOR : 0;
}

/* An encrypted response holding one notification (or none). */
static int send_enc_notify(struct ike_sa *sa, uint8_t exchange, uint32_t msgid,
			   uint16_t type)
{
	static struct ikev2_out o, in;
	struct ikev2_sk_keys k = keys_out(sa);

	ikev2_out_chain(&in);
	if (type && out_notify(&in, type, NULL, 0))
		return -EMSGSIZE;
	ikev2_out_hdr(&o, sa->spi_i, sa->spi_r, exchange, resp_flags(sa), msgid);
	if (ikev2_out_seal(&o, &in, &k))
		return -EIO;
	return send_response(sa, &o);
}

/* --- IKE_SA_INIT ---------------------------------------------------------- */

static int send_init_request(struct ike_sa *sa)
{
	static struct ikev2_out o;
	const struct config_peer *p = peer_cfg(sa);
	uint8_t ke[CRYPTO_MAX_KE];
	size_t kelen = sizeof(ke);
	int ret;

	ret = crypto_ke_public(sa->ke, ke, &kelen);
	if (ret)
		return ret;
	ikev2_out_hdr(&o, sa->spi_i, 0, IKEV2_EXCH_IKE_SA_INIT,
		      IKEV2_FLAG_INITIATOR, 0);
	/* 2.6: a cookie, when asked for, comes first. */
	if (sa->cookie_len &&
	    out_notify(&o, N_COOKIE, sa->cookie, sa->cookie_len))
		return -EMSGSIZE;
	ret = out_sa(&o, p->ike, p->n_ike, IKEV2_PROTO_IKE, 0, 1);
	if (ret)
		return ret;
	if (out_ke(&o, sa->dh, ke, kelen) || out_nonce(&o, sa->ni, sa->ni_len) ||
	    out_natd(&o, sa) ||
	    (p->auth == CONFIG_AUTH_PUBKEY && out_sig_hashes(&o, sa->ctx)))
		return -EMSGSIZE;
	ikev2_out_fix_len(&o);
	free(sa->init_req);
	sa->init_req = malloc(o.len);
	if (!sa->init_req)
		return -ENOMEM;
	memcpy(sa->init_req, o.buf, o.len);
	sa->init_req_len = o.len;
	sa->state = IKE_INIT_SENT;
	return send_request(sa, &o);
}

static bool offered_dh(const struct config_peer *p, uint16_t g)
{
	unsigned int i;

	for (i = 0; i < p->n_ike; i++)
		if (list_has(p->ike[i].dh, p->ike[i].n_dh, g))
			return true;
	return false;
}

/* The first key exchange method of our first proposal (what KEi uses). */
static uint16_t first_dh(const struct config_peer *p)
{
	return p->n_ike ? p->ike[0].dh[0] : IKEV2_DH_CURVE25519;
}

int ike_initiate(struct ike_ctx *ctx, unsigned int peer_idx,
		 const struct ike_addr *local, const struct ike_addr *remote)
{
	struct ike_sa *sa = sa_new(ctx, peer_idx, true);
	int ret;

	if (!sa)
		return -ENOMEM;
	sa->local = *local;
	sa->remote = *remote;
	sa->spi_i = random_spi();
	sa->dh = first_dh(peer_cfg(sa));
	sa->ni_len = our_nonce_len(ctx);
	ret = crypto_random(sa->ni, sa->ni_len);
	if (!ret)
		ret = crypto_ke_new(sa->dh, &sa->ke);
	if (!ret)
		ret = send_init_request(sa);
	if (ret) {
		sa_unlink(sa);
		sa_free(sa);
		return ret;
	}
	ike_log(sa, "IKE_SA_INIT request sent (key exchange %u)", sa->dh);
	return 0;
}

/* NAT detection (2.23) from the peer's NAT_DETECTION_* notifications. */
static void nat_detect(struct ike_sa *sa, const struct ikev2_msg *m)
{
	/* The hashes use the SPIs of the message's own header. */
	uint64_t spi_r = m->spi_r;
	uint8_t mine[20], theirs[20];
	bool src_seen = false, src_match = false, dst_seen = false,
	     dst_match = false;
	unsigned int i;

	if (natd_hash(sa->spi_i, spi_r, &sa->local, mine) ||
	    natd_hash(sa->spi_i, spi_r, &sa->remote, theirs))
		return;
	for (i = 0; i < m->npld; i++) {
		struct ikev2_notify n;

		if (m->pld[i].type != IKEV2_PLD_NOTIFY ||
		    ikev2_pld_notify(&m->pld[i].body, &n) || n.data.len != 20)
			continue;
		if (n.type == N_NAT_DETECTION_SOURCE_IP) {
			src_seen = true;
			src_match |= !memcmp(n.data.p, theirs, 20);
		} else if (n.type == N_NAT_DETECTION_DESTINATION_IP) {
			dst_seen = true;
			dst_match |= !memcmp(n.data.p, mine, 20);
		}
	}
	sa->nat_remote = src_seen && !src_match;
	sa->nat_local = dst_seen && !dst_match;
}

static int send_auth_request(struct ike_sa *sa);

static void sa_fail(struct ike_sa *sa, const char *why)
{
	ike_log(sa, "%s", why);
	sa->state = IKE_DEAD;
}

/* Initiator: the IKE_SA_INIT response. */
static void on_init_response(struct ike_sa *sa, const uint8_t *buf,
			     const struct ikev2_msg *m)
{
	const struct config_peer *p = peer_cfg(sa);
	const struct ikev2_buf *sab = NULL, *keb = NULL, *nb = NULL;
	struct ikev2_sa offer;
	struct ikev2_ke ke;
	struct chosen c;
	unsigned int i;
	int ret;

	for (i = 0; i < m->npld; i++) {
		const struct ikev2_pld *pl = &m->pld[i];
		struct ikev2_notify n;

		switch (pl->type) {
		case IKEV2_PLD_SA:
			sab = &pl->body;
			break;
		case IKEV2_PLD_KE:
			keb = &pl->body;
			break;
		case IKEV2_PLD_NONCE:
			nb = &pl->body;
			break;
		case IKEV2_PLD_NOTIFY:
			if (ikev2_pld_notify(&pl->body, &n))
				break;
			if (n.type == N_SIGNATURE_HASH_ALGORITHMS)
				sa->peer_hashes = sig_hashes_parse(n.data.p,
								   n.data.len);
			if (n.type == N_COOKIE && n.data.len &&
			    n.data.len <= sizeof(sa->cookie) &&
			    sa->init_retries++ < 3) {
				/* 2.6: send the same request with the cookie. */
				memcpy(sa->cookie, n.data.p, n.data.len);
				sa->cookie_len = n.data.len;
				ike_log(sa, "responder asks for a cookie");
				send_init_request(sa);
				return;
			}
			if (n.type == N_INVALID_KE_PAYLOAD && n.data.len == 2) {
				/* 1.2: retry with the group the responder wants. */
				uint16_t g = get16(n.data.p);

				/*
				 * Once, with a group we offered and did not
				 * use: a responder that asks for the group
				 * it got cannot compute it.
				 */
				if (g == sa->dh || sa->init_retries++ >= 3 ||
				    !offered_dh(peer_cfg(sa), g)) {
					ike_log(sa, "responder asks for key exchange %u, which %s",
						g, g == sa->dh ? "we sent: it cannot use it" :
						"we did not offer");
					sa->state = IKE_DEAD;
					return;
				}
				ike_log(sa, "responder wants key exchange %u", g);
				crypto_ke_free(sa->ke);
				sa->ke = NULL;
				sa->dh = g;
				if (crypto_ke_new(g, &sa->ke)) {
					sa_fail(sa, "cannot use that key exchange");
					return;
				}
				send_init_request(sa);
				return;
			}
			if (n.type < 16384) {
				ike_log(sa, "IKE_SA_INIT refused: notify %u", n.type);
				sa->state = IKE_DEAD;
				return;
			}
			break;
		}
	}
	if (!sab || !keb || !nb || ikev2_pld_sa(sab, &offer) ||
	    offer.nprop != 1 || ikev2_pld_ke(keb, &ke) ||
	    ikev2_pld_nonce(nb)) {
		sa_fail(sa, "malformed IKE_SA_INIT response");
		return;
	}
	/* The answer must be one of our proposals, one transform each. */
	if (choose(&offer, p->ike, p->n_ike, IKEV2_PROTO_IKE, &c) ||
	    c.dh != sa->dh || ke.group != sa->dh) {
		sa_fail(sa, "the responder chose what we did not propose");
		return;
	}
	sa->encr = c.encr;
	sa->encr_keylen = c.keylen;
	sa->integ = c.integ;
	sa->prf = c.prf;
	sa->spi_r = m->spi_r;
	memcpy(sa->nr, nb->p, nb->len);
	sa->nr_len = nb->len;
	free(sa->init_resp);
	sa->init_resp = malloc(m->length);
	if (!sa->init_resp) {
		sa_fail(sa, "out of memory");
		return;
	}
	memcpy(sa->init_resp, buf, m->length);
	sa->init_resp_len = m->length;
	nat_detect(sa, m);
	if (derive_ike_keys(sa, ke.data.p, ke.data.len)) {
		sa_fail(sa, "key derivation failed (bad KE data?)");
		return;
	}
	/* 2.23: behind a NAT, move to port 4500. */
	if (sa->nat_local || sa->nat_remote) {
		sa->natt = true;
		sa->remote.port = 4500;
		sa->local.port = 4500;
	}
	ike_log(sa, "IKE_SA_INIT done: encr %u/%u integ %u prf %u ke %u%s%s",
		sa->encr, sa->encr_keylen, sa->integ, sa->prf, sa->dh,
		sa->nat_local ? ", we are behind a NAT" : "",
		sa->nat_remote ? ", the peer is behind a NAT" : "");
	sa->my_msgid = 1;
	ret = send_auth_request(sa);
	if (ret)
		sa_fail(sa, ret == -ENOTSUP ?
			"IKE_AUTH: the peer accepts no signature our key can make" :
			ret == -ENOKEY ? "IKE_AUTH: no certificate loaded for this peer" :
			"cannot build the IKE_AUTH request");
}

/* --- Cookies (2.6) ---------------------------------------------------------- */

#define COOKIE_LEN		34	/* 2-byte secret version, HMAC-SHA-256 */
#define COOKIE_ROTATE		120	/* seconds a secret is handed out */

/*
 * Cookie = VersionIDofSecret | prf(secret, Ni | IPi | SPIi) (2.6): the
 * responder keeps no state until the initiator shows it can receive at
 * its address.  A keyed PRF rather than Hash(... | secret).
 */
static int cookie_make(struct ike_ctx *ctx, uint16_t version,
		       const struct ikev2_buf *ni, const struct ike_addr *remote,
		       uint64_t spi_i, uint8_t *out)
{
	const uint8_t *secret =
		ctx->cookie_secret[version == ctx->cookie_version ? 0 : 1];
	uint8_t data[IKEV2_NONCE_MAX + 16 + 8];
	size_t alen = remote->family == 4 ? 4 : 16;

	memcpy(data, ni->p, ni->len);
	memcpy(data + ni->len, remote->addr, alen);
	put64(data + ni->len + alen, spi_i);
	put16(out, version);
	return crypto_prf(IKEV2_PRF_HMAC_SHA2_256, secret, 32, data,
			  ni->len + alen + 8, out + 2);
}

/* A fresh secret every COOKIE_ROTATE seconds; the last one still counts. */
static int cookie_rotate(struct ike_ctx *ctx)
{
	int ret;

	if (ctx->cookie_ready && ctx->now - ctx->cookie_rotated < COOKIE_ROTATE)
		return 0;
	/* The first time, the "previous" secret must not be all zeroes. */
	if (ctx->cookie_ready)
		memcpy(ctx->cookie_secret[1], ctx->cookie_secret[0], 32);
	else if ((ret = crypto_random(ctx->cookie_secret[1], 32)))
		return ret;
	ret = crypto_random(ctx->cookie_secret[0], 32);
	if (ret)
		return ret;
	ctx->cookie_version++;
	ctx->cookie_rotated = ctx->now;
	ctx->cookie_ready = true;
	return 0;
}

/* The cookie an IKE_SA_INIT request carries is one we handed out. */
static bool cookie_valid(struct ike_ctx *ctx, const struct ikev2_notify *n,
			 const struct ikev2_buf *ni, const struct ike_addr *remote,
			 uint64_t spi_i)
{
	uint8_t want[COOKIE_LEN];
	uint16_t v;

	if (n->data.len != COOKIE_LEN || !ctx->cookie_ready)
		return false;
	v = get16(n->data.p);
	if (v != ctx->cookie_version && v != (uint16_t)(ctx->cookie_version - 1))
		return false;
	return !cookie_make(ctx, v, ni, remote, spi_i, want) &&
	       crypto_memeq(want, n->data.p, COOKIE_LEN);
}

static unsigned int half_open(const struct ike_ctx *ctx)
{
	const struct ike_sa *sa;
	unsigned int n = 0;

	for (sa = ctx->sas; sa; sa = sa->next)
		n += !sa->initiator && sa->state == IKE_INIT_DONE;
	return n;
}

/*
 * Answer with N(COOKIE) and keep nothing (2.6).  No SA exists, so the
 * datagram goes out through a stand-in on the stack.
 */
static void send_cookie(struct ike_ctx *ctx, const struct ikev2_msg *m,
			const struct ikev2_buf *ni,
			const struct ike_addr *local,
			const struct ike_addr *remote)
{
	struct ike_sa tmp = { .ctx = ctx, .local = *local, .remote = *remote,
			      .spi_i = m->spi_i };
	uint8_t cookie[COOKIE_LEN];
	static struct ikev2_out o;

	tmp.natt = remote->port != 500 || local->port == 4500;
	if (cookie_rotate(ctx) ||
	    cookie_make(ctx, ctx->cookie_version, ni, remote, m->spi_i, cookie))
		return;
	ikev2_out_hdr(&o, m->spi_i, 0, IKEV2_EXCH_IKE_SA_INIT,
		      IKEV2_FLAG_RESPONSE, 0);
	if (out_notify(&o, N_COOKIE, cookie, sizeof(cookie)))
		return;
	ikev2_out_fix_len(&o);
	send_raw(&tmp, o.buf, o.len);
}

/* Responder: an IKE_SA_INIT request for a new IKE SA. */
static void on_init_request(struct ike_ctx *ctx, uint8_t *buf,
			    const struct ikev2_msg *m,
			    const struct ike_addr *local,
			    const struct ike_addr *remote)
{
	const struct ikev2_buf *sab = NULL, *keb = NULL, *nb = NULL;
	static struct ikev2_out o;
	struct config_peer *p;
	struct ikev2_sa offer;
	struct ike_sa *sa;
	struct ikev2_ke ke;
	struct chosen c;
	unsigned int i, pi;
	uint8_t kd[CRYPTO_MAX_KE];
	size_t kdlen = sizeof(kd);
	unsigned int hashes = 0;
	bool hashes_seen = false, have_cookie = false;
	struct ikev2_notify cookie = { 0 };
	int ret = -ENOENT;

	for (i = 0; i < m->npld; i++) {
		struct ikev2_notify n;

		if (m->pld[i].type == IKEV2_PLD_SA)
			sab = &m->pld[i].body;
		else if (m->pld[i].type == IKEV2_PLD_KE)
			keb = &m->pld[i].body;
		else if (m->pld[i].type == IKEV2_PLD_NONCE)
			nb = &m->pld[i].body;
		else if (m->pld[i].type != IKEV2_PLD_NOTIFY ||
			 ikev2_pld_notify(&m->pld[i].body, &n))
			continue;
		else if (n.type == N_SIGNATURE_HASH_ALGORITHMS) {
			hashes = sig_hashes_parse(n.data.p, n.data.len);
			hashes_seen = true;
		} else if (n.type == N_COOKIE && !have_cookie) {
			cookie = n;
			have_cookie = true;
		}
	}
	if (!sab || !keb || !nb || ikev2_pld_sa(sab, &offer) ||
	    ikev2_pld_ke(keb, &ke) || ikev2_pld_nonce(nb) ||
	    nb->len > sizeof(((struct ike_sa *)0)->ni))
		return;	/* 2.21.1: no answer to a malformed IKE_SA_INIT */
	if (!ctx->cfg->npeers)
		return;
	/*
	 * 2.6: with many half-open SAs (a flood from forged addresses?),
	 * only an initiator that returns our cookie gets state.
	 */
	if (!(have_cookie && cookie_valid(ctx, &cookie, nb, remote, m->spi_i)) &&
	    half_open(ctx) >= ctx->cfg->cookie_threshold) {
		send_cookie(ctx, m, nb, local, remote);
		return;
	}

	/*
	 * Which peer?  IDs come in IKE_AUTH; until then the proposals must
	 * suit the first peer whose endpoint matches the source, or else
	 * any peer without an endpoint (a road-warrior server).
	 */
	for (pi = 0; pi < ctx->cfg->npeers; pi++) {
		p = &ctx->cfg->peers[pi];
		if (p->has_endpoint &&
		    (p->ep_family != remote->family ||
		     memcmp(p->ep_addr, remote->addr, remote->family == 4 ? 4 : 16)))
			continue;
		ret = choose(&offer, p->ike, p->n_ike, IKEV2_PROTO_IKE, &c);
		if (!ret)
			break;
	}
	sa = sa_new(ctx, ret ? 0 : pi, false);
	if (!sa)
		return;
	sa->local = *local;
	sa->remote = *remote;
	sa->spi_i = m->spi_i;
	sa->spi_r = random_spi();
	sa->natt = remote->port != 500 || local->port == 4500;
	if (ret || !ctx->cfg->npeers) {
		ike_log(sa, "IKE_SA_INIT: no proposal chosen");
		ikev2_out_hdr(&o, sa->spi_i, 0, IKEV2_EXCH_IKE_SA_INIT,
			      IKEV2_FLAG_RESPONSE, 0);
		out_notify(&o, N_NO_PROPOSAL_CHOSEN, NULL, 0);
		ikev2_out_fix_len(&o);
		send_raw(sa, o.buf, o.len);
		sa->state = IKE_DEAD;
		return;
	}
	if (ke.group != c.dh) {
		uint8_t g[2];

		/* 1.2: tell the initiator which group to use. */
		put16(g, c.dh);
		ike_log(sa, "IKE_SA_INIT: asking for key exchange %u", c.dh);
		ikev2_out_hdr(&o, sa->spi_i, 0, IKEV2_EXCH_IKE_SA_INIT,
			      IKEV2_FLAG_RESPONSE, 0);
		out_notify(&o, N_INVALID_KE_PAYLOAD, g, 2);
		ikev2_out_fix_len(&o);
		send_raw(sa, o.buf, o.len);
		sa->state = IKE_DEAD;
		return;
	}
	sa->encr = c.encr;
	sa->encr_keylen = c.keylen;
	sa->integ = c.integ;
	sa->prf = c.prf;
	sa->dh = c.dh;
	memcpy(sa->ni, nb->p, nb->len);
	sa->ni_len = nb->len;
	sa->peer_hashes = hashes;
	sa->nr_len = our_nonce_len(sa->ctx);
	sa->init_req = malloc(m->length);
	if (!sa->init_req || crypto_random(sa->nr, sa->nr_len) ||
	    crypto_ke_new(sa->dh, &sa->ke) ||
	    crypto_ke_public(sa->ke, kd, &kdlen) ||
	    derive_ike_keys(sa, ke.data.p, ke.data.len)) {
		sa_fail(sa, "IKE_SA_INIT: cannot set up the key exchange");
		return;
	}
	memcpy(sa->init_req, buf, m->length);
	sa->init_req_len = m->length;
	nat_detect(sa, m);

	{
		struct proposal one;

		chosen_to_proposal(&c, IKEV2_PROTO_IKE, &one);
		ikev2_out_hdr(&o, sa->spi_i, sa->spi_r, IKEV2_EXCH_IKE_SA_INIT,
			      IKEV2_FLAG_RESPONSE, 0);
		/* The proposal number is the initiator's (3.3.1). */
		if (out_sa(&o, &one, 1, IKEV2_PROTO_IKE, 0, c.num))
			return;
	}
	if (out_ke(&o, sa->dh, kd, kdlen) || out_nonce(&o, sa->nr, sa->nr_len) ||
	    out_natd(&o, sa))
		return;
	/*
	 * With certificates: CERTREQ (3.7) and, answering an initiator that
	 * announced its hashes, ours (RFC 7427 4).
	 */
	if (any_pubkey_peer(ctx) &&
	    (out_certreq(&o, ctx->creds, ctx->cfg->npeers) ||
	     (hashes_seen && out_sig_hashes(&o, ctx))))
		return;
	ikev2_out_fix_len(&o);
	sa->init_resp = malloc(o.len);
	if (!sa->init_resp)
		return;
	memcpy(sa->init_resp, o.buf, o.len);
	sa->init_resp_len = o.len;
	sa->state = IKE_INIT_DONE;
	sa->peer_msgid = 1;
	ike_log(sa, "IKE_SA_INIT answered: encr %u/%u integ %u prf %u ke %u%s",
		sa->encr, sa->encr_keylen, sa->integ, sa->prf, sa->dh,
		sa->nat_remote || sa->nat_local ? ", NAT detected" : "");
	send_response(sa, &o);
}

/* --- IKE_AUTH ------------------------------------------------------------- */

/* The ESP proposals of a peer that espif can carry. */
static unsigned int esp_proposals(const struct config_peer *p,
				  struct proposal *out, bool pfs)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < p->n_esp; i++) {
		struct proposal q = p->esp[i];

		q.n_encr = 0;
		for (j = 0; j < p->esp[i].n_encr; j++) {
			uint16_t integ = p->esp[i].n_integ ? p->esp[i].integ[0] : 0;

			if (esp_supported(p->esp[i].encr[j],
					  p->esp[i].encr_keylen[j], integ)) {
				q.encr[q.n_encr] = p->esp[i].encr[j];
				q.encr_keylen[q.n_encr++] = p->esp[i].encr_keylen[j];
			}
		}
		if (q.n_integ > 1) {
			q.n_integ = 1;
			q.integ[0] = IKEV2_AUTH_HMAC_SHA2_256_128;
		}
		/* 1.2: no PFS in IKE_AUTH; a rekey may have it (1.3.1). */
		if (!pfs)
			q.n_dh = 0;
		if (q.n_encr)
			out[n++] = q;
	}
	return n;
}

static int send_auth_request(struct ike_sa *sa)
{
	const struct config_peer *p = peer_cfg(sa);
	struct ikev2_sk_keys k = keys_out(sa);
	struct proposal esp[CONFIG_MAX_PROPOSALS];
	const struct cred *cr = peer_cred(sa);
	uint8_t id[CRED_ID_MAX], *b;
	static struct ikev2_out o, in;
	char idtext[CONFIG_ID_MAX];
	unsigned int nesp;
	int idlen, ret;

	ikev2_out_chain(&in);
	idlen = our_id(sa, id, sizeof(id));
	if (idlen < 0)
		return idlen;
	b = ikev2_out_pld(&in, IKEV2_PLD_IDI, idlen);
	if (!b)
		return -EMSGSIZE;
	memcpy(b, id, idlen);
	/* With certificates: ours, and which anchors we trust (3.6, 3.7). */
	if (cr && (out_certs(&in, cr) ||
		   out_certreq(&in, &sa->ctx->creds[sa->peer_idx], 1)))
		return -EMSGSIZE;
	ret = out_auth(&in, sa, id, idlen);
	if (ret)
		return ret;
	nesp = esp_proposals(p, esp, false);
	sa->child_spi_in = random_child_spi();
	if (!nesp ||
	    out_sa(&in, esp, nesp, IKEV2_PROTO_ESP, sa->child_spi_in, 1) ||
	    out_ts(&in, IKEV2_PLD_TSI, p->local, p->n_local) ||
	    out_ts(&in, IKEV2_PLD_TSR, p->remote, p->n_remote) ||
	    out_notify(&in, N_INITIAL_CONTACT, NULL, 0))
		return -EMSGSIZE;
	ikev2_out_hdr(&o, sa->spi_i, sa->spi_r, IKEV2_EXCH_IKE_AUTH,
		      IKEV2_FLAG_INITIATOR, sa->my_msgid);
	if (ikev2_out_seal(&o, &in, &k))
		return -EIO;
	sa->state = IKE_AUTH_SENT;
	ike_log(sa, "IKE_AUTH request sent as %s",
		cred_id_text(id, idlen, idtext, sizeof(idtext)));
	return send_request(sa, &o);
}

/* Derive, install, wipe: sa->child becomes the Child SA in use. */
static int install_child_keys(struct ike_sa *sa, bool we_initiated,
			      const uint8_t *gir, size_t girlen,
			      const uint8_t *ni, size_t nilen,
			      const uint8_t *nr, size_t nrlen)
{
	const struct config_peer *p = peer_cfg(sa);
	int ret;

	ret = derive_child_keys(sa, &sa->child, we_initiated, gir, girlen, ni,
				nilen, nr, nrlen);
	if (ret)
		return ret;
	sa->child.natt = sa->nat_local || sa->nat_remote;
	ret = sa->ctx->be->child_up(sa->ctx, sa, &sa->child);
	/* The kernel has the keys now; ours are not needed any more. */
	explicit_bzero(sa->child.key_in, sizeof(sa->child.key_in));
	explicit_bzero(sa->child.akey_in, sizeof(sa->child.akey_in));
	if (!sa->child.out_later || ret) {
		explicit_bzero(sa->child.key_out, sizeof(sa->child.key_out));
		explicit_bzero(sa->child.akey_out, sizeof(sa->child.akey_out));
		sa->child.out_later = false;
	}
	if (!ret) {
		sa->child_installed = true;
		/*
		 * Rekey at 90 % of the lifetime; the IKE responder waits
		 * until 97 %, so that both rarely start at once (2.8.1).
		 */
		sa->rekey_at = p->child_lifetime ? sa->ctx->now +
			       p->child_lifetime * (sa->initiator ? 90 : 97) / 100 : 0;
	}
	return ret;
}

static int install_child(struct ike_sa *sa)
{
	return install_child_keys(sa, sa->initiator, NULL, 0, sa->ni,
				  sa->ni_len, sa->nr, sa->nr_len);
}

/* The deferred outbound SA of a rekey we answered, now. */
static void child_out_now(struct ike_sa *sa)
{
	struct ike_child *c = &sa->child;

	if (!c->out_later || !sa->child_installed)
		return;
	if (sa->ctx->be->child_out(sa->ctx, sa, c))
		ike_log(sa, "new outbound SA %08x not installed", c->spi_out);
	explicit_bzero(c->key_out, sizeof(c->key_out));
	explicit_bzero(c->akey_out, sizeof(c->akey_out));
	c->out_later = false;
}

/* The Child SA in use steps aside for its replacement (1.3.3). */
static void child_retire(struct ike_sa *sa)
{
	if (sa->old_installed)
		sa->ctx->be->child_down(sa->ctx, sa, &sa->old);
	sa->old = sa->child;
	sa->old_installed = sa->child_installed;
	sa->child_installed = false;
}

static int send_enc_request(struct ike_sa *sa, uint8_t exchange,
			    const struct ikev2_out *in, int pending);

/*
 * Initiator: the responder did not prove itself.  It believes the IKE SA
 * is up, so tell it (2.21.2: AUTHENTICATION_FAILED in INFORMATIONAL),
 * once, and forget the SA.
 */
static void auth_failed(struct ike_sa *sa)
{
	static struct ikev2_out in;

	ikev2_out_chain(&in);
	sa->my_msgid = 2;
	if (!out_notify(&in, N_AUTHENTICATION_FAILED, NULL, 0))
		send_enc_request(sa, IKEV2_EXCH_INFORMATIONAL, &in, PEND_OTHER);
	sa->state = IKE_DEAD;
}

/* Initiator: the IKE_AUTH response, decrypted. */
static void on_auth_response(struct ike_sa *sa, const struct ikev2_msg *in)
{
	const struct config_peer *p = peer_cfg(sa);
	const struct ikev2_buf *idb = NULL;
	struct ikev2_tss tsi = { 0 }, tsr = { 0 };
	bool have_sa = false, have_tsr = false;
	struct ikev2_auth auth = { 0 };
	struct ikev2_sa offer;
	struct ikev2_id id;
	struct chosen c;
	unsigned int i, nesp;
	struct proposal esp[CONFIG_MAX_PROPOSALS];
	char why[300];

	for (i = 0; i < in->npld; i++) {
		const struct ikev2_pld *pl = &in->pld[i];
		struct ikev2_notify n;

		switch (pl->type) {
		case IKEV2_PLD_IDR:
			idb = &pl->body;
			break;
		case IKEV2_PLD_AUTH:
			ikev2_pld_auth(&pl->body, &auth);
			break;
		case IKEV2_PLD_SA:
			have_sa = !ikev2_pld_sa(&pl->body, &offer);
			break;
		case IKEV2_PLD_TSI:
			ikev2_pld_ts(&pl->body, &tsi);
			break;
		case IKEV2_PLD_TSR:
			have_tsr = !ikev2_pld_ts(&pl->body, &tsr);
			break;
		case IKEV2_PLD_NOTIFY:
			if (!ikev2_pld_notify(&pl->body, &n) && n.type < 16384) {
				ike_log(sa, "IKE_AUTH refused: notify %u%s", n.type,
					n.type == N_AUTHENTICATION_FAILED ?
					" (AUTHENTICATION_FAILED)" : "");
				sa->state = IKE_DEAD;
				return;
			}
			break;
		}
	}
	if (!idb || ikev2_pld_id(idb, &id) || !id_matches(p, idb)) {
		ike_log(sa, "IKE_AUTH: the responder's identity %s is not RemoteId",
			idb ? cred_id_text(idb->p, idb->len, why, sizeof(why)) :
			"(none)");
		auth_failed(sa);
		return;
	}
	if (verify_peer(sa, in, idb, &auth, why, sizeof(why))) {
		ike_log(sa, "IKE_AUTH: the responder: %s", why);
		auth_failed(sa);
		return;
	}
	sa->state = IKE_ESTABLISHED;
	sa->my_msgid = 2;
	free(sa->req);
	sa->req = NULL;
	sa->dpd_at = sa->ctx->now + p->dpd;
	ike_rekey_schedule(sa);
	ike_log(sa, "IKE SA established (initiator)");
	nesp = esp_proposals(p, esp, false);
	if (!have_sa || offer.nprop != 1 ||
	    choose(&offer, esp, nesp, IKEV2_PROTO_ESP, &c) ||
	    child_from_chosen(&c, &sa->child) || !have_tsr ||
	    narrow(&tsr, p->remote, p->n_remote, sa->child.remote,
		   &sa->child.n_remote)) {
		ike_log(sa, "no Child SA: the responder's answer does not fit");
		return;
	}
	sa->child.spi_in = sa->child_spi_in;
	sa->child.spi_out = c.spi;
	if (install_child(sa))
		ike_log(sa, "Child SA not installed");
	else
		ike_log(sa, "Child SA up: SPIs in %08x out %08x%s", sa->child.spi_in,
			sa->child.spi_out, sa->child.natt ? ", ESP in UDP" : "");
}

/* Responder: the IKE_AUTH request, decrypted. */
static void on_auth_request(struct ike_sa *sa, const struct ikev2_msg *in,
			    uint32_t msgid)
{
	struct ike_ctx *ctx = sa->ctx;
	const struct ikev2_buf *idb = NULL, *sab = NULL;
	struct ikev2_tss tsi = { 0 }, tsr = { 0 };
	bool have_tsi = false, have_tsr = false;
	struct ikev2_auth auth = { 0 };
	static struct ikev2_out o, out;
	struct config_peer *p = NULL;
	struct ikev2_sa offer;
	struct ikev2_id id;
	struct chosen c;
	unsigned int i, nesp;
	struct proposal esp[CONFIG_MAX_PROPOSALS], one;
	struct config_prefix local_n[CONFIG_MAX_SEL];
	unsigned int n_local_n = 0;
	uint8_t myid[CRED_ID_MAX], *b;
	char why[300], idtext[CONFIG_ID_MAX];
	const struct cred *cr;
	int myidlen, ret;
	struct ikev2_sk_keys k = keys_out(sa);

	for (i = 0; i < in->npld; i++) {
		const struct ikev2_pld *pl = &in->pld[i];

		switch (pl->type) {
		case IKEV2_PLD_IDI:
			idb = &pl->body;
			break;
		case IKEV2_PLD_AUTH:
			ikev2_pld_auth(&pl->body, &auth);
			break;
		case IKEV2_PLD_SA:
			sab = &pl->body;
			break;
		case IKEV2_PLD_TSI:
			have_tsi = !ikev2_pld_ts(&pl->body, &tsi);
			break;
		case IKEV2_PLD_TSR:
			have_tsr = !ikev2_pld_ts(&pl->body, &tsr);
			break;
		}
	}
	if (!idb || ikev2_pld_id(idb, &id)) {
		send_enc_notify(sa, IKEV2_EXCH_IKE_AUTH, msgid, N_INVALID_SYNTAX);
		sa_fail(sa, "IKE_AUTH without an identity");
		return;
	}
	/* The peer is the one whose RemoteId the initiator claims. */
	for (i = 0; i < ctx->cfg->npeers; i++) {
		if (id_matches(&ctx->cfg->peers[i], idb)) {
			p = &ctx->cfg->peers[i];
			sa->peer_idx = i;
			break;
		}
	}
	if (!p)
		snprintf(why, sizeof(why), "unknown initiator identity %s",
			 cred_id_text(idb->p, idb->len, idtext, sizeof(idtext)));
	if (!p || verify_peer(sa, in, idb, &auth, why, sizeof(why))) {
		send_enc_notify(sa, IKEV2_EXCH_IKE_AUTH, msgid,
				N_AUTHENTICATION_FAILED);
		ike_log(sa, "IKE_AUTH: the initiator: %s", why);
		sa->state = IKE_DEAD;
		return;
	}
	sa->state = IKE_ESTABLISHED;
	sa->dpd_at = ctx->now + p->dpd;
	ike_rekey_schedule(sa);
	ike_log(sa, "IKE SA established (responder)");

	/* Our identity, certificates and AUTH (2.15, 3.6). */
	ikev2_out_chain(&out);
	myidlen = our_id(sa, myid, sizeof(myid));
	if (myidlen < 0)
		return;
	b = ikev2_out_pld(&out, IKEV2_PLD_IDR, myidlen);
	if (!b)
		return;
	memcpy(b, myid, myidlen);
	cr = peer_cred(sa);
	if (cr && out_certs(&out, cr))
		return;
	ret = out_auth(&out, sa, myid, myidlen);
	if (ret) {
		/* Answer all the same, or the initiator retransmits. */
		send_enc_notify(sa, IKEV2_EXCH_IKE_AUTH, msgid,
				N_AUTHENTICATION_FAILED);
		ike_log(sa, "IKE_AUTH: cannot sign our AUTH (%s)", ret == -ENOTSUP ?
			"no scheme the peer accepts for our key" : strerror(-ret));
		sa->state = IKE_DEAD;
		return;
	}

	/* The Child SA: proposals, then selectors narrowed to ours (2.9). */
	nesp = esp_proposals(p, esp, false);
	if (!sab || ikev2_pld_sa(sab, &offer) ||
	    choose(&offer, esp, nesp, IKEV2_PROTO_ESP, &c) ||
	    child_from_chosen(&c, &sa->child)) {
		ike_log(sa, "no Child SA: no acceptable ESP proposal");
		out_notify(&out, N_NO_PROPOSAL_CHOSEN, NULL, 0);
	} else if (!have_tsi || !have_tsr ||
		   narrow(&tsi, p->remote, p->n_remote, sa->child.remote,
			  &sa->child.n_remote) ||
		   narrow(&tsr, p->local, p->n_local, local_n, &n_local_n)) {
		ike_log(sa, "no Child SA: traffic selectors unacceptable");
		out_notify(&out, N_TS_UNACCEPTABLE, NULL, 0);
	} else {
		sa->child.spi_out = c.spi;
		sa->child.spi_in = random_child_spi();
		chosen_to_proposal(&c, IKEV2_PROTO_ESP, &one);
		if (out_sa(&out, &one, 1, IKEV2_PROTO_ESP, sa->child.spi_in,
			   c.num) ||
		    out_ts(&out, IKEV2_PLD_TSI, sa->child.remote,
			   sa->child.n_remote) ||
		    out_ts(&out, IKEV2_PLD_TSR, local_n, n_local_n))
			return;
		if (install_child(sa))
			ike_log(sa, "Child SA not installed");
		else
			ike_log(sa, "Child SA up: SPIs in %08x out %08x%s",
				sa->child.spi_in, sa->child.spi_out,
				sa->child.natt ? ", ESP in UDP" : "");
	}
	ikev2_out_hdr(&o, sa->spi_i, sa->spi_r, IKEV2_EXCH_IKE_AUTH,
		      resp_flags(sa), msgid);
	if (ikev2_out_seal(&o, &out, &k))
		return;
	send_response(sa, &o);
}

/* --- INFORMATIONAL (1.4, 2.4) --------------------------------------------- */

static void child_down(struct ike_sa *sa)
{
	if (sa->old_installed) {
		sa->ctx->be->child_down(sa->ctx, sa, &sa->old);
		sa->old_installed = false;
	}
	if (sa->child_installed) {
		sa->ctx->be->child_down(sa->ctx, sa, &sa->child);
		sa->child_installed = false;
	}
}

static void on_informational_request(struct ike_sa *sa,
				     const struct ikev2_msg *in, uint32_t msgid)
{
	static struct ikev2_out o, out;
	struct ikev2_sk_keys k = keys_out(sa);
	bool delete_ike = false;
	unsigned int i;

	ikev2_out_chain(&out);
	for (i = 0; i < in->npld; i++) {
		struct ikev2_notify n;
		struct ikev2_delete d;
		uint8_t *b;

		/* 2.21.2: the initiator refuses our AUTH after all. */
		if (in->pld[i].type == IKEV2_PLD_NOTIFY &&
		    !ikev2_pld_notify(&in->pld[i].body, &n) &&
		    n.type == N_AUTHENTICATION_FAILED) {
			ike_log(sa, "peer refuses our authentication (AUTHENTICATION_FAILED)");
			delete_ike = true;
		}
		if (in->pld[i].type != IKEV2_PLD_DELETE ||
		    ikev2_pld_delete(&in->pld[i].body, &d))
			continue;
		if (d.proto == IKEV2_PROTO_IKE) {
			delete_ike = true;
		} else if (d.proto == IKEV2_PROTO_ESP) {
			unsigned int j;

			/* The peer names its inbound SPIs: our outbound ones. */
			for (j = 0; j < d.nspi; j++) {
				uint32_t spi = get32(d.spis.p + 4 * j);
				struct ike_child *c = NULL;
				bool *inst = NULL;

				if (sa->old_installed && spi == sa->old.spi_out) {
					c = &sa->old;
					inst = &sa->old_installed;
				} else if (sa->child_installed &&
					   spi == sa->child.spi_out) {
					c = &sa->child;
					inst = &sa->child_installed;
				}
				if (!c)
					continue;
				/* 1.4.1: answer with the SPIs of our side. */
				ike_log(sa, "peer deletes Child SA %08x/%08x",
					c->spi_in, c->spi_out);
				b = ikev2_out_pld(&out, IKEV2_PLD_DELETE, 8);
				if (b) {
					b[0] = IKEV2_PROTO_ESP;
					b[1] = 4;
					put16(b + 2, 1);
					put32(b + 4, c->spi_in);
				}
				if (c == &sa->old)
					child_out_now(sa);
				sa->ctx->be->child_down(sa->ctx, sa, c);
				*inst = false;
			}
		}
	}
	ikev2_out_hdr(&o, sa->spi_i, sa->spi_r, IKEV2_EXCH_INFORMATIONAL,
		      resp_flags(sa), msgid);
	if (!ikev2_out_seal(&o, &out, &k))
		send_response(sa, &o);
	if (delete_ike) {
		ike_log(sa, "peer deletes the IKE SA");
		child_down(sa);
		sa->state = IKE_DEAD;
	}
}

/* @pending marks the request: PEND_DELETE_IKE for our replaced IKE SA. */
static int send_informational_as(struct ike_sa *sa, bool delete_ike,
				 int pending)
{
	static struct ikev2_out o, in;
	struct ikev2_sk_keys k = keys_out(sa);
	uint8_t *b;

	ikev2_out_chain(&in);
	if (delete_ike) {
		b = ikev2_out_pld(&in, IKEV2_PLD_DELETE, 4);
		if (!b)
			return -EMSGSIZE;
		b[0] = IKEV2_PROTO_IKE;
		b[1] = 0;
		put16(b + 2, 0);
	}
	ikev2_out_hdr(&o, sa->spi_i, sa->spi_r, IKEV2_EXCH_INFORMATIONAL,
		      req_flags(sa), sa->my_msgid);
	if (ikev2_out_seal(&o, &in, &k))
		return -EIO;
	sa->pending = pending;
	return send_request(sa, &o);
}

static int send_informational(struct ike_sa *sa, bool delete_ike)
{
	return send_informational_as(sa, delete_ike, PEND_OTHER);
}

/* Delete an IKE SA and its Child SA, telling the peer (1.4.1). */
int ike_delete(struct ike_sa *sa)
{
	child_down(sa);
	if (sa->state == IKE_ESTABLISHED)
		send_informational(sa, true);
	sa->state = IKE_DEAD;
	return 0;
}

/* --- CREATE_CHILD_SA: rekeying the Child SA (1.3.3, 2.8) ---------------- */

/* An encrypted request holding @in, numbered with our next message ID. */
static int send_enc_request(struct ike_sa *sa, uint8_t exchange,
			    const struct ikev2_out *in, int pending)
{
	static struct ikev2_out o;
	struct ikev2_sk_keys k = keys_out(sa);

	ikev2_out_hdr(&o, sa->spi_i, sa->spi_r, exchange, req_flags(sa),
		      sa->my_msgid);
	if (ikev2_out_seal(&o, in, &k))
		return -EIO;
	sa->pending = pending;
	return send_request(sa, &o);
}

static int out_rekey_notify(struct ikev2_out *o, uint32_t spi)
{
	uint8_t *b = ikev2_out_pld(o, IKEV2_PLD_NOTIFY, 8);

	if (!b)
		return o->err;
	b[0] = IKEV2_PROTO_ESP;
	b[1] = 4;
	put16(b + 2, N_REKEY_SA);
	put32(b + 4, spi);
	return 0;
}

/* We rekey the Child SA: a new SPI and nonce, the same selectors. */
static int send_rekey(struct ike_sa *sa)
{
	const struct config_peer *p = peer_cfg(sa);
	struct proposal esp[CONFIG_MAX_PROPOSALS];
	static struct ikev2_out in;
	unsigned int nesp;

	nesp = esp_proposals(p, esp, true);
	sa->rk_spi_in = random_child_spi();
	sa->rk_ni_len = our_nonce_len(sa->ctx);
	if (!nesp || !sa->rk_spi_in || crypto_random(sa->rk_ni, sa->rk_ni_len))
		return -EIO;
	ikev2_out_chain(&in);
	if (out_rekey_notify(&in, sa->child.spi_in) ||
	    out_sa(&in, esp, nesp, IKEV2_PROTO_ESP, sa->rk_spi_in, 1))
		return -EMSGSIZE;
	if (out_nonce(&in, sa->rk_ni, sa->rk_ni_len))
		return -EMSGSIZE;
	/* PFS (1.3.1) when the first ESP proposal names a key exchange. */
	crypto_ke_free(sa->rk_ke);
	sa->rk_ke = NULL;
	if (esp[0].n_dh) {
		uint8_t kd[CRYPTO_MAX_KE];
		size_t kdlen = sizeof(kd);

		if (crypto_ke_new(esp[0].dh[0], &sa->rk_ke) ||
		    crypto_ke_public(sa->rk_ke, kd, &kdlen))
			return -EIO;
		if (out_ke(&in, esp[0].dh[0], kd, kdlen))
			return -EMSGSIZE;
	}
	/* As the exchange's initiator, our side is TSi (2.9). */
	if (out_ts(&in, IKEV2_PLD_TSI, p->local, p->n_local) ||
	    out_ts(&in, IKEV2_PLD_TSR, sa->child.remote, sa->child.n_remote))
		return -EMSGSIZE;
	ike_log(sa, "rekeying Child SA %08x/%08x", sa->child.spi_in,
		sa->child.spi_out);
	return send_enc_request(sa, IKEV2_EXCH_CREATE_CHILD_SA, &in, PEND_REKEY);
}

/* Delete the replaced Child SA: the peer answers with its side (1.4.1). */
static int send_delete_old(struct ike_sa *sa)
{
	static struct ikev2_out in;
	uint8_t *b;

	ikev2_out_chain(&in);
	b = ikev2_out_pld(&in, IKEV2_PLD_DELETE, 8);
	if (!b)
		return -EMSGSIZE;
	b[0] = IKEV2_PROTO_ESP;
	b[1] = 4;
	put16(b + 2, 1);
	put32(b + 4, sa->old.spi_in);
	return send_enc_request(sa, IKEV2_EXCH_INFORMATIONAL, &in,
				PEND_DELETE_OLD);
}

/* What an answer to our CREATE_CHILD_SA carries (1.3.2, 1.3.3, 2.18). */
struct cc_answer {
	bool have_sa, have_tsr;
	struct ikev2_sa offer;
	struct ikev2_tss tsr;
	const struct ikev2_buf *nonce, *ke;
	bool refused;		/* by an error notify (< 16384), of this type */
	uint16_t notify;
};

static void cc_answer_parse(const struct ikev2_msg *in, struct cc_answer *a)
{
	unsigned int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < in->npld && !a->refused; i++) {
		const struct ikev2_pld *pl = &in->pld[i];
		struct ikev2_notify n;

		if (pl->type == IKEV2_PLD_SA)
			a->have_sa = !ikev2_pld_sa(&pl->body, &a->offer);
		else if (pl->type == IKEV2_PLD_NONCE && !ikev2_pld_nonce(&pl->body))
			a->nonce = &pl->body;
		else if (pl->type == IKEV2_PLD_TSR)
			a->have_tsr = !ikev2_pld_ts(&pl->body, &a->tsr);
		else if (pl->type == IKEV2_PLD_KE)
			a->ke = &pl->body;
		else if (pl->type == IKEV2_PLD_NOTIFY &&
			 !ikev2_pld_notify(&pl->body, &n) && n.type < 16384) {
			a->refused = true;
			a->notify = n.type;
		}
	}
}

/* The answer to our rekey: install the new pair, then delete the old. */
static void on_rekey_response(struct ike_sa *sa, const struct ikev2_msg *in)
{
	const struct config_peer *p = peer_cfg(sa);
	struct proposal esp[CONFIG_MAX_PROPOSALS];
	uint8_t gir[CRYPTO_MAX_KE];
	size_t girlen = 0;
	struct ike_child next;
	struct cc_answer a;
	struct chosen c;
	unsigned int nesp;
	int ret;

	cc_answer_parse(in, &a);
	if (a.refused) {
		ike_log(sa, "Child SA rekey refused: notify %u", a.notify);
		sa->rekey_at = sa->ctx->now + 60;
		return;
	}
	nesp = esp_proposals(p, esp, true);
	memset(&next, 0, sizeof(next));
	if (!a.have_sa || !a.nonce || !a.have_tsr || a.offer.nprop != 1 ||
	    choose(&a.offer, esp, nesp, IKEV2_PROTO_ESP, &c) ||
	    child_from_chosen(&c, &next) ||
	    narrow(&a.tsr, p->remote, p->n_remote, next.remote, &next.n_remote)) {
		ike_log(sa, "Child SA rekey: the answer does not fit");
		sa->rekey_at = sa->ctx->now + 60;
		return;
	}
	if (sa->rk_ke) {
		struct ikev2_ke ker;

		girlen = sizeof(gir);
		if (!a.ke || ikev2_pld_ke(a.ke, &ker) ||
		    crypto_ke_shared(sa->rk_ke, ker.data.p, ker.data.len, gir,
				     &girlen)) {
			ike_log(sa, "Child SA rekey: no usable KE in the answer");
			sa->rekey_at = sa->ctx->now + 60;
			return;
		}
		crypto_ke_free(sa->rk_ke);
		sa->rk_ke = NULL;
	}
	next.spi_in = sa->rk_spi_in;
	next.spi_out = c.spi;
	child_retire(sa);
	sa->child = next;
	/* We sent Ni here whatever our role in the IKE SA. */
	ret = install_child_keys(sa, true, gir, girlen, sa->rk_ni,
				 sa->rk_ni_len, a.nonce->p, a.nonce->len);
	explicit_bzero(gir, sizeof(gir));
	if (ret) {
		ike_log(sa, "rekeyed Child SA not installed");
		return;
	}
	ike_log(sa, "Child SA rekeyed: SPIs in %08x out %08x", sa->child.spi_in,
		sa->child.spi_out);
	sa->my_msgid++;
	send_delete_old(sa);
}

/* --- CREATE_CHILD_SA: rekeying the IKE SA (2.18) ---------------------- */

/*
 * A new IKE SA to replace @sa, on its addresses, with @c's transforms; the
 * rekey's initiator is the new SA's initiator.
 */
static struct ike_sa *ike_sa_successor(struct ike_sa *sa,
				       const struct chosen *c, bool initiator)
{
	struct ike_sa *ns = sa_new(sa->ctx, sa->peer_idx, initiator);

	if (!ns)
		return NULL;
	ns->local = sa->local;
	ns->remote = sa->remote;
	ns->natt = sa->natt;
	ns->nat_local = sa->nat_local;
	ns->nat_remote = sa->nat_remote;
	ns->encr = c->encr;
	ns->encr_keylen = c->keylen;
	ns->integ = c->integ;
	ns->prf = c->prf;
	ns->dh = c->dh;
	return ns;
}

/*
 * SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) with the old PRF, then
 * the new SA's seven keys by prf+ of its PRF (2.18); ns->ni/nr are set.
 */
static int ike_rekey_keys(const struct ike_sa *sa, struct ike_sa *ns,
			  const uint8_t *gir, size_t girlen)
{
	uint8_t seed[CRYPTO_MAX_KE + 2 * IKEV2_NONCE_MAX];
	uint8_t skeyseed[CRYPTO_MAX_KEY];
	int ret;

	if (girlen > CRYPTO_MAX_KE)
		return -EINVAL;
	memcpy(seed, gir, girlen);
	memcpy(seed + girlen, ns->ni, ns->ni_len);
	memcpy(seed + girlen + ns->ni_len, ns->nr, ns->nr_len);
	ret = crypto_prf(sa->prf, sa->sk_d, sa->prf_len, seed,
			 girlen + ns->ni_len + ns->nr_len, skeyseed);
	if (!ret)
		ret = ike_keys_from_skeyseed(ns, skeyseed, sa->prf_len);
	explicit_bzero(seed, sizeof(seed));
	explicit_bzero(skeyseed, sizeof(skeyseed));
	return ret;
}

/* The Child SAs of @sa move to its successor @ns, which is now in use. */
static void ike_sa_take_over(struct ike_sa *sa, struct ike_sa *ns)
{
	const struct config_peer *p = peer_cfg(sa);

	ns->child = sa->child;
	ns->child_installed = sa->child_installed;
	ns->old = sa->old;
	ns->old_installed = sa->old_installed;
	ns->rekey_at = sa->rekey_at;
	sa->child_installed = false;
	sa->old_installed = false;
	ns->state = IKE_ESTABLISHED;
	ns->last_heard = sa->ctx->now;
	ns->dpd_at = sa->ctx->now + p->dpd;
	ike_rekey_schedule(ns);
}

/* The IKE SA's transforms in use, as one proposal. */
static void current_ike_proposal(const struct ike_sa *sa, struct proposal *one)
{
	struct chosen cur = { .encr = sa->encr, .keylen = sa->encr_keylen,
			      .integ = sa->integ, .prf = sa->prf, .dh = sa->dh };

	chosen_to_proposal(&cur, IKEV2_PROTO_IKE, one);
}

/*
 * We rekey the IKE SA: one proposal, the transforms in use (the peer took
 * them once, and the KE must match its group), our new SPI, Ni, KEi.
 */
static int send_ike_rekey(struct ike_sa *sa)
{
	static struct ikev2_out in;
	uint8_t kd[CRYPTO_MAX_KE];
	size_t kdlen = sizeof(kd);
	struct proposal one;

	sa->rk_spi_ike = random_spi();
	sa->rk_ni_len = our_nonce_len(sa->ctx);
	if (!sa->rk_spi_ike || crypto_random(sa->rk_ni, sa->rk_ni_len))
		return -EIO;
	crypto_ke_free(sa->rk_ke);
	sa->rk_ke = NULL;
	if (crypto_ke_new(sa->dh, &sa->rk_ke) ||
	    crypto_ke_public(sa->rk_ke, kd, &kdlen))
		return -EIO;
	ikev2_out_chain(&in);
	current_ike_proposal(sa, &one);
	if (out_sa(&in, &one, 1, IKEV2_PROTO_IKE, sa->rk_spi_ike, 1))
		return -EMSGSIZE;
	if (out_nonce(&in, sa->rk_ni, sa->rk_ni_len) ||
	    out_ke(&in, sa->dh, kd, kdlen))
		return -EMSGSIZE;
	ike_log(sa, "rekeying the IKE SA");
	return send_enc_request(sa, IKEV2_EXCH_CREATE_CHILD_SA, &in,
				PEND_IKE_REKEY);
}

/*
 * The answer to our IKE SA rekey: the new SA takes the Child SAs over,
 * then the old one is deleted through itself (2.18); it dies when that
 * delete is answered.
 */
static void on_ike_rekey_response(struct ike_sa *sa, const struct ikev2_msg *in)
{
	uint8_t gir[CRYPTO_MAX_KE];
	size_t girlen = sizeof(gir);
	struct cc_answer a;
	struct ike_sa *ns;
	struct ikev2_ke ker;
	struct proposal one;
	struct chosen c;

	sa->my_msgid++;
	cc_answer_parse(in, &a);
	if (a.refused) {
		ike_log(sa, "IKE SA rekey refused: notify %u", a.notify);
		goto retry;
	}
	current_ike_proposal(sa, &one);
	if (!a.have_sa || !a.nonce || !a.ke || a.offer.nprop != 1 ||
	    choose(&a.offer, &one, 1, IKEV2_PROTO_IKE, &c) || !c.spi64 ||
	    ikev2_pld_ke(a.ke, &ker) || ker.group != sa->dh ||
	    crypto_ke_shared(sa->rk_ke, ker.data.p, ker.data.len, gir,
			     &girlen)) {
		ike_log(sa, "IKE SA rekey: the answer does not fit");
		goto retry;
	}
	crypto_ke_free(sa->rk_ke);
	sa->rk_ke = NULL;
	ns = ike_sa_successor(sa, &c, true);
	if (!ns)
		goto retry;
	ns->spi_i = sa->rk_spi_ike;
	ns->spi_r = c.spi64;
	memcpy(ns->ni, sa->rk_ni, sa->rk_ni_len);
	ns->ni_len = sa->rk_ni_len;
	memcpy(ns->nr, a.nonce->p, a.nonce->len);
	ns->nr_len = a.nonce->len;
	if (ike_rekey_keys(sa, ns, gir, girlen)) {
		ns->state = IKE_DEAD;
		goto retry;
	}
	ike_sa_take_over(sa, ns);
	ike_log(ns, "IKE SA rekeyed (was %016llx)", (unsigned long long)sa->spi_i);
	sa->ike_rekey_at = 0;
	if (send_informational_as(sa, true, PEND_DELETE_IKE))
		sa->state = IKE_DEAD;
	goto out;
retry:
	sa->ike_rekey_at = sa->ctx->now + 60;
out:
	explicit_bzero(gir, sizeof(gir));
}

/*
 * The peer rekeys the IKE SA (2.18): a new IKE SA with the SPIs and keys
 * of this exchange takes over the Child SAs; the old one goes when the
 * peer deletes it.  SKEYSEED = prf_old(SK_d (old), g^ir (new) | Ni | Nr),
 * then prf+ of the new PRF, as strongSwan does.
 */
static void on_ike_rekey_request(struct ike_sa *sa, const struct ikev2_sa *offer,
				 const struct ikev2_buf *nb,
				 const struct ikev2_buf *keb, uint32_t msgid)
{
	const struct config_peer *p = peer_cfg(sa);
	uint8_t gir[CRYPTO_MAX_KE], kd[CRYPTO_MAX_KE];
	size_t girlen = sizeof(gir), kdlen = sizeof(kd);
	struct ikev2_sk_keys k = keys_out(sa);
	static struct ikev2_out out, o;
	struct ike_sa *ns;
	struct ikev2_ke kei;
	struct proposal one;
	struct chosen c;

	if (choose(offer, p->ike, p->n_ike, IKEV2_PROTO_IKE, &c) || !c.spi64 ||
	    !keb || ikev2_pld_ke(keb, &kei)) {
		send_enc_notify(sa, IKEV2_EXCH_CREATE_CHILD_SA, msgid,
				N_NO_PROPOSAL_CHOSEN);
		ike_log(sa, "IKE SA rekey refused: no acceptable proposal");
		return;
	}
	if (kei.group != c.dh) {
		uint8_t g[2];
		static struct ikev2_out in;

		put16(g, c.dh);
		ikev2_out_chain(&in);
		out_notify(&in, N_INVALID_KE_PAYLOAD, g, 2);
		ikev2_out_hdr(&o, sa->spi_i, sa->spi_r, IKEV2_EXCH_CREATE_CHILD_SA,
			      resp_flags(sa), msgid);
		if (!ikev2_out_seal(&o, &in, &k))
			send_response(sa, &o);
		return;
	}
	/* The rekey's initiator is the new IKE SA's initiator (2.18). */
	ns = ike_sa_successor(sa, &c, false);
	if (!ns)
		return;
	ns->spi_i = c.spi64;
	ns->spi_r = random_spi();
	memcpy(ns->ni, nb->p, nb->len);
	ns->ni_len = nb->len;
	ns->nr_len = our_nonce_len(sa->ctx);
	if (crypto_random(ns->nr, ns->nr_len) || crypto_ke_new(ns->dh, &ns->ke) ||
	    crypto_ke_public(ns->ke, kd, &kdlen) ||
	    crypto_ke_shared(ns->ke, kei.data.p, kei.data.len, gir, &girlen)) {
		ns->state = IKE_DEAD;
		send_enc_notify(sa, IKEV2_EXCH_CREATE_CHILD_SA, msgid,
				N_NO_PROPOSAL_CHOSEN);
		return;
	}
	if (ike_rekey_keys(sa, ns, gir, girlen))
		goto fail;

	ikev2_out_chain(&out);
	chosen_to_proposal(&c, IKEV2_PROTO_IKE, &one);
	if (out_sa(&out, &one, 1, IKEV2_PROTO_IKE, ns->spi_r, c.num))
		goto fail;
	if (out_nonce(&out, ns->nr, ns->nr_len) ||
	    out_ke(&out, ns->dh, kd, kdlen))
		goto fail;
	ikev2_out_hdr(&o, sa->spi_i, sa->spi_r, IKEV2_EXCH_CREATE_CHILD_SA,
		      resp_flags(sa), msgid);
	if (ikev2_out_seal(&o, &out, &k))
		goto fail;
	send_response(sa, &o);

	ike_sa_take_over(sa, ns);
	ike_log(ns, "IKE SA rekeyed by the peer (was %016llx)",
		(unsigned long long)sa->spi_i);
	goto out;
fail:
	ns->state = IKE_DEAD;
out:
	explicit_bzero(gir, sizeof(gir));
}

/* The peer rekeys the Child SA (1.3.3) or the IKE SA (2.18). */
static void on_create_child_request(struct ike_sa *sa,
				    const struct ikev2_msg *in, uint32_t msgid)
{
	const struct config_peer *p = peer_cfg(sa);
	const struct ikev2_buf *sab = NULL, *nb = NULL, *keb = NULL;
	struct ikev2_tss tsi = { 0 }, tsr = { 0 };
	struct proposal esp[CONFIG_MAX_PROPOSALS], one;
	static struct ikev2_out out, o;
	struct ikev2_sk_keys k = keys_out(sa);
	struct config_prefix local_n[CONFIG_MAX_SEL];
	uint8_t nr[IKEV2_NONCE_MAX], gir[CRYPTO_MAX_KE], kd[CRYPTO_MAX_KE];
	size_t nrlen = our_nonce_len(sa->ctx);
	size_t girlen = 0, kdlen = sizeof(kd);
	unsigned int i, nesp, n_local_n = 0;
	bool rekey = false, have_tsi = false, have_tsr = false;
	struct crypto_ke *ke = NULL;
	struct ikev2_sa offer;
	struct ike_child next;
	struct ikev2_ke kei;
	struct chosen c;
	uint16_t refuse = 0;

	for (i = 0; i < in->npld; i++) {
		const struct ikev2_pld *pl = &in->pld[i];
		struct ikev2_notify n;

		switch (pl->type) {
		case IKEV2_PLD_SA:
			sab = &pl->body;
			break;
		case IKEV2_PLD_NONCE:
			nb = &pl->body;
			break;
		case IKEV2_PLD_KE:
			keb = &pl->body;
			break;
		case IKEV2_PLD_TSI:
			have_tsi = !ikev2_pld_ts(&pl->body, &tsi);
			break;
		case IKEV2_PLD_TSR:
			have_tsr = !ikev2_pld_ts(&pl->body, &tsr);
			break;
		case IKEV2_PLD_NOTIFY:
			if (!ikev2_pld_notify(&pl->body, &n) &&
			    n.type == N_REKEY_SA)
				rekey = true;
			break;
		}
	}
	memset(&next, 0, sizeof(next));
	nesp = esp_proposals(p, esp, true);
	if (!sab || ikev2_pld_sa(sab, &offer) || !nb || ikev2_pld_nonce(nb)) {
		refuse = N_INVALID_SYNTAX;
	} else if (offer.nprop && offer.prop[0].proto == IKEV2_PROTO_IKE) {
		on_ike_rekey_request(sa, &offer, nb, keb, msgid);
		return;
	} else if (!rekey || !sa->child_installed) {
		refuse = N_NO_ADDITIONAL_SAS;
	} else if (choose(&offer, esp, nesp, IKEV2_PROTO_ESP, &c) ||
		   child_from_chosen(&c, &next)) {
		refuse = N_NO_PROPOSAL_CHOSEN;
	} else if (!have_tsi || !have_tsr ||
		   narrow(&tsi, p->remote, p->n_remote, next.remote,
			  &next.n_remote) ||
		   narrow(&tsr, p->local, p->n_local, local_n, &n_local_n)) {
		refuse = N_TS_UNACCEPTABLE;
	} else if (keb && (ikev2_pld_ke(keb, &kei) ||
			   crypto_ke_new(kei.group, &ke) ||
			   crypto_ke_public(ke, kd, &kdlen) ||
			   (girlen = sizeof(gir),
			    crypto_ke_shared(ke, kei.data.p, kei.data.len, gir,
					     &girlen)))) {
		/* PFS (1.3.1): a group we cannot do is refused. */
		refuse = N_NO_PROPOSAL_CHOSEN;
	}
	if (refuse) {
		crypto_ke_free(ke);
		ike_log(sa, "CREATE_CHILD_SA refused (notify %u)", refuse);
		send_enc_notify(sa, IKEV2_EXCH_CREATE_CHILD_SA, msgid, refuse);
		return;
	}
	next.spi_out = c.spi;
	next.spi_in = random_child_spi();
	crypto_random(nr, nrlen);
	ikev2_out_chain(&out);
	chosen_to_proposal(&c, IKEV2_PROTO_ESP, &one);
	if (ke) {
		/* The answer names the key exchange it used (3.3.6). */
		one.dh[0] = kei.group;
		one.n_dh = 1;
	}
	if (out_sa(&out, &one, 1, IKEV2_PROTO_ESP, next.spi_in, c.num))
		goto out;
	if (out_nonce(&out, nr, nrlen) ||
	    (ke && out_ke(&out, kei.group, kd, kdlen)))
		goto out;
	/* The exchange's initiator (the peer) is TSi (2.9). */
	if (out_ts(&out, IKEV2_PLD_TSI, next.remote, next.n_remote) ||
	    out_ts(&out, IKEV2_PLD_TSR, local_n, n_local_n))
		goto out;
	/*
	 * Make before break: the new inbound SA is up before we answer;
	 * the new outbound one waits until the peer can receive on it,
	 * which its delete of the old pair tells (or 10 s).
	 */
	next.out_later = true;
	next.out_at = sa->ctx->now + 10;
	child_retire(sa);
	sa->child = next;
	if (install_child_keys(sa, false, gir, girlen, nb->p, nb->len, nr,
			       nrlen)) {
		ike_log(sa, "rekeyed Child SA not installed");
		goto out;
	}
	ike_log(sa, "Child SA rekeyed by the peer: SPIs in %08x out %08x%s",
		sa->child.spi_in, sa->child.spi_out, ke ? ", with PFS" : "");
	ikev2_out_hdr(&o, sa->spi_i, sa->spi_r, IKEV2_EXCH_CREATE_CHILD_SA,
		      resp_flags(sa), msgid);
	if (!ikev2_out_seal(&o, &out, &k))
		send_response(sa, &o);
out:
	explicit_bzero(gir, sizeof(gir));
	crypto_ke_free(ke);
}

/* --- input ----------------------------------------------------------------- */

static struct ike_sa *find_sa(struct ike_ctx *ctx, uint64_t spi_i,
			      uint64_t spi_r, bool response_to_init)
{
	struct ike_sa *sa;

	for (sa = ctx->sas; sa; sa = sa->next) {
		if (sa->spi_i != spi_i || sa->state == IKE_DEAD)
			continue;
		/* IKE_SA_INIT responses carry an SPIr we do not know yet. */
		if (response_to_init || sa->spi_r == spi_r)
			return sa;
	}
	return NULL;
}

void ike_input(struct ike_ctx *ctx, uint8_t *buf, size_t len,
	       const struct ike_addr *local, const struct ike_addr *remote,
	       bool natt)
{
	static struct ikev2_msg m, in;
	bool response;
	struct ike_sa *sa;
	int ret;

	ret = ikev2_msg_parse(buf, len, &m);
	if (ret) {
		if (ctx->verbose)
			fprintf(stderr, "ikehelper: dropped a malformed IKE message (%d bytes): %s\n",
				(int)len, strerror(-ret));
		return;
	}
	response = m.flags & IKEV2_FLAG_RESPONSE;

	if (m.exchange == IKEV2_EXCH_IKE_SA_INIT) {
		if (!response && !m.spi_r && m.msgid == 0) {
			/* A retransmitted request gets the same answer (2.1). */
			sa = find_sa(ctx, m.spi_i, 0, true);
			if (sa && !sa->initiator && sa->resp) {
				send_raw(sa, sa->resp, sa->resp_len);
				return;
			}
			on_init_request(ctx, buf, &m, local, remote);
			return;
		}
		sa = find_sa(ctx, m.spi_i, m.spi_r, true);
		if (sa && sa->initiator && sa->state == IKE_INIT_SENT &&
		    response && m.msgid == 0) {
			sa->last_heard = ctx->now;
			on_init_response(sa, buf, &m);
		}
		return;
	}

	sa = find_sa(ctx, m.spi_i, m.spi_r, false);
	if (!sa)
		return;
	{
		struct ikev2_sk_keys k = keys_in(sa);

		if (ikev2_msg_open(buf, len, &m, &k, &in)) {
			if (ctx->verbose)
				ike_log(sa, "dropped a message that does not decrypt");
			return;
		}
	}
	sa->last_heard = ctx->now;
	/* Follow the peer to 4500 (and to a new NAT mapping, 2.23). */
	if (natt && !sa->natt) {
		sa->natt = true;
		sa->local.port = 4500;
	}
	if (natt)
		sa->remote = *remote;

	if (response) {
		int pending = sa->pending;

		if (m.msgid != sa->my_msgid || !sa->req)
			return;
		free(sa->req);
		sa->req = NULL;
		sa->pending = PEND_NONE;
		if (m.exchange == IKEV2_EXCH_IKE_AUTH && sa->state == IKE_AUTH_SENT) {
			on_auth_response(sa, &in);
			return;
		}
		if (pending == PEND_REKEY &&
		    m.exchange == IKEV2_EXCH_CREATE_CHILD_SA) {
			on_rekey_response(sa, &in);
			return;
		}
		if (pending == PEND_IKE_REKEY &&
		    m.exchange == IKEV2_EXCH_CREATE_CHILD_SA) {
			on_ike_rekey_response(sa, &in);
			return;
		}
		sa->my_msgid++;
		if (pending == PEND_DELETE_IKE) {
			/* The replaced IKE SA: its children live on. */
			sa->state = IKE_DEAD;
			ike_log(sa, "old IKE SA deleted");
			return;
		}
		if (pending == PEND_DELETE_OLD && sa->old_installed) {
			sa->ctx->be->child_down(sa->ctx, sa, &sa->old);
			sa->old_installed = false;
			ike_log(sa, "old Child SA deleted");
		}
		return;
	}
	/* A request: the next one, or a retransmission of the last (2.1). */
	if (m.msgid + 1 == sa->peer_msgid && sa->resp) {
		send_raw(sa, sa->resp, sa->resp_len);
		return;
	}
	if (m.msgid != sa->peer_msgid)
		return;
	sa->peer_msgid++;
	if (m.exchange == IKEV2_EXCH_IKE_AUTH && sa->state == IKE_INIT_DONE)
		on_auth_request(sa, &in, m.msgid);
	else if (m.exchange == IKEV2_EXCH_INFORMATIONAL &&
		 sa->state == IKE_ESTABLISHED)
		on_informational_request(sa, &in, m.msgid);
	else if (m.exchange == IKEV2_EXCH_CREATE_CHILD_SA &&
		 sa->state == IKE_ESTABLISHED)
		on_create_child_request(sa, &in, m.msgid);
}

/* Retransmissions (2.1: exponential back-off), liveness checks, cleanup. */
void ike_tick(struct ike_ctx *ctx)
{
	struct ike_sa *sa, *next;

	for (sa = ctx->sas; sa; sa = next) {
		const struct config_peer *p;

		next = sa->next;
		if (sa->state == IKE_DEAD) {
			child_down(sa);
			sa_unlink(sa);
			sa_free(sa);
			continue;
		}
		p = peer_cfg(sa);
		if (sa->req && ctx->now >= sa->retransmit_at) {
			if (++sa->tries > ctx->cfg->retransmits) {
				ike_log(sa, "no answer after %u retransmissions: peer dead",
					ctx->cfg->retransmits);
				child_down(sa);
				sa->state = IKE_DEAD;
				continue;
			}
			sa->retransmit_at = ctx->now + (1 << sa->tries);
			send_raw(sa, sa->req, sa->req_len);
		}
		/* A responder's half-open SA does not live forever. */
		if (sa->state == IKE_INIT_DONE && ctx->now - sa->last_heard > 30) {
			sa->state = IKE_DEAD;
			continue;
		}
		if (sa->child.out_later && ctx->now >= sa->child.out_at)
			child_out_now(sa);
		if (sa->state == IKE_ESTABLISHED && !sa->req &&
		    sa->ike_rekey_at && ctx->now >= sa->ike_rekey_at) {
			sa->ike_rekey_at = ctx->now + 60;	/* if it fails */
			if (send_ike_rekey(sa))
				ike_log(sa, "cannot build the IKE SA rekey request");
			continue;
		}
		if (sa->state == IKE_ESTABLISHED && !sa->req &&
		    sa->child_installed && sa->rekey_at &&
		    ctx->now >= sa->rekey_at) {
			sa->rekey_at = ctx->now + 60;	/* if this one fails */
			if (send_rekey(sa))
				ike_log(sa, "cannot build the rekey request");
			continue;
		}
		if (sa->state == IKE_ESTABLISHED && p->dpd && !sa->req &&
		    ctx->now >= sa->dpd_at) {
			sa->dpd_at = ctx->now + p->dpd;
			if (ctx->now - sa->last_heard >= p->dpd)
				send_informational(sa, false);
		}
	}
}

void ike_free_all(struct ike_ctx *ctx)
{
	struct ike_sa *sa, *next;

	for (sa = ctx->sas; sa; sa = next) {
		next = sa->next;
		child_down(sa);
		sa_free(sa);
	}
	ctx->sas = NULL;
}
