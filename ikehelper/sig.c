// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Signatures in IKE_AUTH on OpenSSL 3 EVP (see sig.h): RFC 7296 3.8
 * method 1, RFC 4754 methods 9/10/11, RFC 7427 method 14 and RFC 8420
 * Ed25519.
 *
 * Method 14 names its scheme by an AlgorithmIdentifier.  Like OpenBSD
 * iked (crypto.c schemes[]) and Libreswan (exact prefix match) we do not
 * parse it: it is compared with a table of the 13 encodings peers send.
 * Signatures are not secret; nothing here wipes them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "sig.h"

enum sig_kind {
	SIG_RSA,		/* RSASSA-PKCS1-v1_5 */
	SIG_PSS,		/* RSASSA-PSS, salt = hash length, MGF1 */
	SIG_ECDSA,
	SIG_ED25519,
};

struct sig_scheme {
	enum sig_kind kind;
	uint8_t hash;		/* SIG_HASH_* */
	uint8_t len;
	const uint8_t *der;	/* the AlgorithmIdentifier, method 14 only */
};

/* sha{256,384,512}WithRSAEncryption, NULL parameters (RFC 7427 A.1). */
#define ALG_RSA(x) \
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, \
	0x01, (x), 0x05, 0x00
/* ecdsa-with-SHA{256,384,512}, no parameters (RFC 7427 A.3, RFC 5758). */
#define ALG_ECDSA(x) \
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, (x)
/*
 * id-RSASSA-PSS with RSASSA-PSS-params (RFC 4055 3.1): hash @h (id-sha2
 * arc 2.16.840.1.101.3.4.2.h, NULL parameters), MGF1 with the same hash,
 * saltLength @salt.  The erratum form of RFC 7427 A.4.3 omits
 * trailerField, as DER wants for a default value: 67 bytes.
 */
#define OID_PSS \
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a
#define PSS_HASH(h) \
	0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, \
	0x02, (h), 0x05, 0x00
#define PSS_PARAMS(h, salt) \
	0xa0, 0x0f, PSS_HASH(h), \
	0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, \
	0x0d, 0x01, 0x01, 0x08, PSS_HASH(h), \
	0xa2, 0x03, 0x02, 0x01, (salt)
#define ALG_PSS(h, salt) \
	0x30, 0x41, OID_PSS, 0x30, 0x34, PSS_PARAMS(h, salt)
/*
 * RFC 7427 A.4.3 as printed spells out trailerField 1 (72 bytes: both
 * SEQUENCEs grow by the 5 bytes of [3] INTEGER 1).  strongSwan sends it
 * with charon.rsa_pss_trailerfield = yes; accepted, never sent.
 */
#define ALG_PSS_T(h, salt) \
	0x30, 0x46, OID_PSS, 0x30, 0x39, PSS_PARAMS(h, salt), \
	0xa3, 0x03, 0x02, 0x01, 0x01

static const uint8_t alg_rsa256[] = { ALG_RSA(0x0b) };
static const uint8_t alg_rsa384[] = { ALG_RSA(0x0c) };
static const uint8_t alg_rsa512[] = { ALG_RSA(0x0d) };
static const uint8_t alg_ecdsa256[] = { ALG_ECDSA(0x02) };
static const uint8_t alg_ecdsa384[] = { ALG_ECDSA(0x03) };
static const uint8_t alg_ecdsa512[] = { ALG_ECDSA(0x04) };
/* id-Ed25519 (RFC 8410 3), absent parameters; RFC 8420 2. */
static const uint8_t alg_ed25519[] = { 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65,
				       0x70 };
static const uint8_t alg_pss256[] = { ALG_PSS(0x01, 0x20) };
static const uint8_t alg_pss384[] = { ALG_PSS(0x02, 0x30) };
static const uint8_t alg_pss512[] = { ALG_PSS(0x03, 0x40) };
static const uint8_t alg_pss256_t[] = { ALG_PSS_T(0x01, 0x20) };
static const uint8_t alg_pss384_t[] = { ALG_PSS_T(0x02, 0x30) };
static const uint8_t alg_pss512_t[] = { ALG_PSS_T(0x03, 0x40) };

