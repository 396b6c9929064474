/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signatures in IKE_AUTH: RFC 7296 3.8 (method 1, RSA PKCS#1 v1.5 with
 * SHA-1), RFC 4754 (methods 9/10/11, ECDSA with raw r|s) and RFC 7427
 * (method 14, Digital Signature: an AlgorithmIdentifier names the scheme;
 * SIGNATURE_HASH_ALGORITHMS announces the hashes), RFC 8420 (Ed25519).
 *
 * The octets signed are built by the caller (RFC 7296 2.15).  Helpers
 * return 0 or -errno and never print.
 */
#ifndef IKEHELPER_SIG_H
#define IKEHELPER_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* AUTH methods (RFC 7296 3.8, RFC 4754, RFC 7427 7). */
#define SIG_AUTH_RSA		1
#define SIG_AUTH_ECDSA_256	9
#define SIG_AUTH_ECDSA_384	10
#define SIG_AUTH_ECDSA_521	11
#define SIG_AUTH_DIGITAL	14

/* Hash algorithm IDs of SIGNATURE_HASH_ALGORITHMS (RFC 7427 4, RFC 8420). */
#define SIG_HASH_SHA1		1
#define SIG_HASH_SHA256		2
#define SIG_HASH_SHA384		3
#define SIG_HASH_SHA512		4
#define SIG_HASH_IDENTITY	5
#define SIG_HASH_BIT(h)		(1u << (h))
/* What we announce and accept in method 14: SHA-2 and Identity, no SHA-1. */
#define SIG_HASHES_OURS		(SIG_HASH_BIT(SIG_HASH_SHA256) | \
				 SIG_HASH_BIT(SIG_HASH_SHA384) | \
				 SIG_HASH_BIT(SIG_HASH_SHA512) | \
				 SIG_HASH_BIT(SIG_HASH_IDENTITY))

#define N_SIGNATURE_HASH_ALGORITHMS	16431

/* AUTH data: 1 length byte, an AlgorithmIdentifier, an RSA-8192 signature. */
#define SIG_AUTH_MAX		1200

/*
 * The notify data we send (RFC 7427 4): our hash IDs, 16 bits each,
 * written to out (8 bytes); returns the length.
 */
size_t sig_hashes_ours(uint8_t *out);

/*
 * The peer's SIGNATURE_HASH_ALGORITHMS data as a mask of SIG_HASH_BIT()s;
 * unknown IDs are skipped, an odd length gives 0.
 */
unsigned int sig_hashes_parse(const uint8_t *p, size_t len);

/*
 * Sign @octets with @key for a peer that announced @peer_hashes (0: the
 * peer sent no SIGNATURE_HASH_ALGORITHMS).  With an announcement, method
 * 14: Ed25519 needs Identity; ECDSA takes its curve's hash if announced,
 * else the strongest announced SHA-2; RSA SHA-256 (then 384, 512) with
 * PKCS#1 v1.5, or PSS (salt = hash length, MGF1 with the same hash) if
 * @pss.  Without one: RSA method 1 (SHA-1), ECDSA 9/10/11 by curve,
 * Ed25519 -ENOTSUP.  No common hash: -ENOTSUP.
 * On success *method is the AUTH method, out[0..*outlen) the AUTH data
 * (after the 4-byte AUTH header); *outlen is out's size on entry.
 */
int sig_sign(EVP_PKEY *key, unsigned int peer_hashes, bool pss,
	     const uint8_t *octets, size_t len, uint8_t *method,
	     uint8_t *out, size_t *outlen);

/*
 * Verify AUTH data of @method over @octets with the peer's @key.  Accepts
 * methods 1, 9, 10, 11 and 14; in method 14 the AlgorithmIdentifier must
 * be one of the known encodings (RSA PKCS#1 v1.5 and PSS, the latter with
 * and without trailerField, ECDSA, Ed25519) with a hash in @our_hashes,
 * and must fit the key's type (and an ECDSA method its curve).
 * Returns 0, -EBADMSG (malformed), -ENOTSUP (unknown or unacceptable
 * scheme, or not for this key) or -EACCES (the signature is wrong).
 * On success *pss says whether it was RSA-PSS (a responder mirrors it).
 */
int sig_verify(EVP_PKEY *key, uint8_t method, const uint8_t *data,
	       size_t len, const uint8_t *octets, size_t olen,
	       unsigned int our_hashes, bool *pss);

/*
 * A name for the scheme of AUTH data, for logs: "RSA PKCS#1 v1.5 SHA-1",
 * "RSA-PSS SHA-256", "ECDSA SHA-256", "Ed25519", "unknown".
 */
const char *sig_name(uint8_t method, const uint8_t *data, size_t len,
		     char *buf, size_t size);

#endif /* IKEHELPER_SIG_H */
