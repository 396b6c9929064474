// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * strongSwan-style proposal strings (swanctl.conf "proposals" and
 * "esp_proposals"): keywords joined by '-', any order, several of a kind
 * allowed ("aes128gcm16-aes256gcm16-prfsha256-x25519-ecp256").  Without a
 * PRF, an IKE proposal with an integrity algorithm derives the PRF from it
 * (strongSwan does the same); an AEAD needs an explicit PRF.  Weak
 * algorithms (MODP-1024, 3DES, SHA-1) are refused unless @legacy.
 */
#include <errno.h>
#include <string.h>

#include "proposal.h"

enum kw_type { KW_ENCR, KW_INTEG, KW_PRF, KW_DH, KW_ESN };

static const struct keyword {
	const char *name;
	enum kw_type type;
	uint16_t id;
	uint16_t keylen;
	bool legacy;
} keywords[] = {
	{ "aes128gcm16", KW_ENCR, IKEV2_ENCR_AES_GCM_16, 128, false },
	{ "aes256gcm16", KW_ENCR, IKEV2_ENCR_AES_GCM_16, 256, false },
	{ "aes128gcm", KW_ENCR, IKEV2_ENCR_AES_GCM_16, 128, false },
	{ "aes256gcm", KW_ENCR, IKEV2_ENCR_AES_GCM_16, 256, false },
	{ "chacha20poly1305", KW_ENCR, IKEV2_ENCR_CHACHA20_POLY1305, 0, false },
	{ "aes128", KW_ENCR, IKEV2_ENCR_AES_CBC, 128, false },
	{ "aes256", KW_ENCR, IKEV2_ENCR_AES_CBC, 256, false },
	{ "3des", KW_ENCR, IKEV2_ENCR_3DES, 0, true },
	{ "sha256", KW_INTEG, IKEV2_AUTH_HMAC_SHA2_256_128, 0, false },
	{ "sha384", KW_INTEG, IKEV2_AUTH_HMAC_SHA2_384_192, 0, false },
	{ "sha512", KW_INTEG, IKEV2_AUTH_HMAC_SHA2_512_256, 0, false },
	{ "sha1", KW_INTEG, IKEV2_AUTH_HMAC_SHA1_96, 0, true },
	{ "prfsha256", KW_PRF, IKEV2_PRF_HMAC_SHA2_256, 0, false },
	{ "prfsha384", KW_PRF, IKEV2_PRF_HMAC_SHA2_384, 0, false },
	{ "prfsha512", KW_PRF, IKEV2_PRF_HMAC_SHA2_512, 0, false },
	{ "prfsha1", KW_PRF, IKEV2_PRF_HMAC_SHA1, 0, true },
	{ "x25519", KW_DH, IKEV2_DH_CURVE25519, 0, false },
	{ "curve25519", KW_DH, IKEV2_DH_CURVE25519, 0, false },
	{ "ecp256", KW_DH, IKEV2_DH_ECP_256, 0, false },
	{ "ecp384", KW_DH, IKEV2_DH_ECP_384, 0, false },
	{ "modp2048", KW_DH, IKEV2_DH_MODP_2048, 0, false },
	{ "modp3072", KW_DH, IKEV2_DH_MODP_3072, 0, false },
	{ "modp4096", KW_DH, IKEV2_DH_MODP_4096, 0, false },
	{ "modp1024", KW_DH, IKEV2_DH_MODP_1024, 0, true },
	{ "esn", KW_ESN, IKEV2_ESN_YES, 0, false },
	{ "noesn", KW_ESN, IKEV2_ESN_NO, 0, false },
};

bool proposal_encr_is_aead(uint16_t encr)
{
	return encr == IKEV2_ENCR_AES_GCM_16 ||
	       encr == IKEV2_ENCR_CHACHA20_POLY1305;
}

/* The PRF an integrity algorithm implies (RFC 4868 pairs them). */
static uint16_t prf_of_integ(uint16_t integ)
{
	switch (integ) {
	case IKEV2_AUTH_HMAC_SHA2_256_128:
		return IKEV2_PRF_HMAC_SHA2_256;
	case IKEV2_AUTH_HMAC_SHA2_384_192:
		return IKEV2_PRF_HMAC_SHA2_384;
	case IKEV2_AUTH_HMAC_SHA2_512_256:
		return IKEV2_PRF_HMAC_SHA2_512;
	default:
		return IKEV2_PRF_HMAC_SHA1;
	}
}

