/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proposals as strongSwan writes them ("aes256gcm16-prfsha384-x25519"),
 * mapped to IKEv2 transform IDs (RFC 7296 3.3.2, IANA "IKEv2 Parameters")
 * and, for ESP, to the espif kernel algorithms.
 */
#ifndef IKEHELPER_PROPOSAL_H
#define IKEHELPER_PROPOSAL_H

#include <stdbool.h>
#include <stdint.h>

/* IANA IKEv2 transform IDs we know. */
enum {
	/* Type 1: encryption */
	IKEV2_ENCR_3DES = 3,
	IKEV2_ENCR_AES_CBC = 12,
	IKEV2_ENCR_AES_GCM_16 = 20,
	IKEV2_ENCR_CHACHA20_POLY1305 = 28,
	/* Type 2: PRF */
	IKEV2_PRF_HMAC_SHA1 = 2,
	IKEV2_PRF_HMAC_SHA2_256 = 5,
	IKEV2_PRF_HMAC_SHA2_384 = 6,
	IKEV2_PRF_HMAC_SHA2_512 = 7,
	/* Type 3: integrity */
	IKEV2_AUTH_HMAC_SHA1_96 = 2,
	IKEV2_AUTH_HMAC_SHA2_256_128 = 12,
	IKEV2_AUTH_HMAC_SHA2_384_192 = 13,
	IKEV2_AUTH_HMAC_SHA2_512_256 = 14,
	/* Type 4: key exchange */
	IKEV2_DH_MODP_1024 = 2,
	IKEV2_DH_MODP_2048 = 14,
	IKEV2_DH_MODP_3072 = 15,
	IKEV2_DH_MODP_4096 = 16,
	IKEV2_DH_ECP_256 = 19,
	IKEV2_DH_ECP_384 = 20,
	IKEV2_DH_CURVE25519 = 31,
	/* Type 5: ESN */
	IKEV2_ESN_NO = 0,
	IKEV2_ESN_YES = 1,
};

enum proposal_kind {
	PROPOSAL_IKE,
	PROPOSAL_ESP,
};

#define PROPOSAL_MAX_EACH	8

/*
 * One proposal: each list holds the transforms of one type, in the order
 * written (the preference order).  encr_keylen[i] goes with encr[i], in
 * bits; 0 when the algorithm has a fixed key (ChaCha20).
 */
struct proposal {
	uint8_t n_encr, n_integ, n_prf, n_dh, n_esn;
	uint16_t encr[PROPOSAL_MAX_EACH];
	uint16_t encr_keylen[PROPOSAL_MAX_EACH];
	uint16_t integ[PROPOSAL_MAX_EACH];
	uint16_t prf[PROPOSAL_MAX_EACH];
	uint16_t dh[PROPOSAL_MAX_EACH];
	uint16_t esn[2];
};

int proposal_parse(const char *s, enum proposal_kind kind, bool legacy,
		   struct proposal *p, const char **why);
bool proposal_encr_is_aead(uint16_t encr);

#endif /* IKEHELPER_PROPOSAL_H */