_Static_assert(sizeof(alg_pss256) == 67, "PSS erratum form is 67 bytes");
_Static_assert(sizeof(alg_pss256_t) == 72, "PSS trailer form is 72 bytes");

#define SCHEME(k, h, a)	{ (k), (h), sizeof(a), (a) }

/*
 * The 13 encodings of method 14.  What we send is the first entry of its
 * kind and hash: the PSS forms without trailerField come first.  SHA-1
 * (sha1WithRSAEncryption, ecdsa-with-SHA1) is deliberately absent: we
 * never announce it, and RFC 7427 4 has the signer use a hash from the
 * verifier's list.
 */
static const struct sig_scheme schemes[] = {
	SCHEME(SIG_RSA, SIG_HASH_SHA256, alg_rsa256),
	SCHEME(SIG_RSA, SIG_HASH_SHA384, alg_rsa384),
	SCHEME(SIG_RSA, SIG_HASH_SHA512, alg_rsa512),
	SCHEME(SIG_PSS, SIG_HASH_SHA256, alg_pss256),
	SCHEME(SIG_PSS, SIG_HASH_SHA384, alg_pss384),
	SCHEME(SIG_PSS, SIG_HASH_SHA512, alg_pss512),
	SCHEME(SIG_PSS, SIG_HASH_SHA256, alg_pss256_t),
	SCHEME(SIG_PSS, SIG_HASH_SHA384, alg_pss384_t),
	SCHEME(SIG_PSS, SIG_HASH_SHA512, alg_pss512_t),
	SCHEME(SIG_ECDSA, SIG_HASH_SHA256, alg_ecdsa256),
	SCHEME(SIG_ECDSA, SIG_HASH_SHA384, alg_ecdsa384),
	SCHEME(SIG_ECDSA, SIG_HASH_SHA512, alg_ecdsa512),
	SCHEME(SIG_ED25519, SIG_HASH_IDENTITY, alg_ed25519),
};

#define N_SCHEMES	(sizeof(schemes) / sizeof(schemes[0]))

/* Methods 1 and 9/10/11 fix their scheme; no AlgorithmIdentifier. */
static const struct sig_scheme classic_rsa = {
	SIG_RSA, SIG_HASH_SHA1, 0, NULL
};
static const struct sig_scheme classic_ecdsa[] = {
	{ SIG_ECDSA, SIG_HASH_SHA256, 0, NULL },
	{ SIG_ECDSA, SIG_HASH_SHA384, 0, NULL },
	{ SIG_ECDSA, SIG_HASH_SHA512, 0, NULL },
};

/* The curves we sign and verify with, in method 9/10/11 order. */
static const struct {
	const char *sn, *nist;
	uint8_t method;
	uint8_t hash;
	uint8_t half;		/* bytes of r and of s (RFC 4754 7) */
} curves[] = {
	{ "prime256v1", "P-256", SIG_AUTH_ECDSA_256, SIG_HASH_SHA256, 32 },
	{ "secp384r1", "P-384", SIG_AUTH_ECDSA_384, SIG_HASH_SHA384, 48 },
	{ "secp521r1", "P-521", SIG_AUTH_ECDSA_521, SIG_HASH_SHA512, 66 },
};

#define N_CURVES	(sizeof(curves) / sizeof(curves[0]))

/* Largest DER Ecdsa-Sig-Value: P-521, 2 x (2 + 67) + 3. */
#define ECDSA_DER_MAX	141

enum key_type {
	KEY_NONE,
	KEY_RSA,
	KEY_EC,
	KEY_ED25519,
};

/* The key's type; for EC also the index in curves[] (else KEY_NONE). */
static enum key_type key_type(EVP_PKEY *key, unsigned int *curve)
{
	char name[64];
	unsigned int i;

