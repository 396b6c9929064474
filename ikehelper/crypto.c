// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IKEv2 cryptography on OpenSSL 3 EVP (see crypto.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "crypto.h"
#include "proposal.h"

/* --- PRF (RFC 7296 2.13) ----------------------------------------------- */

static const char *prf_digest(uint16_t prf)
{
	switch (prf) {
	case IKEV2_PRF_HMAC_SHA1:
		return "SHA1";
	case IKEV2_PRF_HMAC_SHA2_256:
		return "SHA256";
	case IKEV2_PRF_HMAC_SHA2_384:
		return "SHA384";
	case IKEV2_PRF_HMAC_SHA2_512:
		return "SHA512";
	}
	return NULL;
}

int crypto_prf_len(uint16_t prf)
{
	switch (prf) {
	case IKEV2_PRF_HMAC_SHA1:
		return 20;
	case IKEV2_PRF_HMAC_SHA2_256:
		return 32;
	case IKEV2_PRF_HMAC_SHA2_384:
		return 48;
	case IKEV2_PRF_HMAC_SHA2_512:
		return 64;
	}
	return -ENOTSUP;
}

/* HMAC over up to three pieces. */
static int hmac3(const char *digest, const uint8_t *key, size_t keylen,
		 const uint8_t *d1, size_t l1, const uint8_t *d2, size_t l2,
		 const uint8_t *d3, size_t l3, uint8_t *out, size_t outmax)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;
	size_t outlen;
	int ret = -EIO;

	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		return -ENOTSUP;
	ctx = EVP_MAC_CTX_new(mac);
	if (!ctx)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	/* An empty key is legal for HMAC; OpenSSL wants a non-NULL one. */
	if (!EVP_MAC_init(ctx, keylen ? key : (const uint8_t *)"", keylen,
			  params) ||
	    (l1 && !EVP_MAC_update(ctx, d1, l1)) ||
	    (l2 && !EVP_MAC_update(ctx, d2, l2)) ||
	    (l3 && !EVP_MAC_update(ctx, d3, l3)) ||
	    !EVP_MAC_final(ctx, out, &outlen, outmax))
		goto out;
	ret = (int)outlen;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ret;
}

/* prf(key, data); @out holds crypto_prf_len() bytes. */
int crypto_prf(uint16_t prf, const uint8_t *key, size_t keylen,
	       const uint8_t *data, size_t len, uint8_t *out)
{
	return crypto_prf2(prf, key, keylen, data, len, NULL, 0, out);
}

/* prf(key, d1 | d2). */
int crypto_prf2(uint16_t prf, const uint8_t *key, size_t keylen,
		const uint8_t *d1, size_t l1, const uint8_t *d2, size_t l2,
		uint8_t *out)
{
	const char *dg = prf_digest(prf);
	int ret;

	if (!dg)
		return -ENOTSUP;
	ret = hmac3(dg, key, keylen, d1, l1, d2, l2, NULL, 0, out,
		    CRYPTO_MAX_KEY);
	return ret < 0 ? ret : 0;
}

/*
 * prf+ (RFC 7296 2.13): T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n),
 * concatenated and cut to @outlen; at most 255 blocks.
 */
int crypto_prf_plus(uint16_t prf, const uint8_t *key, size_t keylen,
		    const uint8_t *seed, size_t seedlen, uint8_t *out,
		    size_t outlen)
{
	const char *dg = prf_digest(prf);
	uint8_t t[CRYPTO_MAX_KEY];
	int hlen = crypto_prf_len(prf);
	size_t done = 0, tlen = 0;
	unsigned int n;
	int ret = 0;

	if (!dg || hlen < 0)
		return -ENOTSUP;
	if (outlen > 255 * (size_t)hlen)
		return -EINVAL;
	for (n = 1; done < outlen; n++) {
		uint8_t ctr = (uint8_t)n;
		size_t take;

		ret = hmac3(dg, key, keylen, t, tlen, seed, seedlen, &ctr, 1,
			    t, sizeof(t));
		if (ret < 0)
			break;
		tlen = (size_t)hlen;
		take = outlen - done < tlen ? outlen - done : tlen;
		memcpy(out + done, t, take);
		done += take;
		ret = 0;
	}
	OPENSSL_cleanse(t, sizeof(t));
	return ret;
}

