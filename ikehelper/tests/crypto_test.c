// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Known answers for crypto.c: the PRF against RFC 4231 (HMAC-SHA-256/384/
 * 512, test case 2), prf+ against an independent implementation (Python's
 * hmac, values below), X25519 against RFC 7748 6.1, ECP-256 against RFC
 * 5903 8.1, the SK ciphers against python3-cryptography (AES-GCM with
 * the RFC 5282 nonce and AAD, ChaCha20-Poly1305 likewise, AES-CBC with
 * HMAC-SHA-256-128 over header, IV and ciphertext); then round trips and
 * tampering for every cipher and every key exchange group.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../crypto.h"
#include "../proposal.h"
#include "hex.h"

static int fails;
static unsigned int n;

static void result(const char *name, int ok)
{
	if (!ok)
		fails++;
	printf("%sok %u %s\n", ok ? "" : "not ", ++n, name);
}

static void test_prf(void)
{
	static const struct {
		const char *name;
		uint16_t prf;
		const char *out;
	} v[] = {
		{ "prf_hmac_sha256_rfc4231", IKEV2_PRF_HMAC_SHA2_256,
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		{ "prf_hmac_sha384_rfc4231", IKEV2_PRF_HMAC_SHA2_384,
		  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
		  "8e2240ca5e69e2c78b3239ecfab21649" },
		{ "prf_hmac_sha512_rfc4231", IKEV2_PRF_HMAC_SHA2_512,
		  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
		  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
	};
	const char *data = "what do ya want for nothing?";
	uint8_t out[64];
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int ok = !crypto_prf(v[i].prf, (const uint8_t *)"Jefe", 4,
				     (const uint8_t *)data, strlen(data), out) &&
			 eq_hex(out, (size_t)crypto_prf_len(v[i].prf), v[i].out);

		result(v[i].name, ok);
	}
}

static void test_prf_plus(void)
{
	uint8_t key[32], seed[48], out[150];
	unsigned int i;

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < 48; i++)
		seed[i] = (uint8_t)(i + 1);
	result("prf_plus_sha256_100",
	       !crypto_prf_plus(IKEV2_PRF_HMAC_SHA2_256, key, 32, seed, 48,
				out, 100) &&
	       eq_hex(out, 100,
		      "fc00ca15d62f50e3f0d9f525d939ba306f26c5a0484f959f0524765368593320"
		      "c2af7e3ae559255152e3329df2737706c30157fbdfc1dfc317ff28be22f886b9"
		      "ca899a370b5b92a1020b9069783e308306a4774db6b966fbaf17720c8f916b4c"
		      "5f186655"));
	result("prf_plus_sha512_150",
	       !crypto_prf_plus(IKEV2_PRF_HMAC_SHA2_512, key, 20, seed, 48,
				out, 150) &&
	       eq_hex(out, 150,
		      "b0960f71c892e6fd0f4228c5ede8dcd181492393b1e3168e677f891c366ba8ee"
		      "f3809eaf3af2e35dad6e66334494152e6e6056be4fb6d203ed896521f78558ae"
		      "09e8c2f926fcddee86dd8926df632579646bdc32246701866a70b57a3bf3e698"
		      "c07ccb71fae2d6c8c942e17a07abb58228f142790f97e866f5e7494073289f33"
		      "670a986cc7ccdb85c8de864a7b007969586477916628"));
	result("prf_plus_too_long",
	       crypto_prf_plus(IKEV2_PRF_HMAC_SHA2_256, key, 32, seed, 48, out,
			       255 * 32 + 1) == -EINVAL);
}