	if (EVP_PKEY_is_a(key, "RSA"))
		return KEY_RSA;
	if (EVP_PKEY_is_a(key, "ED25519"))
		return KEY_ED25519;
	if (!EVP_PKEY_is_a(key, "EC") ||
	    !EVP_PKEY_get_group_name(key, name, sizeof(name), NULL))
		return KEY_NONE;
	for (i = 0; i < N_CURVES; i++) {
		if (!strcmp(name, curves[i].sn) ||
		    !strcmp(name, curves[i].nist)) {
			*curve = i;
			return KEY_EC;
		}
	}
	return KEY_NONE;
}

static const char *hash_md(uint8_t hash)
{
	switch (hash) {
	case SIG_HASH_SHA1:
		return "SHA1";
	case SIG_HASH_SHA256:
		return "SHA256";
	case SIG_HASH_SHA384:
		return "SHA384";
	case SIG_HASH_SHA512:
		return "SHA512";
	}
	return NULL;	/* Identity: the scheme hashes itself (RFC 8420) */
}

static const char *hash_label(uint8_t hash)
{
	switch (hash) {
	case SIG_HASH_SHA1:
		return "SHA-1";
	case SIG_HASH_SHA256:
		return "SHA-256";
	case SIG_HASH_SHA384:
		return "SHA-384";
	case SIG_HASH_SHA512:
		return "SHA-512";
	}
	return "Identity";
}

static bool kind_fits(enum sig_kind kind, enum key_type type)
{
	switch (kind) {
	case SIG_RSA:
	case SIG_PSS:
		return type == KEY_RSA;
	case SIG_ECDSA:
		return type == KEY_EC;
	case SIG_ED25519:
		return type == KEY_ED25519;
	}
	return false;
}

static const struct sig_scheme *scheme_find(enum sig_kind kind, uint8_t hash)
{
	unsigned int i;

	for (i = 0; i < N_SCHEMES; i++)
		if (schemes[i].kind == kind && schemes[i].hash == hash)
			return &schemes[i];
	return NULL;
}

/*
 * Split method-14 AUTH data (RFC 7427 3): a length byte, that many bytes
 * of AlgorithmIdentifier, the signature.  Neither part may be empty.
 */
static int digital_split(const uint8_t *data, size_t len, size_t *alglen)
{
	if (len < 1 || !data[0] || (size_t)data[0] + 1 >= len)
		return -EBADMSG;
	*alglen = data[0];
	return 0;
}

static const struct sig_scheme *scheme_lookup(const uint8_t *alg,
					      size_t alglen)
{
	unsigned int i;

	for (i = 0; i < N_SCHEMES; i++)
		if (schemes[i].len == alglen &&
		    !memcmp(schemes[i].der, alg, alglen))
			return &schemes[i];
	return NULL;
}

/* The PSS parameters of our blobs: salt = hash length, MGF1 same hash. */
static int pss_setup(EVP_PKEY_CTX *pctx, const char *md)
{
	if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
					     RSA_PSS_SALTLEN_DIGEST) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, NULL) <= 0)
		return -EIO;
	return 0;
}

/*
 * Sign with @s into sig[0..*siglen); ECDSA gives DER.  The one-shot
 * EVP_DigestSign() is the only form Ed25519 supports (mdname NULL).
 */
static int do_sign(EVP_PKEY *key, const struct sig_scheme *s,
		   const uint8_t *msg, size_t len, uint8_t *sig,
		   size_t *siglen)
{
	const char *md = hash_md(s->hash);
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *mctx;
	int ret = -EIO;

	mctx = EVP_MD_CTX_new();
	if (!mctx)
		return -ENOMEM;
	if (EVP_DigestSignInit_ex(mctx, &pctx, md, NULL, NULL, key,
				  NULL) <= 0)
		goto out;
	if (s->kind == SIG_PSS && pss_setup(pctx, md))
		goto out;
	if (EVP_DigestSign(mctx, sig, siglen, msg, len) <= 0)
		goto out;
	ret = 0;
out:
	EVP_MD_CTX_free(mctx);
	if (ret)
		ERR_clear_error();
	return ret;
}