/* --- key exchange (RFC 7296 3.4) ---------------------------------------- */

struct crypto_ke {
	uint16_t group;
	EVP_PKEY *pkey;
};

static const char *ke_name(uint16_t group, const char **type)
{
	switch (group) {
	case IKEV2_DH_CURVE25519:
		*type = "X25519";
		return NULL;
	case IKEV2_DH_ECP_256:
		*type = "EC";
		return "P-256";
	case IKEV2_DH_ECP_384:
		*type = "EC";
		return "P-384";
	case IKEV2_DH_MODP_1024:
		*type = "DH";
		return "modp_1024";	/* RFC 2409 group 2 is not named */
	case IKEV2_DH_MODP_2048:
		*type = "DH";
		return "modp_2048";
	case IKEV2_DH_MODP_3072:
		*type = "DH";
		return "modp_3072";
	case IKEV2_DH_MODP_4096:
		*type = "DH";
		return "modp_4096";
	}
	*type = NULL;
	return NULL;
}

/* The KE data length of a group (RFC 7296 3.4, RFC 5903 7, RFC 8031). */
int crypto_ke_public_len(uint16_t group)
{
	switch (group) {
	case IKEV2_DH_CURVE25519:
		return 32;
	case IKEV2_DH_ECP_256:
		return 64;
	case IKEV2_DH_ECP_384:
		return 96;
	case IKEV2_DH_MODP_1024:
		return 128;
	case IKEV2_DH_MODP_2048:
		return 256;
	case IKEV2_DH_MODP_3072:
		return 384;
	case IKEV2_DH_MODP_4096:
		return 512;
	}
	return -ENOTSUP;
}

int crypto_ke_new(uint16_t group, struct crypto_ke **out)
{
	const char *type, *name = ke_name(group, &type);
	struct crypto_ke *ke;

	if (!type || group == IKEV2_DH_MODP_1024)
		return -ENOTSUP;
	ke = calloc(1, sizeof(*ke));
	if (!ke)
		return -ENOMEM;
	ke->group = group;
	if (!strcmp(type, "DH")) {
		/* EVP_PKEY_Q_keygen() has no form for named DH groups. */
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);

		if (ctx && EVP_PKEY_keygen_init(ctx) > 0 &&
		    EVP_PKEY_CTX_set_group_name(ctx, name) > 0)
			EVP_PKEY_generate(ctx, &ke->pkey);
		EVP_PKEY_CTX_free(ctx);
	} else {
		ke->pkey = name ? EVP_PKEY_Q_keygen(NULL, NULL, type, name) :
				  EVP_PKEY_Q_keygen(NULL, NULL, type);
	}
	if (!ke->pkey) {
		free(ke);
		return -EIO;
	}
	*out = ke;
	return 0;
}

/* A key from a known private value, for known-answer tests. */
int crypto_ke_new_private(uint16_t group, const uint8_t *priv, size_t len,
			  struct crypto_ke **out)
{
	const char *type, *name = ke_name(group, &type);
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	struct crypto_ke *ke;
	BIGNUM *bn = NULL;
	int ret = -EIO;

	if (!type)
		return -ENOTSUP;
	ke = calloc(1, sizeof(*ke));
	if (!ke)
		return -ENOMEM;
	ke->group = group;
	if (group == IKEV2_DH_CURVE25519) {
		ke->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL,
							priv, len);
		ret = ke->pkey ? 0 : -EINVAL;
		goto out;
	}
	bld = OSSL_PARAM_BLD_new();
	bn = BN_bin2bn(priv, (int)len, NULL);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (!bld || !bn || !ctx ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     name, 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (params && EVP_PKEY_fromdata_init(ctx) > 0 &&
	    EVP_PKEY_fromdata(ctx, &ke->pkey, EVP_PKEY_KEYPAIR, params) > 0)
		ret = 0;
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(bn);
	EVP_PKEY_CTX_free(ctx);
	if (ret) {
		EVP_PKEY_free(ke->pkey);
		free(ke);
		return ret;
	}
	*out = ke;
	return 0;
}

