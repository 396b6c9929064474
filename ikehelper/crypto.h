/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IKEv2 cryptography on OpenSSL 3 EVP: the PRF and prf+ (RFC 7296 2.13),
 * key exchange (RFC 3526 MODP, RFC 5903 ECP, RFC 7748/8031 Curve25519),
 * the SK payload's ciphers (RFC 7296 3.14, RFC 5282 AES-GCM, RFC 7634
 * ChaCha20-Poly1305) and key derivation (RFC 7296 2.14, 2.17).
 *
 * Helpers return 0 or -errno; none prints.  Every buffer that held key
 * material is wiped before it is freed.
 */
#ifndef IKEHELPER_CRYPTO_H
#define IKEHELPER_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRYPTO_MAX_KEY		64	/* SK_d, SK_p*: up to SHA-512 */
#define CRYPTO_MAX_ENCR_KEY	36	/* AES-256 or ChaCha20 + 4-byte salt */
#define CRYPTO_MAX_KE		512	/* MODP-4096 */

/* The PRF of a transform ID (RFC 7296 3.3.2 type 2). */
int crypto_prf_len(uint16_t prf);
int crypto_prf(uint16_t prf, const uint8_t *key, size_t keylen,
	       const uint8_t *data, size_t len, uint8_t *out);
int crypto_prf2(uint16_t prf, const uint8_t *key, size_t keylen,
		const uint8_t *d1, size_t l1, const uint8_t *d2, size_t l2,
		uint8_t *out);
int crypto_prf_plus(uint16_t prf, const uint8_t *key, size_t keylen,
		    const uint8_t *seed, size_t seedlen, uint8_t *out,
		    size_t outlen);

/* Key exchange (RFC 7296 3.4): our private value and public KE data. */
struct crypto_ke;
int crypto_ke_new(uint16_t group, struct crypto_ke **out);
int crypto_ke_new_private(uint16_t group, const uint8_t *priv, size_t len,
			  struct crypto_ke **out);
int crypto_ke_public(const struct crypto_ke *ke, uint8_t *out, size_t *len);
int crypto_ke_shared(const struct crypto_ke *ke, const uint8_t *peer,
		     size_t peerlen, uint8_t *out, size_t *len);
int crypto_ke_public_len(uint16_t group);
void crypto_ke_free(struct crypto_ke *ke);

/* The SK payload's transform (RFC 7296 3.14). */
struct crypto_sk_alg {
	uint16_t encr;		/* IKEV2_ENCR_* */
	uint16_t keylen;	/* bits, 0 for ChaCha20 */
	uint16_t integ;		/* IKEV2_AUTH_*, 0 with an AEAD */
};

int crypto_sk_keylen(const struct crypto_sk_alg *a);	/* bytes incl. salt */
int crypto_sk_integ_keylen(const struct crypto_sk_alg *a);
int crypto_sk_ivlen(const struct crypto_sk_alg *a);
int crypto_sk_icvlen(const struct crypto_sk_alg *a);
int crypto_sk_blocklen(const struct crypto_sk_alg *a);
int crypto_sk_seal(const struct crypto_sk_alg *a, const uint8_t *ekey,
		   const uint8_t *ikey, const uint8_t *aad, size_t aadlen,
		   const uint8_t *iv, uint8_t *data, size_t len, uint8_t *icv);
int crypto_sk_open(const struct crypto_sk_alg *a, const uint8_t *ekey,
		   const uint8_t *ikey, const uint8_t *aad, size_t aadlen,
		   const uint8_t *iv, uint8_t *data, size_t len,
		   const uint8_t *icv);

int crypto_random(uint8_t *out, size_t len);
bool crypto_memeq(const void *a, const void *b, size_t len);
int crypto_sha1(const uint8_t *data, size_t len, uint8_t out[20]);

#endif /* IKEHELPER_CRYPTO_H */