/* 0 if @sig is good, -EACCES if not; ECDSA wants DER. */
static int do_verify(EVP_PKEY *key, const struct sig_scheme *s,
		     const uint8_t *msg, size_t len, const uint8_t *sig,
		     size_t siglen)
{
	const char *md = hash_md(s->hash);
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *mctx;
	int ret = -EIO;

	mctx = EVP_MD_CTX_new();
	if (!mctx)
		return -ENOMEM;
	if (EVP_DigestVerifyInit_ex(mctx, &pctx, md, NULL, NULL, key,
				    NULL) <= 0)
		goto out;
	if (s->kind == SIG_PSS && pss_setup(pctx, md))
		goto out;
	/* 0 is a bad signature, < 0 one OpenSSL could not even decode. */
	ret = EVP_DigestVerify(mctx, sig, siglen, msg, len) == 1 ? 0 : -EACCES;
out:
	EVP_MD_CTX_free(mctx);
	/* A failure leaves errors queued; they are not the caller's. */
	if (ret)
		ERR_clear_error();
	return ret;
}

/* DER Ecdsa-Sig-Value -> r | s, each BN_bn2binpad()ed to @half (RFC 4754 7). */
static int ecdsa_der_to_raw(const uint8_t *der, size_t len, uint8_t *raw,
			    int half)
{
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *es;
	int ret = -EIO;

	es = d2i_ECDSA_SIG(NULL, &p, (long)len);
	if (!es)
		goto out;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, raw, half) == half &&
	    BN_bn2binpad(s, raw + half, half) == half)
		ret = 0;
out:
	ECDSA_SIG_free(es);
	if (ret)
		ERR_clear_error();
	return ret;
}

/* r | s (@half bytes each) -> DER in der[0..*len), *len its size on entry. */
static int ecdsa_raw_to_der(const uint8_t *raw, int half, uint8_t *der,
			    size_t *len)
{
	BIGNUM *r = NULL, *s = NULL;
	ECDSA_SIG *es = NULL;
	unsigned char *p;
	int ret = -EIO;
	int n;

	r = BN_bin2bn(raw, half, NULL);
	s = BN_bin2bn(raw + half, half, NULL);
	es = ECDSA_SIG_new();
	if (!r || !s || !es)
		goto out;
	if (!ECDSA_SIG_set0(es, r, s))
		goto out;
	r = s = NULL;		/* es owns them now */
	n = i2d_ECDSA_SIG(es, NULL);
	if (n <= 0 || (size_t)n > *len)
		goto out;
	p = der;
	if (i2d_ECDSA_SIG(es, &p) != n)
		goto out;
	*len = (size_t)n;
	ret = 0;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	if (ret)
		ERR_clear_error();
	return ret;
}

size_t sig_hashes_ours(uint8_t *out)
{
	static const uint8_t ours[] = {
		0, SIG_HASH_SHA256, 0, SIG_HASH_SHA384,
		0, SIG_HASH_SHA512, 0, SIG_HASH_IDENTITY,
	};

	memcpy(out, ours, sizeof(ours));
	return sizeof(ours);
}

unsigned int sig_hashes_parse(const uint8_t *p, size_t len)
{
	unsigned int mask = 0;
	size_t i;

	if (len % 2)
		return 0;
	for (i = 0; i < len; i += 2) {
		unsigned int id = (unsigned int)p[i] << 8 | p[i + 1];

		if (id >= SIG_HASH_SHA1 && id <= SIG_HASH_IDENTITY)
			mask |= SIG_HASH_BIT(id);
	}
	return mask;
}