/* Our KE data: X25519 raw; ECP x | y (RFC 5903 7); MODP g^x padded. */
int crypto_ke_public(const struct crypto_ke *ke, uint8_t *out, size_t *len)
{
	int want = crypto_ke_public_len(ke->group);
	uint8_t buf[1 + 2 * 66];
	BIGNUM *bn = NULL;
	size_t n;

	if (want < 0 || *len < (size_t)want)
		return -EINVAL;
	switch (ke->group) {
	case IKEV2_DH_CURVE25519:
		n = *len;
		if (!EVP_PKEY_get_raw_public_key(ke->pkey, out, &n))
			return -EIO;
		break;
	case IKEV2_DH_ECP_256:
	case IKEV2_DH_ECP_384:
		if (!EVP_PKEY_get_octet_string_param(ke->pkey,
						     OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
						     buf, sizeof(buf), &n) ||
		    n != (size_t)want + 1 || buf[0] != 0x04)
			return -EIO;
		memcpy(out, buf + 1, (size_t)want);
		break;
	default:
		if (!EVP_PKEY_get_bn_param(ke->pkey, OSSL_PKEY_PARAM_PUB_KEY, &bn))
			return -EIO;
		n = BN_bn2binpad(bn, out, want) == want ? (size_t)want : 0;
		BN_free(bn);
		if (!n)
			return -EIO;
	}
	*len = (size_t)want;
	return 0;
}

/* The peer's KE data as a key of the same group. */
static EVP_PKEY *ke_peer(uint16_t group, const uint8_t *data, size_t len)
{
	const char *type, *name = ke_name(group, &type);
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	uint8_t buf[1 + 2 * 66];
	BIGNUM *bn = NULL;
	int ok = 0;

	if ((int)len != crypto_ke_public_len(group))
		return NULL;
	if (group == IKEV2_DH_CURVE25519)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, data,
						   len);
	bld = OSSL_PARAM_BLD_new();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (!bld || !ctx ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     name, 0))
		goto out;
	if (!strcmp(type, "EC")) {
		buf[0] = 0x04;
		memcpy(buf + 1, data, len);
		ok = OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
						      buf, len + 1);
	} else {
		bn = BN_bin2bn(data, (int)len, NULL);
		ok = bn && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, bn);
	}
	if (!ok)
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!params || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/*
 * g^ir from our private value and the peer's KE data: X25519 32 bytes,
 * ECP the x coordinate (RFC 5903 7), MODP padded to the prime's length
 * (RFC 7296 2.14: "g^ir ... with leading zeros").  The peer's value is
 * checked by OpenSSL (point on the curve, 1 < y < p - 1).
 */
int crypto_ke_shared(const struct crypto_ke *ke, const uint8_t *peer,
		     size_t peerlen, uint8_t *out, size_t *len)
{
	EVP_PKEY *pp = ke_peer(ke->group, peer, peerlen);
	EVP_PKEY_CTX *ctx = NULL;
	int ret = -EINVAL;
	size_t n = *len;

	if (!pp)
		return -EINVAL;
	ctx = EVP_PKEY_CTX_new(ke->pkey, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) <= 0)
		goto out;
	if (!strcmp(EVP_PKEY_get0_type_name(ke->pkey), "DH") &&
	    EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0)
		goto out;
	if (EVP_PKEY_derive_set_peer(ctx, pp) <= 0 ||
	    EVP_PKEY_derive(ctx, out, &n) <= 0)
		goto out;
	*len = n;
	ret = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pp);
	return ret;
}