static void test_ke_kat(void)
{
	uint8_t priv[66], peer[132], out[132];
	struct crypto_ke *ke = NULL;
	size_t pl, len;
	int ok;

	/* RFC 7748 6.1: Alice's key, Bob's public value, the shared K. */
	pl = unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", priv);
	ok = !crypto_ke_new_private(IKEV2_DH_CURVE25519, priv, pl, &ke);
	len = sizeof(out);
	ok = ok && !crypto_ke_public(ke, out, &len) &&
	     eq_hex(out, len, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	pl = unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", peer);
	len = sizeof(out);
	ok = ok && !crypto_ke_shared(ke, peer, pl, out, &len) &&
	     eq_hex(out, len, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	crypto_ke_free(ke);
	result("ke_x25519_rfc7748", ok);

	/* RFC 5903 8.1: i, g^r, g^ir (the x coordinate). */
	ke = NULL;
	pl = unhex("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433", priv);
	ok = !crypto_ke_new_private(IKEV2_DH_ECP_256, priv, pl, &ke);
	pl = unhex("D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
		   "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB", peer);
	len = sizeof(out);
	ok = ok && !crypto_ke_shared(ke, peer, pl, out, &len) &&
	     eq_hex(out, len, "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE");
	/* A point off the curve is refused. */
	peer[63] ^= 1;
	len = sizeof(out);
	ok = ok && crypto_ke_shared(ke, peer, pl, out, &len) == -EINVAL;
	crypto_ke_free(ke);
	result("ke_ecp256_rfc5903", ok);
}

static void test_ke_roundtrip(void)
{
	static const struct {
		const char *name;
		uint16_t group;
	} g[] = {
		{ "ke_roundtrip_x25519", IKEV2_DH_CURVE25519 },
		{ "ke_roundtrip_ecp256", IKEV2_DH_ECP_256 },
		{ "ke_roundtrip_ecp384", IKEV2_DH_ECP_384 },
		{ "ke_roundtrip_modp2048", IKEV2_DH_MODP_2048 },
		{ "ke_roundtrip_modp3072", IKEV2_DH_MODP_3072 },
	};
	uint8_t pa[512], pb[512], sa[512], sb[512];
	unsigned int i;

	for (i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		struct crypto_ke *a = NULL, *b = NULL;
		size_t la = sizeof(pa), lb = sizeof(pb), ls = sizeof(sa),
		       ms = sizeof(sb);
		int ok;

		ok = !crypto_ke_new(g[i].group, &a) &&
		     !crypto_ke_new(g[i].group, &b) &&
		     !crypto_ke_public(a, pa, &la) &&
		     !crypto_ke_public(b, pb, &lb) &&
		     la == (size_t)crypto_ke_public_len(g[i].group) &&
		     !crypto_ke_shared(a, pb, lb, sa, &ls) &&
		     !crypto_ke_shared(b, pa, la, sb, &ms) &&
		     ls == ms && !memcmp(sa, sb, ls) &&
		     /* A truncated value is refused. */
		     crypto_ke_shared(a, pb, lb - 1, sa, &ls) == -EINVAL;
		crypto_ke_free(a);
		crypto_ke_free(b);
		result(g[i].name, ok);
	}
}

static void test_sk(void)
{
	static const struct {
		const char *name;
		struct crypto_sk_alg alg;
		const char *ct;		/* ciphertext | ICV of the KAT */
	} v[] = {
		{ "sk_aes128gcm16", { IKEV2_ENCR_AES_GCM_16, 128, 0 },
		  "f06ea0f7065ab1fbba6d7d04192569385bf516067a42b7e35cdeec3db1758f12"
		  "b7eef581d4c274304b985438497cee5cae722471e1" },
		{ "sk_chacha20poly1305", { IKEV2_ENCR_CHACHA20_POLY1305, 0, 0 },
		  "a91e28465ff9d98b8bff5981f49a9949b25dbd40cf10f5e61662af7b63c1202f"
		  "69f0662a1bdb7aa47e4d19b6386e54bddb0b208acf" },
		{ "sk_aes128_sha256", { IKEV2_ENCR_AES_CBC, 128,
					IKEV2_AUTH_HMAC_SHA2_256_128 },
		  "fdb7798269c55753ed9c7bc7c92f23eac99161b6ee66f4d5775db95ca34f55ba"
		  "8000c77c52aaff104bcf838728ba78f0" "450a992240d344c97f80e3e02942ec91" },
		{ "sk_aes256gcm16", { IKEV2_ENCR_AES_GCM_16, 256, 0 }, NULL },
		{ "sk_aes256_sha512", { IKEV2_ENCR_AES_CBC, 256,
					IKEV2_AUTH_HMAC_SHA2_512_256 }, NULL },
	};
	uint8_t ekey[36], ikey[64], aad[32], iv[16], data[64], icv[32], keep[64];
	unsigned int i, j;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const struct crypto_sk_alg *a = &v[i].alg;
		int kl = crypto_sk_keylen(a), il = crypto_sk_icvlen(a);
		size_t len = a->encr == IKEV2_ENCR_AES_CBC ? 48 : 37;
		int ok = kl > 0 && il > 0;

		/* The key: 00 01 ..., then for AEADs the salt a0 a1 a2 a3. */
		for (j = 0; j < (unsigned int)kl; j++)
			ekey[j] = (uint8_t)j;
		if (a->encr != IKEV2_ENCR_AES_CBC)
			memcpy(ekey + kl - 4, "\xa0\xa1\xa2\xa3", 4);
		for (j = 0; j < sizeof(ikey); j++)
			ikey[j] = (uint8_t)(0x20 + j);
		for (j = 0; j < sizeof(aad); j++)
			aad[j] = (uint8_t)(0x40 + j);
		for (j = 0; j < 16; j++)
			iv[j] = (uint8_t)((a->encr == IKEV2_ENCR_AES_CBC ? 0xc0 : 0xb0) + j);
		for (j = 0; j < len; j++)
			data[j] = (uint8_t)(0x80 + j);
		memcpy(keep, data, len);
		ok = ok && !crypto_sk_seal(a, ekey, ikey, aad, sizeof(aad), iv,
					   data, len, icv);
		if (ok && v[i].ct) {
			uint8_t both[128];

			memcpy(both, data, len);
			memcpy(both + len, icv, (size_t)il);
			ok = eq_hex(both, len + (size_t)il, v[i].ct);
		}
		ok = ok && !crypto_sk_open(a, ekey, ikey, aad, sizeof(aad), iv,
					   data, len, icv) &&
		     !memcmp(data, keep, len);
		/* Tampered ciphertext, ICV, AAD: not authentic. */
		ok = ok && !crypto_sk_seal(a, ekey, ikey, aad, sizeof(aad), iv,
					   data, len, icv);
		data[3] ^= 1;
		ok = ok && crypto_sk_open(a, ekey, ikey, aad, sizeof(aad), iv,
					  data, len, icv) == -EBADMSG;
		data[3] ^= 1;
		icv[0] ^= 1;
		ok = ok && crypto_sk_open(a, ekey, ikey, aad, sizeof(aad), iv,
					  data, len, icv) == -EBADMSG;
		icv[0] ^= 1;
		aad[0] ^= 1;
		ok = ok && crypto_sk_open(a, ekey, ikey, aad, sizeof(aad), iv,
					  data, len, icv) == -EBADMSG;
		aad[0] ^= 1;
		result(v[i].name, ok);
	}
}

int main(void)
{
	printf("KTAP version 1\n1..18\n");
	test_prf();
	test_prf_plus();
	test_ke_kat();
	test_ke_roundtrip();
	test_sk();
	printf("# crypto_test: %u cases, %d failed\n", n, fails);
	return fails || n != 18 ? 1 : 0;
}