/* Method 14's scheme for our key and the peer's hashes (RFC 7427 4). */
static const struct sig_scheme *digital_pick(enum key_type type,
					     unsigned int curve,
					     unsigned int peer, bool pss)
{
	static const uint8_t strongest[] = {
		SIG_HASH_SHA512, SIG_HASH_SHA384, SIG_HASH_SHA256,
	};
	static const uint8_t rsa_order[] = {
		SIG_HASH_SHA256, SIG_HASH_SHA384, SIG_HASH_SHA512,
	};
	unsigned int i;

	switch (type) {
	case KEY_ED25519:
		if (peer & SIG_HASH_BIT(SIG_HASH_IDENTITY))
			return scheme_find(SIG_ED25519, SIG_HASH_IDENTITY);
		return NULL;
	case KEY_EC:
		/* The curve's own hash (the RFC 4754 pairing), else
		 * the strongest SHA-2 the peer takes. */
		if (peer & SIG_HASH_BIT(curves[curve].hash))
			return scheme_find(SIG_ECDSA, curves[curve].hash);
		for (i = 0; i < sizeof(strongest); i++)
			if (peer & SIG_HASH_BIT(strongest[i]))
				return scheme_find(SIG_ECDSA, strongest[i]);
		return NULL;
	case KEY_RSA:
		/* SHA-256 first: what every peer verifies, the cheapest. */
		for (i = 0; i < sizeof(rsa_order); i++)
			if (peer & SIG_HASH_BIT(rsa_order[i]))
				return scheme_find(pss ? SIG_PSS : SIG_RSA,
						   rsa_order[i]);
		return NULL;
	case KEY_NONE:
		break;
	}
	return NULL;
}

/*
 * @peer_hashes 0 means the peer sent no SIGNATURE_HASH_ALGORITHMS, so the
 * RFC 7296/4754 methods: RSA with SHA-1 (method 1 has no other hash), and
 * ECDSA raw r | s.  @pss does not apply to method 1 (PKCS#1 v1.5 only).
 */
int sig_sign(EVP_PKEY *key, unsigned int peer_hashes, bool pss,
	     const uint8_t *octets, size_t len, uint8_t *method,
	     uint8_t *out, size_t *outlen)
{
	const struct sig_scheme *s;
	unsigned int curve = 0;
	enum key_type type;
	size_t max, n;
	int ksize, ret;

	type = key_type(key, &curve);
	ksize = EVP_PKEY_get_size(key);
	if (type == KEY_NONE || ksize <= 0)
		return -ENOTSUP;
	max = (size_t)ksize;

	if (peer_hashes) {
		s = digital_pick(type, curve, peer_hashes, pss);
		if (!s)
			return -ENOTSUP;
		/* The largest signature must fit: ECDSA's DER varies. */
		if (*outlen < 1 + (size_t)s->len + max)
			return -ENOSPC;
		n = *outlen - 1 - s->len;
		ret = do_sign(key, s, octets, len, out + 1 + s->len, &n);
		if (ret)
			return ret;
		out[0] = s->len;
		memcpy(out + 1, s->der, s->len);
		*method = SIG_AUTH_DIGITAL;
		*outlen = 1 + (size_t)s->len + n;
		return 0;
	}

	switch (type) {
	case KEY_RSA:
		if (*outlen < max)
			return -ENOSPC;
		n = *outlen;
		ret = do_sign(key, &classic_rsa, octets, len, out, &n);
		if (ret)
			return ret;
		*method = SIG_AUTH_RSA;
		*outlen = n;
		return 0;
	case KEY_EC: {
		uint8_t der[ECDSA_DER_MAX];
		int half = curves[curve].half;

		if (*outlen < 2 * (size_t)half)
			return -ENOSPC;
		if (max > sizeof(der))
			return -EIO;
		n = sizeof(der);
		ret = do_sign(key, &classic_ecdsa[curve], octets, len, der, &n);
		if (!ret)
			ret = ecdsa_der_to_raw(der, n, out, half);
		if (ret)
			return ret;
		*method = curves[curve].method;
		*outlen = 2 * (size_t)half;
		return 0;
	}
	case KEY_ED25519:
		/* RFC 8420 2: Ed25519 exists only in method 14. */
	case KEY_NONE:
		break;
	}
	return -ENOTSUP;
}