void crypto_ke_free(struct crypto_ke *ke)
{
	if (!ke)
		return;
	EVP_PKEY_free(ke->pkey);
	free(ke);
}

/* --- the SK payload (RFC 7296 3.14) ------------------------------------- */

static const char *sk_cipher(const struct crypto_sk_alg *a)
{
	switch (a->encr) {
	case IKEV2_ENCR_AES_GCM_16:
		return a->keylen == 256 ? "AES-256-GCM" :
		       a->keylen == 128 ? "AES-128-GCM" : NULL;
	case IKEV2_ENCR_CHACHA20_POLY1305:
		return "ChaCha20-Poly1305";
	case IKEV2_ENCR_AES_CBC:
		return a->keylen == 256 ? "AES-256-CBC" :
		       a->keylen == 128 ? "AES-128-CBC" : NULL;
	}
	return NULL;
}

static const char *integ_digest(uint16_t integ, size_t *icv)
{
	switch (integ) {
	case IKEV2_AUTH_HMAC_SHA2_256_128:
		*icv = 16;
		return "SHA256";
	case IKEV2_AUTH_HMAC_SHA2_384_192:
		*icv = 24;
		return "SHA384";
	case IKEV2_AUTH_HMAC_SHA2_512_256:
		*icv = 32;
		return "SHA512";
	case IKEV2_AUTH_HMAC_SHA1_96:
		*icv = 12;
		return "SHA1";
	}
	return NULL;
}

/* Encryption key bytes; the AEADs' 4-byte salt included (RFC 5282 7.1). */
int crypto_sk_keylen(const struct crypto_sk_alg *a)
{
	if (!sk_cipher(a))
		return -ENOTSUP;
	if (a->encr == IKEV2_ENCR_CHACHA20_POLY1305)
		return 36;
	return a->keylen / 8 + (a->encr == IKEV2_ENCR_AES_GCM_16 ? 4 : 0);
}

int crypto_sk_integ_keylen(const struct crypto_sk_alg *a)
{
	switch (a->integ) {
	case 0:
		return 0;
	case IKEV2_AUTH_HMAC_SHA2_256_128:
		return 32;
	case IKEV2_AUTH_HMAC_SHA2_384_192:
		return 48;
	case IKEV2_AUTH_HMAC_SHA2_512_256:
		return 64;
	case IKEV2_AUTH_HMAC_SHA1_96:
		return 20;
	}
	return -ENOTSUP;
}

int crypto_sk_ivlen(const struct crypto_sk_alg *a)
{
	return a->encr == IKEV2_ENCR_AES_CBC ? 16 : 8;
}

int crypto_sk_icvlen(const struct crypto_sk_alg *a)
{
	size_t icv = 16;

	if (a->encr != IKEV2_ENCR_AES_CBC)
		return 16;
	return integ_digest(a->integ, &icv) ? (int)icv : -ENOTSUP;
}

/* The plaintext (with its padding) is a multiple of this. */
int crypto_sk_blocklen(const struct crypto_sk_alg *a)
{
	return a->encr == IKEV2_ENCR_AES_CBC ? 16 : 1;
}