static int add(uint16_t *list, uint8_t *n, uint16_t id)
{
	uint8_t i;

	for (i = 0; i < *n; i++)
		if (list[i] == id)
			return 0;
	if (*n == PROPOSAL_MAX_EACH)
		return -E2BIG;
	list[(*n)++] = id;
	return 0;
}

/**
 * proposal_parse - parse one proposal string
 * @s: e.g. "aes256gcm16-prfsha384-x25519" or "aes128gcm16-esn"
 * @kind: IKE (needs encryption, PRF, key exchange) or ESP (encryption,
 *	optional integrity, key exchange only for PFS, ESN)
 * @legacy: accept MODP-1024, 3DES and SHA-1
 * @p: the result
 * @why: set to a static explanation when refused
 *
 * Return: 0, or -EINVAL with @why set.
 */
int proposal_parse(const char *s, enum proposal_kind kind, bool legacy,
		   struct proposal *p, const char **why)
{
	bool aead = false, cbc = false;
	const char *tok = s;
	size_t len, i;

	memset(p, 0, sizeof(*p));
	*why = NULL;
	while (*tok) {
		const struct keyword *kw = NULL;
		int ret = 0;

		len = strcspn(tok, "-");
		for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
			if (strlen(keywords[i].name) == len &&
			    !strncmp(keywords[i].name, tok, len)) {
				kw = &keywords[i];
				break;
			}
		}
		if (!kw) {
			*why = "unknown algorithm keyword";
			return -EINVAL;
		}
		if (kw->legacy && !legacy) {
			*why = "weak algorithm (MODP-1024, 3DES, SHA-1): set Legacy = yes to allow it";
			return -EINVAL;
		}
		switch (kw->type) {
		case KW_ENCR:
			if (p->n_encr == PROPOSAL_MAX_EACH) {
				ret = -E2BIG;
				break;
			}
			p->encr_keylen[p->n_encr] = kw->keylen;
			p->encr[p->n_encr++] = kw->id;
			if (proposal_encr_is_aead(kw->id))
				aead = true;
			else
				cbc = true;
			break;
		case KW_INTEG:
			ret = add(p->integ, &p->n_integ, kw->id);
			break;
		case KW_PRF:
			if (kind == PROPOSAL_ESP) {
				*why = "an ESP proposal has no PRF";
				return -EINVAL;
			}
			ret = add(p->prf, &p->n_prf, kw->id);
			break;
		case KW_DH:
			ret = add(p->dh, &p->n_dh, kw->id);
			break;
		case KW_ESN:
			if (kind == PROPOSAL_IKE) {
				*why = "ESN belongs to ESP proposals";
				return -EINVAL;
			}
			ret = add(p->esn, &p->n_esn, kw->id);
			break;
		}
		if (ret) {
			*why = "too many algorithms of one kind";
			return -EINVAL;
		}
		tok += len;
		if (*tok == '-') {
			tok++;
			if (!*tok) {
				*why = "the proposal ends with '-'";
				return -EINVAL;
			}
		}
	}
	if (!p->n_encr) {
		*why = "no encryption algorithm";
		return -EINVAL;
	}
	/* RFC 7296 3.3: AEAD and non-AEAD ciphers go in separate proposals. */
	if (aead && cbc) {
		*why = "AEAD and CBC ciphers cannot share a proposal";
		return -EINVAL;
	}
	if (aead && p->n_integ) {
		*why = "an AEAD cipher takes no integrity algorithm";
		return -EINVAL;
	}
	if (cbc && !p->n_integ) {
		*why = "a CBC cipher needs an integrity algorithm";
		return -EINVAL;
	}
	if (kind == PROPOSAL_IKE) {
		if (!p->n_prf) {
			if (aead) {
				*why = "an AEAD IKE proposal needs a PRF (prfsha256...)";
				return -EINVAL;
			}
			for (i = 0; i < p->n_integ; i++)
				add(p->prf, &p->n_prf, prf_of_integ(p->integ[i]));
		}
		if (!p->n_dh) {
			*why = "an IKE proposal needs a key exchange method";
			return -EINVAL;
		}
	} else if (!p->n_esn) {
		p->esn[p->n_esn++] = IKEV2_ESN_NO;
	}
	return 0;
}