/* Methods 9/10/11: raw r | s on exactly the method's curve (RFC 4754 7). */
static int verify_ecdsa_raw(EVP_PKEY *key, uint8_t method,
			    const uint8_t *data, size_t len,
			    const uint8_t *octets, size_t olen)
{
	unsigned int i = method - SIG_AUTH_ECDSA_256, curve = 0;
	uint8_t der[ECDSA_DER_MAX];
	size_t n = sizeof(der);
	int ret;

	if (key_type(key, &curve) != KEY_EC || curve != i)
		return -ENOTSUP;
	if (len != 2 * (size_t)curves[i].half)
		return -EBADMSG;
	ret = ecdsa_raw_to_der(data, curves[i].half, der, &n);
	if (ret)
		return ret;
	return do_verify(key, &classic_ecdsa[i], octets, olen, der, n);
}

int sig_verify(EVP_PKEY *key, uint8_t method, const uint8_t *data,
	       size_t len, const uint8_t *octets, size_t olen,
	       unsigned int our_hashes, bool *pss)
{
	const struct sig_scheme *s;
	unsigned int curve = 0;
	size_t alglen;
	int ret;

	if (pss)
		*pss = false;
	switch (method) {
	case SIG_AUTH_RSA:
		/*
		 * SHA-1, but Windows and Apple sign nothing else (they send
		 * no SIGNATURE_HASH_ALGORITHMS).
		 */
		if (key_type(key, &curve) != KEY_RSA)
			return -ENOTSUP;
		if (!len)
			return -EBADMSG;
		return do_verify(key, &classic_rsa, octets, olen, data, len);
	case SIG_AUTH_ECDSA_256:
	case SIG_AUTH_ECDSA_384:
	case SIG_AUTH_ECDSA_521:
		return verify_ecdsa_raw(key, method, data, len, octets, olen);
	case SIG_AUTH_DIGITAL:
		break;
	default:
		return -ENOTSUP;
	}

	ret = digital_split(data, len, &alglen);
	if (ret)
		return ret;
	s = scheme_lookup(data + 1, alglen);
	/* RFC 7427 4: the hash must be one we announced. */
	if (!s || !(our_hashes & SIG_HASH_BIT(s->hash)))
		return -ENOTSUP;
	if (!kind_fits(s->kind, key_type(key, &curve)))
		return -ENOTSUP;
	ret = do_verify(key, s, octets, olen, data + 1 + alglen,
			len - 1 - alglen);
	if (!ret && pss)
		*pss = s->kind == SIG_PSS;
	return ret;
}

/* Composed in @buf (32 bytes are plenty); "unknown" is static. */
const char *sig_name(uint8_t method, const uint8_t *data, size_t len,
		     char *buf, size_t size)
{
	static const char *const kinds[] = {
		[SIG_RSA] = "RSA PKCS#1 v1.5",
		[SIG_PSS] = "RSA-PSS",
		[SIG_ECDSA] = "ECDSA",
		[SIG_ED25519] = "Ed25519",
	};
	const struct sig_scheme *s = NULL;
	size_t alglen;

	switch (method) {
	case SIG_AUTH_RSA:
		s = &classic_rsa;
		break;
	case SIG_AUTH_ECDSA_256:
	case SIG_AUTH_ECDSA_384:
	case SIG_AUTH_ECDSA_521:
		s = &classic_ecdsa[method - SIG_AUTH_ECDSA_256];
		break;
	case SIG_AUTH_DIGITAL:
		if (!digital_split(data, len, &alglen))
			s = scheme_lookup(data + 1, alglen);
		break;
	}
	if (!s || !buf || !size)
		return "unknown";
	if (s->kind == SIG_ED25519)
		snprintf(buf, size, "%s", kinds[s->kind]);
	else
		snprintf(buf, size, "%s %s", kinds[s->kind],
			 hash_label(s->hash));
	return buf;
}