static int sk_crypt(const struct crypto_sk_alg *a, const uint8_t *ekey,
		    const uint8_t *ikey, const uint8_t *aad, size_t aadlen,
		    const uint8_t *iv, uint8_t *data, size_t len, uint8_t *icv,
		    bool seal)
{
	const char *name = sk_cipher(a);
	int keylen = crypto_sk_keylen(a), outl, ret = -EIO;
	bool aead = a->encr != IKEV2_ENCR_AES_CBC;
	uint8_t nonce[12], mac[CRYPTO_MAX_KEY];
	EVP_CIPHER_CTX *ctx = NULL;
	EVP_CIPHER *c = NULL;
	size_t icvlen = 16;

	if (!name || keylen < 0)
		return -ENOTSUP;
	if (!aead && !integ_digest(a->integ, &icvlen))
		return -ENOTSUP;
	if (!aead && len % 16)
		return -EINVAL;
	/* CBC: the ICV covers header, IV and ciphertext; check it first. */
	if (!aead && !seal) {
		const char *dg = integ_digest(a->integ, &icvlen);

		if (hmac3(dg, ikey, (size_t)crypto_sk_integ_keylen(a), aad,
			  aadlen, iv, 16, data, len, mac, sizeof(mac)) < 0)
			return -EIO;
		if (!crypto_memeq(mac, icv, icvlen))
			return -EBADMSG;
	}
	c = EVP_CIPHER_fetch(NULL, name, NULL);
	ctx = EVP_CIPHER_CTX_new();
	if (!c || !ctx)
		goto out;
	if (aead) {
		/* RFC 5282 4 / RFC 7634 2: nonce = salt | IV. */
		memcpy(nonce, ekey + keylen - 4, 4);
		memcpy(nonce + 4, iv, 8);
		if (!EVP_CipherInit_ex2(ctx, c, ekey, nonce, seal, NULL) ||
		    (!seal && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
						   16, (void *)icv)) ||
		    (aadlen && !EVP_CipherUpdate(ctx, NULL, &outl, aad,
						 (int)aadlen)))
			goto out;
	} else {
		if (!EVP_CipherInit_ex2(ctx, c, ekey, iv, seal, NULL) ||
		    !EVP_CIPHER_CTX_set_padding(ctx, 0))
			goto out;
	}
	if (len && !EVP_CipherUpdate(ctx, data, &outl, data, (int)len))
		goto out;
	if (EVP_CipherFinal_ex(ctx, data + len, &outl) <= 0) {
		ret = aead && !seal ? -EBADMSG : -EIO;
		goto out;
	}
	if (aead && seal &&
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, icv))
		goto out;
	if (!aead && seal) {
		const char *dg = integ_digest(a->integ, &icvlen);

		if (hmac3(dg, ikey, (size_t)crypto_sk_integ_keylen(a), aad,
			  aadlen, iv, 16, data, len, mac, sizeof(mac)) < 0)
			goto out;
		memcpy(icv, mac, icvlen);
	}
	ret = 0;
out:
	OPENSSL_cleanse(nonce, sizeof(nonce));
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return ret;
}

/*
 * Encrypt @data (the inner payloads with their padding and pad length) in
 * place and compute the ICV.  @aad is the IKE header and the SK payload's
 * generic header (RFC 5282 5.1); @ikey is unused with an AEAD.
 */
int crypto_sk_seal(const struct crypto_sk_alg *a, const uint8_t *ekey,
		   const uint8_t *ikey, const uint8_t *aad, size_t aadlen,
		   const uint8_t *iv, uint8_t *data, size_t len, uint8_t *icv)
{
	return sk_crypt(a, ekey, ikey, aad, aadlen, iv, data, len, icv, true);
}

/* Check the ICV and decrypt in place; -EBADMSG when not authentic. */
int crypto_sk_open(const struct crypto_sk_alg *a, const uint8_t *ekey,
		   const uint8_t *ikey, const uint8_t *aad, size_t aadlen,
		   const uint8_t *iv, uint8_t *data, size_t len,
		   const uint8_t *icv)
{
	return sk_crypt(a, ekey, ikey, aad, aadlen, iv, data, len,
			(uint8_t *)icv, false);
}

int crypto_random(uint8_t *out, size_t len)
{
	return RAND_bytes(out, (int)len) == 1 ? 0 : -EIO;
}

/* Constant-time comparison of secrets (ICVs, AUTH values). */
bool crypto_memeq(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

/* SHA-1, for NAT detection only (RFC 7296 2.23 fixes it; no secret). */
int crypto_sha1(const uint8_t *data, size_t len, uint8_t out[20])
{
	unsigned int n = 20;

	return EVP_Digest(data, len, out, &n, EVP_sha1(), NULL) ? 0 : -EIO;
}
