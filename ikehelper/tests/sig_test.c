// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sig.c against its contract in sig.h:
 * - the 13 AlgorithmIdentifier blobs of method 14, byte for byte against
 *   the hex of notes/cert-plan.md section 1 (RFC 7427 A.1/A.3/A.4.3 and
 *   its erratum, RFC 8420): the 10 that sig_sign() emits are compared
 *   with its output, the 3 PSS trailerField forms (accepted, never sent)
 *   through sig_name() and sig_verify().  The PSS hex is also what
 *   `openssl asn1parse -genconf` makes from RSASSA-PSS-params (RFC 4055);
 * - sign -> verify round trips for every scheme and for the choice of
 *   method and hash from the peer's SIGNATURE_HASH_ALGORITHMS: method,
 *   *pss, sig_name(), an independent check with plain OpenSSL EVP calls
 *   (PSS with the salt length fixed to the hash length and MGF1 with the
 *   same hash, raw r | s re-encoded here), and -EACCES for a flipped
 *   octet and for a flipped signature byte;
 * - known answers from the OpenSSL CLI (tests/sig_vectors.h says how they
 *   were made): deterministic RSA PKCS#1 v1.5 SHA-256, RSA SHA-1 (method
 *   1) and Ed25519 must come out of sig_sign() identical; CLI-made PSS
 *   (both blob forms) and ECDSA (DER, raw, a leading-zero r) must verify;
 * - raw r | s with leading zero bytes (signing until one comes up);
 * - refusals: wrong curve for the method, wrong raw lengths, malformed
 *   method-14 data, unknown and SHA-1 blobs, a hash we did not announce,
 *   a blob for another key type, Ed25519 without Identity or without an
 *   announcement, no common hash, a short output buffer, the wrong key,
 *   key types we do not sign with;
 * - sig_hashes_ours()/sig_hashes_parse() and sig_name().
 * Every sig_*() call gets an exact-size heap copy of its input (so ASan
 * sees any overread), and must leave OpenSSL's error queue empty, also
 * (above all) when it fails: a case with a leftover error fails.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "../sig.h"
#include "hex.h"
#include "sig_vectors.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * The AlgorithmIdentifiers, as notes/cert-plan.md section 1 spells them.
 * PSS: hash and MGF1 hash 04 02 01/02/03 (SHA-256/384/512), salt 20/30/40;
 * the trailer form adds a3 03 02 01 01 and grows both SEQUENCEs by 5.
 */
#define A_RSA256	"300d06092a864886f70d01010b0500"
#define A_RSA384	"300d06092a864886f70d01010c0500"
#define A_RSA512	"300d06092a864886f70d01010d0500"
#define A_ECDSA256	"300a06082a8648ce3d040302"
#define A_ECDSA384	"300a06082a8648ce3d040303"
#define A_ECDSA512	"300a06082a8648ce3d040304"
#define A_ED25519	"300506032b6570"
#define A_PSS256	"304106092a864886f70d01010a3034a00f300d0609608648016503" \
			"0402010500a11c301a06092a864886f70d010108300d0609608648" \
			"0165030402010500a203020120"
#define A_PSS384	"304106092a864886f70d01010a3034a00f300d0609608648016503" \
			"0402020500a11c301a06092a864886f70d010108300d0609608648" \
			"0165030402020500a203020130"
#define A_PSS512	"304106092a864886f70d01010a3034a00f300d0609608648016503" \
			"0402030500a11c301a06092a864886f70d010108300d0609608648" \
			"0165030402030500a203020140"
#define A_PSST256	"304606092a864886f70d01010a3039a00f300d0609608648016503" \
			"0402010500a11c301a06092a864886f70d010108300d0609608648" \
			"0165030402010500a203020120a303020101"
#define A_PSST384	"304606092a864886f70d01010a3039a00f300d0609608648016503" \
			"0402020500a11c301a06092a864886f70d010108300d0609608648" \
			"0165030402020500a203020130a303020101"
#define A_PSST512	"304606092a864886f70d01010a3039a00f300d0609608648016503" \
			"0402030500a11c301a06092a864886f70d010108300d0609608648" \
			"0165030402030500a203020140a303020101"
/* Not in the table: SHA-1 (never announced) and look-alikes. */
#define A_RSA_SHA1	"300d06092a864886f70d0101050500"
#define A_ECDSA_SHA1	"300906072a8648ce3d0401"
#define A_RSA_SHA224	"300d06092a864886f70d01010e0500"
#define A_PSS_BARE	"300b06092a864886f70d01010a"

#define B(h)		SIG_HASH_BIT(SIG_HASH_##h)
#define SHA2		(B(SHA256) | B(SHA384) | B(SHA512))

enum { K_RSA, K_P256, K_P256B, K_P384, K_P521, K_ED, N_KEYS };

static EVP_PKEY *priv[N_KEYS], *pub[N_KEYS];
static const uint8_t *msg = (const uint8_t *)sig_msg;
static const size_t mlen = sizeof(sig_msg) - 1;

static int fails;
static unsigned int ncases;
static bool queued;	/* a sig_*() call left an error on OpenSSL's queue */

static void result(const char *name, int ok)
{
	if (queued)
		printf("# %s: OpenSSL error queue not empty\n", name);
	ok = ok && !queued;
	queued = false;
	if (!ok)
		fails++;
	printf("%sok %u %s\n", ok ? "" : "not ", ++ncases, name);
}

/* Method-14 AUTH data: length byte, @blob, @sig (both hex). */
static size_t digital(uint8_t *d, const char *blob, const char *sig)
{
	size_t bl = unhex(blob, d + 1);

	d[0] = (uint8_t)bl;
	return 1 + bl + unhex(sig, d + 1 + bl);
}

/* Errors queued by a sig_*() call are a failure of the current case. */
static void after_call(void)
{
	if (ERR_peek_error()) {
		queued = true;
		ERR_clear_error();
	}
}

static int sign(EVP_PKEY *key, unsigned int peer, bool pss, uint8_t *method,
		uint8_t *out, size_t *outlen)
{
	int ret;

	ERR_clear_error();
	ret = sig_sign(key, peer, pss, msg, mlen, method, out, outlen);
	after_call();
	return ret;
}

static int verify_full(EVP_PKEY *key, uint8_t method, const uint8_t *data,
		       size_t len, const uint8_t *octets, size_t olen,
		       unsigned int ours, bool *pss)
{
	uint8_t *d = malloc(len ? len : 1), *o = malloc(olen);
	int ret = -ENOMEM;

	if (d && o) {
		memcpy(d, data, len);
		memcpy(o, octets, olen);
		ERR_clear_error();
		ret = sig_verify(key, method, d, len, o, olen, ours, pss);
		after_call();
	}
	free(d);
	free(o);
	return ret;
}

static int verify_ours(EVP_PKEY *key, uint8_t method, const uint8_t *data,
		       size_t len, unsigned int ours)
{
	return verify_full(key, method, data, len, msg, mlen, ours, NULL);
}

static int verify(EVP_PKEY *key, uint8_t method, const uint8_t *data,
		  size_t len)
{
	return verify_ours(key, method, data, len, SIG_HASHES_OURS);
}

/* sig_name() compared with @want (and a copy of the data as above). */
static bool name_is(uint8_t method, const uint8_t *data, size_t len,
		    size_t size, const char *want)
{
	uint8_t *d = malloc(len ? len : 1);
	char buf[64];
	bool ok;

	if (!d)
		return false;
	memcpy(d, data, len);
	memset(buf, 'x', sizeof(buf));
	ok = !strcmp(sig_name(method, d, len, size ? buf : NULL, size), want);
	free(d);
	return ok;
}

static unsigned int parse_hex(const char *hex)
{
	uint8_t buf[64], *d;
	size_t len = unhex(hex, buf);
	unsigned int mask;

	d = malloc(len ? len : 1);
	if (!d)
		return ~0u;
	memcpy(d, buf, len);
	mask = sig_hashes_parse(d, len);
	free(d);
	return mask;
}

/*
 * The signature checked without sig.c: plain EVP with the parameters the
 * RFCs fix (PKCS#1 v1.5, or PSS with salt @salt and MGF1 with @md), raw
 * r | s (methods 9/10/11) re-encoded as DER here.
 */
static bool ref_verify(EVP_PKEY *key, uint8_t method, const char *md,
		       int salt, const uint8_t *sig, size_t len)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	uint8_t der[160];
	bool ok = false;

	if (!mctx)
		return false;
	if (method >= SIG_AUTH_ECDSA_256 && method <= SIG_AUTH_ECDSA_521) {
		int half = (int)len / 2, dl;
		BIGNUM *r = BN_bin2bn(sig, half, NULL);
		BIGNUM *s = BN_bin2bn(sig + half, half, NULL);
		ECDSA_SIG *es = ECDSA_SIG_new();
		unsigned char *p = der;

		if (!r || !s || !es || !ECDSA_SIG_set0(es, r, s)) {
			BN_free(r);
			BN_free(s);
			ECDSA_SIG_free(es);
			goto out;
		}
		dl = i2d_ECDSA_SIG(es, NULL);
		if (dl > 0 && (size_t)dl <= sizeof(der))
			dl = i2d_ECDSA_SIG(es, &p);
		else
			dl = 0;
		ECDSA_SIG_free(es);
		if (dl <= 0)
			goto out;
		sig = der;
		len = (size_t)dl;
	}
	if (EVP_DigestVerifyInit_ex(mctx, &pctx, md, NULL, NULL, key,
				    NULL) <= 0)
		goto out;
	if (EVP_PKEY_is_a(key, "RSA")) {
		if (EVP_PKEY_CTX_set_rsa_padding(pctx, salt ?
						 RSA_PKCS1_PSS_PADDING :
						 RSA_PKCS1_PADDING) <= 0)
			goto out;
		if (salt &&
		    (EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) <= 0 ||
		     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, NULL) <= 0))
			goto out;
	}
	ok = EVP_DigestVerify(mctx, sig, len, msg, mlen) == 1;
out:
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return ok;
}

/* ---- the 13 blobs ---- */

static const struct {
	const char *name;
	const char *hex;	/* cert-plan.md section 1 */
	const char *label;	/* sig_name() */
	int key;		/* how sig_sign() is made to emit it */
	unsigned int peer;
	bool pss;
	bool sent;		/* false: the trailer form, accepted only */
} blobs[] = {
	{ "blob_rsa_sha256", A_RSA256, "RSA PKCS#1 v1.5 SHA-256",
	  K_RSA, B(SHA256), false, true },
	{ "blob_rsa_sha384", A_RSA384, "RSA PKCS#1 v1.5 SHA-384",
	  K_RSA, B(SHA384), false, true },
	{ "blob_rsa_sha512", A_RSA512, "RSA PKCS#1 v1.5 SHA-512",
	  K_RSA, B(SHA512), false, true },
	{ "blob_pss_sha256", A_PSS256, "RSA-PSS SHA-256",
	  K_RSA, B(SHA256), true, true },
	{ "blob_pss_sha384", A_PSS384, "RSA-PSS SHA-384",
	  K_RSA, B(SHA384), true, true },
	{ "blob_pss_sha512", A_PSS512, "RSA-PSS SHA-512",
	  K_RSA, B(SHA512), true, true },
	{ "blob_pss_trailer_sha256", A_PSST256, "RSA-PSS SHA-256",
	  K_RSA, B(SHA256), true, false },
	{ "blob_pss_trailer_sha384", A_PSST384, "RSA-PSS SHA-384",
	  K_RSA, B(SHA384), true, false },
	{ "blob_pss_trailer_sha512", A_PSST512, "RSA-PSS SHA-512",
	  K_RSA, B(SHA512), true, false },
	{ "blob_ecdsa_sha256", A_ECDSA256, "ECDSA SHA-256",
	  K_P256, B(SHA256), false, true },
	{ "blob_ecdsa_sha384", A_ECDSA384, "ECDSA SHA-384",
	  K_P384, B(SHA384), false, true },
	{ "blob_ecdsa_sha512", A_ECDSA512, "ECDSA SHA-512",
	  K_P521, B(SHA512), false, true },
	{ "blob_ed25519", A_ED25519, "Ed25519",
	  K_ED, B(IDENTITY), false, true },
};

/*
 * Sent blobs: sig_sign()'s output starts with length byte and blob.
 * Trailer forms: sig_sign() sends the 67-byte form instead.  All: the
 * blob is in sig_name()'s table, but not with the top bit of its last
 * byte flipped (the low bits pick a hash: ECDSA 02 -> 03 is valid) nor
 * one byte short (whole-blob matching, not prefix).
 */
static void test_blobs(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(blobs); i++) {
		uint8_t out[SIG_AUTH_MAX], d[128], method = 0;
		size_t outlen = sizeof(out), bl;
		int ok;

		bl = unhex(blobs[i].hex, d + 1);
		d[0] = (uint8_t)bl;
		ok = !sign(priv[blobs[i].key], blobs[i].peer, blobs[i].pss,
			   &method, out, &outlen) &&
		     method == SIG_AUTH_DIGITAL && outlen > 1 + bl;
		if (blobs[i].sent)
			ok = ok && !memcmp(out, d, 1 + bl);
		else
			ok = ok && out[0] == 67 && bl == 72;
		d[1 + bl] = 0x00;	/* a (bad) one-byte signature */
		ok = ok && name_is(SIG_AUTH_DIGITAL, d, 2 + bl, 64,
				   blobs[i].label);
		d[bl] ^= 0x80;
		ok = ok && name_is(SIG_AUTH_DIGITAL, d, 2 + bl, 64, "unknown");
		d[bl] ^= 0x80;
		d[0]--;
		ok = ok && name_is(SIG_AUTH_DIGITAL, d, 2 + bl, 64, "unknown");
		result(blobs[i].name, ok);
	}
}

/* ---- sign -> verify round trips ---- */

static const struct {
	const char *name;
	int key;
	unsigned int peer;	/* the peer's announcement, 0: none */
	bool pss;		/* RsaPss */
	uint8_t method;		/* what sig_sign() must pick */
	const char *blob;	/* and in method 14 this AlgorithmIdentifier */
	const char *label;	/* sig_name() */
	const char *md;		/* for ref_verify(); NULL: Ed25519 */
	int salt;		/* PSS salt length; 0: not PSS */
	size_t siglen;		/* the signature's length; 0: DER, varies */
	const char *rewrap;	/* verify under this blob instead */
} rts[] = {
	{ "rt_rsa_v15_sha256", K_RSA, B(SHA256), false, SIG_AUTH_DIGITAL,
	  A_RSA256, "RSA PKCS#1 v1.5 SHA-256", "SHA256", 0, 256, NULL },
	{ "rt_rsa_v15_sha384", K_RSA, B(SHA384), false, SIG_AUTH_DIGITAL,
	  A_RSA384, "RSA PKCS#1 v1.5 SHA-384", "SHA384", 0, 256, NULL },
	{ "rt_rsa_v15_sha512", K_RSA, B(SHA512), false, SIG_AUTH_DIGITAL,
	  A_RSA512, "RSA PKCS#1 v1.5 SHA-512", "SHA512", 0, 256, NULL },
	{ "rt_rsa_v15_prefers_sha256", K_RSA, SIG_HASHES_OURS, false,
	  SIG_AUTH_DIGITAL, A_RSA256, "RSA PKCS#1 v1.5 SHA-256", "SHA256",
	  0, 256, NULL },
	{ "rt_rsa_v15_sha384_before_sha512", K_RSA,
	  B(SHA384) | B(SHA512) | B(SHA1), false, SIG_AUTH_DIGITAL,
	  A_RSA384, "RSA PKCS#1 v1.5 SHA-384", "SHA384", 0, 256, NULL },
	{ "rt_pss_sha256", K_RSA, B(SHA256), true, SIG_AUTH_DIGITAL,
	  A_PSS256, "RSA-PSS SHA-256", "SHA256", 32, 256, NULL },
	{ "rt_pss_sha384", K_RSA, B(SHA384), true, SIG_AUTH_DIGITAL,
	  A_PSS384, "RSA-PSS SHA-384", "SHA384", 48, 256, NULL },
	{ "rt_pss_sha512", K_RSA, B(SHA512), true, SIG_AUTH_DIGITAL,
	  A_PSS512, "RSA-PSS SHA-512", "SHA512", 64, 256, NULL },
	{ "rt_pss_trailer_sha256", K_RSA, B(SHA256), true, SIG_AUTH_DIGITAL,
	  A_PSS256, "RSA-PSS SHA-256", "SHA256", 32, 256, A_PSST256 },
	{ "rt_pss_trailer_sha384", K_RSA, B(SHA384), true, SIG_AUTH_DIGITAL,
	  A_PSS384, "RSA-PSS SHA-384", "SHA384", 48, 256, A_PSST384 },
	{ "rt_pss_trailer_sha512", K_RSA, B(SHA512), true, SIG_AUTH_DIGITAL,
	  A_PSS512, "RSA-PSS SHA-512", "SHA512", 64, 256, A_PSST512 },
	{ "rt_ecdsa_p256_m14", K_P256, SIG_HASHES_OURS, false,
	  SIG_AUTH_DIGITAL, A_ECDSA256, "ECDSA SHA-256", "SHA256", 0, 0,
	  NULL },
	{ "rt_ecdsa_p384_m14", K_P384, SIG_HASHES_OURS, false,
	  SIG_AUTH_DIGITAL, A_ECDSA384, "ECDSA SHA-384", "SHA384", 0, 0,
	  NULL },
	{ "rt_ecdsa_p521_m14", K_P521, SIG_HASHES_OURS, false,
	  SIG_AUTH_DIGITAL, A_ECDSA512, "ECDSA SHA-512", "SHA512", 0, 0,
	  NULL },
	/* No curve hash announced: the strongest SHA-2 listed. */
	{ "rt_ecdsa_p256_only_sha384", K_P256, B(SHA384), false,
	  SIG_AUTH_DIGITAL, A_ECDSA384, "ECDSA SHA-384", "SHA384", 0, 0,
	  NULL },
	{ "rt_ecdsa_p256_strongest_sha512", K_P256,
	  B(SHA384) | B(SHA512) | B(IDENTITY), false, SIG_AUTH_DIGITAL,
	  A_ECDSA512, "ECDSA SHA-512", "SHA512", 0, 0, NULL },
	{ "rt_ecdsa_p521_only_sha256", K_P521, B(SHA256), false,
	  SIG_AUTH_DIGITAL, A_ECDSA256, "ECDSA SHA-256", "SHA256", 0, 0,
	  NULL },
	{ "rt_ecdsa_p256_method9", K_P256, 0, false, SIG_AUTH_ECDSA_256,
	  NULL, "ECDSA SHA-256", "SHA256", 0, 64, NULL },
	{ "rt_ecdsa_p384_method10", K_P384, 0, false, SIG_AUTH_ECDSA_384,
	  NULL, "ECDSA SHA-384", "SHA384", 0, 96, NULL },
	{ "rt_ecdsa_p521_method11", K_P521, 0, false, SIG_AUTH_ECDSA_521,
	  NULL, "ECDSA SHA-512", "SHA512", 0, 132, NULL },
	{ "rt_ed25519", K_ED, SIG_HASHES_OURS, false, SIG_AUTH_DIGITAL,
	  A_ED25519, "Ed25519", NULL, 0, 64, NULL },
	{ "rt_ed25519_identity_only", K_ED, B(IDENTITY), false,
	  SIG_AUTH_DIGITAL, A_ED25519, "Ed25519", NULL, 0, 64, NULL },
	{ "rt_rsa_method1", K_RSA, 0, false, SIG_AUTH_RSA, NULL,
	  "RSA PKCS#1 v1.5 SHA-1", "SHA1", 0, 256, NULL },
	/* Method 1 is PKCS#1 v1.5 only: RsaPss does not apply. */
	{ "rt_rsa_method1_pss_ignored", K_RSA, 0, true, SIG_AUTH_RSA, NULL,
	  "RSA PKCS#1 v1.5 SHA-1", "SHA1", 0, 256, NULL },
};

static void test_roundtrip(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rts); i++) {
		uint8_t out[SIG_AUTH_MAX], d[SIG_AUTH_MAX], bad[64];
		uint8_t blob[128], method = 0;
		size_t outlen = sizeof(out), off = 0, siglen, len, bl;
		bool pss = !rts[i].salt;	/* must be overwritten */
		EVP_PKEY *key = pub[rts[i].key];
		int ok;

		ok = !sign(priv[rts[i].key], rts[i].peer, rts[i].pss, &method,
			   out, &outlen) && method == rts[i].method;
		if (rts[i].blob) {
			bl = unhex(rts[i].blob, blob);
			ok = ok && outlen > 1 + bl && out[0] == bl &&
			     !memcmp(out + 1, blob, bl);
			off = 1 + bl;
		}
		if (!ok) {
			result(rts[i].name, 0);
			continue;
		}
		siglen = outlen - off;
		if (rts[i].siglen)
			ok = siglen == rts[i].siglen;
		else		/* DER Ecdsa-Sig-Value; P-521's is > 127 */
			ok = siglen > 8 && out[off] == 0x30 &&
			     (out[off + 1] == siglen - 2 ||
			      (out[off + 1] == 0x81 &&
			       out[off + 2] == siglen - 3));
		/* The trailerField form: same signature, other blob. */
		if (rts[i].rewrap) {
			bl = unhex(rts[i].rewrap, d + 1);
			d[0] = (uint8_t)bl;
			memcpy(d + 1 + bl, out + off, siglen);
			off = 1 + bl;
			len = off + siglen;
		} else {
			memcpy(d, out, outlen);
			len = outlen;
		}
		ok = ok && name_is(method, d, len, 64, rts[i].label) &&
		     !verify_full(key, method, d, len, msg, mlen,
				  SIG_HASHES_OURS, &pss) &&
		     pss == (rts[i].salt > 0) &&
		     ref_verify(key, method, rts[i].md, rts[i].salt, d + off,
				siglen);
		memcpy(bad, msg, mlen);
		bad[mlen / 2] ^= 0x01;
		ok = ok && verify_full(key, method, d, len, bad, mlen,
				       SIG_HASHES_OURS, &pss) == -EACCES &&
		     !pss;
		d[len - 1] ^= 0x01;
		ok = ok && verify(key, method, d, len) == -EACCES;
		d[len - 1] ^= 0x01;
		d[off + siglen / 2] ^= 0x80;
		ok = ok && verify(key, method, d, len) == -EACCES;
		result(rts[i].name, ok);
	}
}

/* ---- known answers and CLI-made signatures ---- */

/* sig_sign() gives exactly the CLI's bytes; they verify; a flip fails. */
static int kat(int k, unsigned int peer, uint8_t want_method,
	       const char *blob, const char *sig)
{
	uint8_t out[SIG_AUTH_MAX], want[SIG_AUTH_MAX], method = 0;
	size_t outlen = sizeof(out), wl;
	int ok;

	wl = blob ? digital(want, blob, sig) : unhex(sig, want);
	ok = !sign(priv[k], peer, false, &method, out, &outlen) &&
	     method == want_method && outlen == wl && !memcmp(out, want, wl) &&
	     !verify(pub[k], method, want, wl);
	want[wl - 1] ^= 0x01;
	return ok && verify(pub[k], method, want, wl) == -EACCES;
}

static int kat_rsa_v15_sha256(void)
{
	return kat(K_RSA, B(SHA256), SIG_AUTH_DIGITAL, A_RSA256,
		   rsa_sha256_sig);
}

static int kat_rsa_method1_sha1(void)
{
	return kat(K_RSA, 0, SIG_AUTH_RSA, NULL, rsa_sha1_sig);
}

static int kat_ed25519(void)
{
	return kat(K_ED, SIG_HASHES_OURS, SIG_AUTH_DIGITAL, A_ED25519, ed_sig);
}

/* A CLI signature in method 14 verifies, *pss says so, a flip fails. */
static int cli_digital(int k, const char *blob, const char *sig,
		       bool want_pss)
{
	uint8_t d[SIG_AUTH_MAX];
	size_t len = digital(d, blob, sig);
	bool pss = !want_pss;
	int ok;

	ok = !verify_full(pub[k], SIG_AUTH_DIGITAL, d, len, msg, mlen,
			  SIG_HASHES_OURS, &pss) && pss == want_pss;
	d[len - 1] ^= 0x01;
	return ok && verify(pub[k], SIG_AUTH_DIGITAL, d, len) == -EACCES;
}

static int cli_pss_sha256(void)
{
	return cli_digital(K_RSA, A_PSS256, rsa_pss256_sig, true);
}

static int cli_pss_trailer_sha256(void)
{
	return cli_digital(K_RSA, A_PSST256, rsa_pss256_sig, true);
}

static int cli_ecdsa_p256_der(void)
{
	return cli_digital(K_P256, A_ECDSA256, p256_sig, false);
}

static int cli_ecdsa_p256_leading_zero_der(void)
{
	return cli_digital(K_P256, A_ECDSA256, p256lz_sig, false);
}

static int cli_raw(const char *raw)
{
	uint8_t d[64];
	size_t len = unhex(raw, d);
	int ok;

	ok = len == 64 && !verify(pub[K_P256], SIG_AUTH_ECDSA_256, d, len);
	d[63] ^= 0x01;
	return ok && verify(pub[K_P256], SIG_AUTH_ECDSA_256, d, len) == -EACCES;
}

static int cli_ecdsa_p256_raw(void)
{
	return cli_raw(p256_raw);
}

static int cli_ecdsa_p256_leading_zero_raw(void)
{
	return cli_raw(p256lz_raw);
}

/* ---- leading zeros in raw r | s ---- */

/*
 * Sign (method 9/10) until both an r and an s with a leading 00 byte have
 * come up (1 in 256 each): the halves keep their fixed length, verify,
 * pass the independent check, and fail when flipped.
 */
static int leading_zero(int k, uint8_t want_method, size_t half,
			const char *md)
{
	bool zr = false, zs = false;
	unsigned int tries;
	int ok = 1;

	for (tries = 0; ok && !(zr && zs) && tries < 20000; tries++) {
		uint8_t out[SIG_AUTH_MAX], method = 0;
		size_t outlen = sizeof(out);

		ok = !sign(priv[k], 0, false, &method, out, &outlen) &&
		     method == want_method && outlen == 2 * half;
		if (!ok || (out[0] && out[half]))
			continue;
		zr |= !out[0];
		zs |= !out[half];
		ok = !verify(pub[k], method, out, outlen) &&
		     ref_verify(pub[k], method, md, 0, out, outlen);
		out[half - 1] ^= 0x01;
		ok = ok && verify(pub[k], method, out, outlen) == -EACCES;
	}
	printf("# %s: leading 00 in r %s, in s %s, after %u signatures\n",
	       md, zr ? "seen" : "not seen", zs ? "seen" : "not seen", tries);
	return ok && zr && zs;
}

static int ecdsa_raw_leading_zero_p256(void)
{
	return leading_zero(K_P256, SIG_AUTH_ECDSA_256, 32, "SHA256");
}

static int ecdsa_raw_leading_zero_p384(void)
{
	return leading_zero(K_P384, SIG_AUTH_ECDSA_384, 48, "SHA384");
}

/* ---- refusals ---- */

/* RFC 4754: each method has its curve; a P-384 key under 9 or 11 fails. */
static int ecdsa_method_wrong_curve(void)
{
	uint8_t out[SIG_AUTH_MAX], raw[64], method = 0;
	size_t outlen = sizeof(out);
	int ok;

	ok = !sign(priv[K_P384], 0, false, &method, out, &outlen) &&
	     method == SIG_AUTH_ECDSA_384 && outlen == 96 &&
	     !verify(pub[K_P384], SIG_AUTH_ECDSA_384, out, 96) &&
	     verify(pub[K_P384], SIG_AUTH_ECDSA_256, out, 96) == -ENOTSUP &&
	     verify(pub[K_P384], SIG_AUTH_ECDSA_256, out, 64) == -ENOTSUP &&
	     verify(pub[K_P384], SIG_AUTH_ECDSA_521, out, 96) == -ENOTSUP;
	unhex(p256_raw, raw);
	return ok &&
	       verify(pub[K_P256], SIG_AUTH_ECDSA_384, raw, 64) == -ENOTSUP &&
	       verify(pub[K_P256], SIG_AUTH_ECDSA_521, raw, 64) == -ENOTSUP;
}

/* r | s is exactly 2 x 32 bytes on P-256, 2 x 48 on P-384. */
static int ecdsa_raw_wrong_length(void)
{
	uint8_t d[200] = { 0 };
	uint8_t out[SIG_AUTH_MAX], method = 0;
	size_t outlen = sizeof(out);
	int ok;

	unhex(p256lz_raw, d + 1);	/* d + 1: 00 60 e2 ... */
	ok = verify(pub[K_P256], SIG_AUTH_ECDSA_256, d + 2, 63) == -EBADMSG &&
	     verify(pub[K_P256], SIG_AUTH_ECDSA_256, d + 1, 65) == -EBADMSG &&
	     verify(pub[K_P256], SIG_AUTH_ECDSA_256, d, 65) == -EBADMSG &&
	     verify(pub[K_P256], SIG_AUTH_ECDSA_256, d, 0) == -EBADMSG &&
	     !verify(pub[K_P256], SIG_AUTH_ECDSA_256, d + 1, 64);
	ok = ok && !sign(priv[K_P384], 0, false, &method, out, &outlen) &&
	     verify(pub[K_P384], method, out, 95) == -EBADMSG &&
	     verify(pub[K_P384], method, out, 97) == -EBADMSG;
	return ok;
}

/* r = s = 0, r = 0, s = 0, r and s all ones (>= the order). */
static int ecdsa_raw_degenerate(void)
{
	uint8_t d[64];
	int ok;

	memset(d, 0, sizeof(d));
	ok = verify(pub[K_P256], SIG_AUTH_ECDSA_256, d, 64) == -EACCES;
	unhex(p256_raw, d);
	memset(d, 0, 32);
	ok = ok && verify(pub[K_P256], SIG_AUTH_ECDSA_256, d, 64) == -EACCES;
	unhex(p256_raw, d);
	memset(d + 32, 0, 32);
	ok = ok && verify(pub[K_P256], SIG_AUTH_ECDSA_256, d, 64) == -EACCES;
	memset(d, 0xff, 64);
	return ok && verify(pub[K_P256], SIG_AUTH_ECDSA_256, d, 64) == -EACCES;
}

/* RFC 7427 3: the length byte may not be 0, nor reach past the data. */
static int digital_length_byte(void)
{
	uint8_t d[SIG_AUTH_MAX];
	size_t len = digital(d, A_RSA256, rsa_sha256_sig);
	int ok;

	d[0] = 0;
	ok = verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, len) == -EBADMSG;
	d[0] = 0xff;	/* 255 + 1 < 272: a split, but an unknown blob */
	ok = ok && verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, len) == -ENOTSUP;
	d[0] = 15;
	/* Short data: 15 bytes of blob and 10 of signature. */
	ok = ok && verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, 26) == -EACCES;
	d[0] = 25;	/* the blob would take everything */
	ok = ok && verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, 26) == -EBADMSG;
	d[0] = 26;	/* one past the end */
	ok = ok && verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, 26) == -EBADMSG;
	d[0] = 0xff;
	ok = ok && verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, 26) == -EBADMSG;
	ok = ok && verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, 1) == -EBADMSG &&
	     verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, 0) == -EBADMSG;
	return ok;
}

/* A blob with nothing after it: no signature at all. */
static int digital_nothing_after_blob(void)
{
	uint8_t d[SIG_AUTH_MAX];
	size_t len;
	int ok;

	len = digital(d, A_RSA256, "");
	ok = len == 16 &&
	     verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, len) == -EBADMSG;
	len = digital(d, A_ED25519, "");
	ok = ok && verify(pub[K_ED], SIG_AUTH_DIGITAL, d, len) == -EBADMSG;
	len = digital(d, A_PSST256, "");
	return ok && verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, len) == -EBADMSG;
}

/* Good signatures under blobs not in the table (exact match, no prefix). */
static int digital_unknown_blob(void)
{
	uint8_t d[SIG_AUTH_MAX];
	size_t len;
	int ok;

	len = digital(d, A_RSA_SHA224, rsa_sha256_sig);
	ok = verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, len) == -ENOTSUP;
	/* The SHA-256 blob one byte short, and with a byte added. */
	len = digital(d, "300d06092a864886f70d01010b05", rsa_sha256_sig);
	ok = ok && verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, len) == -ENOTSUP;
	len = digital(d, A_RSA256 "00", rsa_sha256_sig);
	ok = ok && verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, len) == -ENOTSUP;
	/* PSS without parameters; PSS with salt 33. */
	len = digital(d, A_PSS_BARE, rsa_pss256_sig);
	ok = ok && verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, len) == -ENOTSUP;
	len = digital(d, A_PSS256, rsa_pss256_sig);
	d[67] = 0x21;
	ok = ok && verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, len) == -ENOTSUP;
	/* Ed448's OID. */
	len = digital(d, "300506032b6571", ed_sig);
	return ok && verify(pub[K_ED], SIG_AUTH_DIGITAL, d, len) == -ENOTSUP;
}

/* SHA-1 in method 14 is refused even if "announced", even when valid. */
static int digital_sha1_refused(void)
{
	uint8_t d[SIG_AUTH_MAX];
	size_t len;
	int ok;

	ok = !verify(pub[K_RSA], SIG_AUTH_RSA, d, unhex(rsa_sha1_sig, d));
	len = digital(d, A_RSA_SHA1, rsa_sha1_sig);
	ok = ok && verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, len) == -ENOTSUP &&
	     verify_ours(pub[K_RSA], SIG_AUTH_DIGITAL, d, len,
			 SIG_HASHES_OURS | B(SHA1)) == -ENOTSUP;
	len = digital(d, A_ECDSA_SHA1, p256_sig);
	return ok &&
	       verify_ours(pub[K_P256], SIG_AUTH_DIGITAL, d, len,
			   SIG_HASHES_OURS | B(SHA1)) == -ENOTSUP;
}

/* RFC 7427 4: the hash must be one we announced. */
static int digital_hash_not_ours(void)
{
	uint8_t out[SIG_AUTH_MAX], d[SIG_AUTH_MAX], method = 0;
	size_t outlen = sizeof(out), len;
	int ok;

	ok = !sign(priv[K_RSA], B(SHA384), false, &method, out, &outlen) &&
	     !verify(pub[K_RSA], method, out, outlen) &&
	     verify_ours(pub[K_RSA], method, out, outlen,
			 B(SHA256) | B(SHA512) | B(IDENTITY)) == -ENOTSUP;
	len = digital(d, A_ED25519, ed_sig);
	ok = ok && verify_ours(pub[K_ED], SIG_AUTH_DIGITAL, d, len, SHA2) ==
		   -ENOTSUP;
	len = digital(d, A_ECDSA256, p256_sig);
	ok = ok && verify_ours(pub[K_P256], SIG_AUTH_DIGITAL, d, len,
			       B(SHA384)) == -ENOTSUP;
	len = digital(d, A_PSST256, rsa_pss256_sig);
	return ok && verify_ours(pub[K_RSA], SIG_AUTH_DIGITAL, d, len,
				 B(SHA384) | B(SHA512)) == -ENOTSUP;
}

/* A blob (or method) for another key type. */
static int blob_key_mismatch(void)
{
	uint8_t d[SIG_AUTH_MAX];
	size_t len;
	int ok;

	len = digital(d, A_RSA256, rsa_sha256_sig);
	ok = verify(pub[K_P256], SIG_AUTH_DIGITAL, d, len) == -ENOTSUP &&
	     verify(pub[K_ED], SIG_AUTH_DIGITAL, d, len) == -ENOTSUP;
	len = digital(d, A_PSS256, rsa_pss256_sig);
	ok = ok && verify(pub[K_P384], SIG_AUTH_DIGITAL, d, len) == -ENOTSUP;
	len = digital(d, A_ECDSA256, p256_sig);
	ok = ok && verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, len) == -ENOTSUP &&
	     verify(pub[K_ED], SIG_AUTH_DIGITAL, d, len) == -ENOTSUP;
	len = digital(d, A_ED25519, ed_sig);
	ok = ok && verify(pub[K_P256], SIG_AUTH_DIGITAL, d, len) == -ENOTSUP &&
	     verify(pub[K_RSA], SIG_AUTH_DIGITAL, d, len) == -ENOTSUP;
	len = unhex(rsa_sha1_sig, d);
	ok = ok && verify(pub[K_P256], SIG_AUTH_RSA, d, len) == -ENOTSUP;
	len = unhex(p256_raw, d);
	return ok && verify(pub[K_RSA], SIG_AUTH_ECDSA_256, d, len) == -ENOTSUP &&
	       verify(pub[K_ED], SIG_AUTH_ECDSA_256, d, len) == -ENOTSUP;
}

/* PSK (2), DSS (3), NULL auth (13), reserved values. */
static int verify_unknown_method(void)
{
	static const uint8_t m[] = { 0, 2, 3, 12, 13, 15, 255 };
	uint8_t d[SIG_AUTH_MAX];
	size_t len = digital(d, A_RSA256, rsa_sha256_sig);
	unsigned int i;
	int ok = 1;

	for (i = 0; i < sizeof(m); i++)
		ok = ok && verify(pub[K_RSA], m[i], d, len) == -ENOTSUP;
	return ok;
}

/* RFC 8420: Ed25519 signs the whole message, so only with Identity. */
static int sign_ed25519_no_identity(void)
{
	uint8_t out[SIG_AUTH_MAX], method = 0;
	size_t outlen = sizeof(out);

	return sign(priv[K_ED], SHA2, false, &method, out, &outlen) ==
	       -ENOTSUP &&
	       sign(priv[K_ED], SHA2 | B(SHA1), true, &method, out, &outlen) ==
	       -ENOTSUP;
}

/* No SIGNATURE_HASH_ALGORITHMS: no method 14, and Ed25519 has no other. */
static int sign_ed25519_no_announcement(void)
{
	uint8_t out[SIG_AUTH_MAX], method = 0;
	size_t outlen = sizeof(out);

	return sign(priv[K_ED], 0, false, &method, out, &outlen) == -ENOTSUP;
}

/* The peer announced only what we cannot use for the key. */
static int sign_no_common_hash(void)
{
	uint8_t out[SIG_AUTH_MAX], method = 0;
	size_t outlen = sizeof(out);

	return sign(priv[K_RSA], B(SHA1), false, &method, out, &outlen) ==
	       -ENOTSUP &&
	       sign(priv[K_RSA], B(IDENTITY), true, &method, out, &outlen) ==
	       -ENOTSUP &&
	       sign(priv[K_P256], B(SHA1) | B(IDENTITY), false, &method, out,
		    &outlen) == -ENOTSUP &&
	       sign(priv[K_P521], B(IDENTITY), false, &method, out, &outlen) ==
	       -ENOTSUP;
}

/*
 * *outlen smaller than the largest signature of the scheme: -ENOSPC; the
 * exact size works where the signature's length is fixed.
 */
static int sign_enospc(void)
{
	static const struct {
		int key;
		unsigned int peer;
		bool pss;
		size_t need;
	} v[] = {
		{ K_RSA, B(SHA256), false, 1 + 15 + 256 },
		{ K_RSA, B(SHA512), true, 1 + 67 + 256 },
		{ K_RSA, 0, false, 256 },
		{ K_P256, 0, false, 64 },
		{ K_P384, 0, false, 96 },
		{ K_P521, 0, false, 132 },
		{ K_ED, B(IDENTITY), false, 1 + 7 + 64 },
	};
	uint8_t out[SIG_AUTH_MAX], method;
	unsigned int i;
	size_t outlen;
	int ok = 1;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		outlen = v[i].need - 1;
		ok = ok && sign(priv[v[i].key], v[i].peer, v[i].pss, &method,
				out, &outlen) == -ENOSPC;
		outlen = v[i].need;
		ok = ok && !sign(priv[v[i].key], v[i].peer, v[i].pss, &method,
				 out, &outlen) && outlen == v[i].need;
	}
	/* ECDSA in method 14: DER varies, the largest must fit. */
	outlen = 1 + 12 + 8;
	ok = ok && sign(priv[K_P256], B(SHA256), false, &method, out,
			&outlen) == -ENOSPC;
	outlen = 0;
	return ok && sign(priv[K_P256], B(SHA256), false, &method, out,
			  &outlen) == -ENOSPC;
}

/* A good signature checked with another P-256 key. */
static int wrong_key_p256b(void)
{
	uint8_t out[SIG_AUTH_MAX], d[SIG_AUTH_MAX], method = 0;
	size_t outlen = sizeof(out), len;
	int ok;

	len = digital(d, A_ECDSA256, p256_sig);
	ok = verify(pub[K_P256B], SIG_AUTH_DIGITAL, d, len) == -EACCES;
	len = unhex(p256_raw, d);
	ok = ok && verify(pub[K_P256B], SIG_AUTH_ECDSA_256, d, len) == -EACCES;
	ok = ok && !sign(priv[K_P256], 0, false, &method, out, &outlen) &&
	     verify(pub[K_P256B], method, out, outlen) == -EACCES;
	outlen = sizeof(out);
	ok = ok && !sign(priv[K_P256B], SIG_HASHES_OURS, false, &method, out,
			 &outlen) &&
	     !verify(pub[K_P256B], method, out, outlen) &&
	     verify(pub[K_P256], method, out, outlen) == -EACCES;
	return ok;
}

/* P-224, X25519, Ed448: not ours to sign with; nothing verifies either. */
static int unsupported_key_types(void)
{
	EVP_PKEY *p224 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-224");
	EVP_PKEY *x25519 = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	EVP_PKEY *ed448 = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
	uint8_t out[SIG_AUTH_MAX], d[SIG_AUTH_MAX], method = 0;
	size_t outlen = sizeof(out), len;
	int ok = p224 && x25519 && ed448;

	ERR_clear_error();
	ok = ok &&
	     sign(p224, SIG_HASHES_OURS, false, &method, out, &outlen) ==
	     -ENOTSUP &&
	     sign(p224, 0, false, &method, out, &outlen) == -ENOTSUP &&
	     sign(x25519, SIG_HASHES_OURS, false, &method, out, &outlen) ==
	     -ENOTSUP &&
	     sign(ed448, SIG_HASHES_OURS, false, &method, out, &outlen) ==
	     -ENOTSUP;
	len = digital(d, A_ECDSA256, p256_sig);
	ok = ok && verify(p224, SIG_AUTH_DIGITAL, d, len) == -ENOTSUP &&
	     verify(x25519, SIG_AUTH_DIGITAL, d, len) == -ENOTSUP;
	len = unhex(p256_raw, d);
	ok = ok && verify(p224, SIG_AUTH_ECDSA_256, d, 56) == -ENOTSUP &&
	     verify(p224, SIG_AUTH_ECDSA_256, d, len) == -ENOTSUP;
	EVP_PKEY_free(p224);
	EVP_PKEY_free(x25519);
	EVP_PKEY_free(ed448);
	return ok;
}

/*
 * Failures that make OpenSSL queue errors (bad padding, wrong length,
 * undecodable DER, r >= order): the queue is empty after each call.
 * Direct calls, so the check is visible here; the wrappers do the same
 * for every other case.
 */
static int errors_not_queued(void)
{
	static const struct {
		int key;
		uint8_t method;
		const char *blob;	/* NULL: no AlgorithmIdentifier */
		const char *sig;
	} v[] = {
		{ K_RSA, SIG_AUTH_DIGITAL, A_RSA256, rsa_pss256_sig },
		{ K_RSA, SIG_AUTH_DIGITAL, A_PSS256, rsa_sha256_sig },
		{ K_RSA, SIG_AUTH_DIGITAL, A_PSS256, "0001020304" },
		{ K_RSA, SIG_AUTH_RSA, NULL, rsa_sha256_sig },
		{ K_RSA, SIG_AUTH_RSA, NULL, "00010203040506070809" },
		{ K_P256, SIG_AUTH_DIGITAL, A_ECDSA256, "deadbeef" },
		{ K_P256, SIG_AUTH_DIGITAL, A_ECDSA256, "3006020100020100" },
		{ K_P256, SIG_AUTH_ECDSA_256, NULL,
		  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
		  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" },
		{ K_ED, SIG_AUTH_DIGITAL, A_ED25519, "e965d8a6dd2d" },
		{ K_ED, SIG_AUTH_DIGITAL, A_ED25519, p256_raw },
	};
	uint8_t d[SIG_AUTH_MAX], out[8], method;
	unsigned int i;
	size_t len;
	int ok = 1;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		len = v[i].blob ? digital(d, v[i].blob, v[i].sig) :
				  unhex(v[i].sig, d);
		ERR_clear_error();
		ok = ok && sig_verify(pub[v[i].key], v[i].method, d, len, msg,
				      mlen, SIG_HASHES_OURS, NULL) == -EACCES &&
		     ERR_peek_error() == 0;
	}
	len = sizeof(out);
	ERR_clear_error();
	return ok && sig_sign(priv[K_RSA], SIG_HASHES_OURS, false, msg, mlen,
			      &method, out, &len) == -ENOSPC &&
	       ERR_peek_error() == 0;
}

/* ---- SIGNATURE_HASH_ALGORITHMS ---- */

static int hashes_ours(void)
{
	uint8_t buf[16];
	size_t len;

	memset(buf, 0xee, sizeof(buf));
	len = sig_hashes_ours(buf);
	return len == 8 && eq_hex(buf, 9, "0002000300040005ee") &&
	       sig_hashes_parse(buf, len) == SIG_HASHES_OURS &&
	       SIG_HASHES_OURS == (SHA2 | B(IDENTITY));
}

static int hashes_parse_odd(void)
{
	return parse_hex("00") == 0 && parse_hex("000200") == 0 &&
	       parse_hex("000200030004000500") == 0 && parse_hex("") == 0 &&
	       parse_hex("0002") == B(SHA256);
}

/* 16-bit IDs: 0103 and 0205 are not 3 and 5; 0, 6 and ffff are unknown. */
static int hashes_parse_unknown(void)
{
	return parse_hex("00000002000601030005ffff00010004") ==
	       (B(SHA1) | B(SHA256) | B(IDENTITY) | B(SHA512)) &&
	       parse_hex("02050006ffff0000") == 0 &&
	       parse_hex("0003000300030003") == B(SHA384);
}

/* ---- sig_name ---- */

static int sig_name_strings(void)
{
	static const struct {
		uint8_t method;
		const char *data;	/* hex */
		size_t size;		/* of the buffer; 0: buf NULL */
		const char *want;
	} v[] = {
		{ SIG_AUTH_RSA, "00", 64, "RSA PKCS#1 v1.5 SHA-1" },
		{ SIG_AUTH_ECDSA_256, "00", 64, "ECDSA SHA-256" },
		{ SIG_AUTH_ECDSA_384, "00", 64, "ECDSA SHA-384" },
		{ SIG_AUTH_ECDSA_521, "00", 64, "ECDSA SHA-512" },
		{ SIG_AUTH_DIGITAL, "0f" A_RSA256 "00", 64,
		  "RSA PKCS#1 v1.5 SHA-256" },
		{ SIG_AUTH_DIGITAL, "43" A_PSS384 "00", 64, "RSA-PSS SHA-384" },
		{ SIG_AUTH_DIGITAL, "48" A_PSST512 "00", 64,
		  "RSA-PSS SHA-512" },
		{ SIG_AUTH_DIGITAL, "0c" A_ECDSA512 "00", 64, "ECDSA SHA-512" },
		{ SIG_AUTH_DIGITAL, "07" A_ED25519 "00", 64, "Ed25519" },
		/* Truncated to the buffer. */
		{ SIG_AUTH_DIGITAL, "43" A_PSS256 "00", 8, "RSA-PSS" },
		{ SIG_AUTH_DIGITAL, "07" A_ED25519 "00", 0, "unknown" },
		{ SIG_AUTH_DIGITAL, "07" A_ED25519, 64, "unknown" },
		{ SIG_AUTH_DIGITAL, "0f" A_RSA_SHA1 "00", 64, "unknown" },
		{ SIG_AUTH_DIGITAL, "0b" A_ECDSA_SHA1 "00", 64, "unknown" },
		{ SIG_AUTH_DIGITAL, "00" A_RSA256 "00", 64, "unknown" },
		{ SIG_AUTH_DIGITAL, "", 64, "unknown" },
		{ 2, "00", 64, "unknown" },
		{ 0, "00", 64, "unknown" },
	};
	uint8_t d[128];
	unsigned int i;
	int ok = 1;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		size_t len = unhex(v[i].data, d);

		if (!name_is(v[i].method, d, len, v[i].size, v[i].want)) {
			printf("# sig_name entry %u\n", i);
			ok = 0;
		}
	}
	return ok;
}

static const struct {
	const char *name;
	int (*fn)(void);
} cases[] = {
	{ "kat_rsa_v15_sha256", kat_rsa_v15_sha256 },
	{ "kat_rsa_method1_sha1", kat_rsa_method1_sha1 },
	{ "kat_ed25519", kat_ed25519 },
	{ "cli_pss_sha256", cli_pss_sha256 },
	{ "cli_pss_trailer_sha256", cli_pss_trailer_sha256 },
	{ "cli_ecdsa_p256_der", cli_ecdsa_p256_der },
	{ "cli_ecdsa_p256_raw", cli_ecdsa_p256_raw },
	{ "cli_ecdsa_p256_leading_zero_der", cli_ecdsa_p256_leading_zero_der },
	{ "cli_ecdsa_p256_leading_zero_raw", cli_ecdsa_p256_leading_zero_raw },
	{ "ecdsa_raw_leading_zero_p256", ecdsa_raw_leading_zero_p256 },
	{ "ecdsa_raw_leading_zero_p384", ecdsa_raw_leading_zero_p384 },
	{ "ecdsa_method_wrong_curve", ecdsa_method_wrong_curve },
	{ "ecdsa_raw_wrong_length", ecdsa_raw_wrong_length },
	{ "ecdsa_raw_degenerate", ecdsa_raw_degenerate },
	{ "digital_length_byte", digital_length_byte },
	{ "digital_nothing_after_blob", digital_nothing_after_blob },
	{ "digital_unknown_blob", digital_unknown_blob },
	{ "digital_sha1_refused", digital_sha1_refused },
	{ "digital_hash_not_ours", digital_hash_not_ours },
	{ "blob_key_mismatch", blob_key_mismatch },
	{ "verify_unknown_method", verify_unknown_method },
	{ "sign_ed25519_no_identity", sign_ed25519_no_identity },
	{ "sign_ed25519_no_announcement", sign_ed25519_no_announcement },
	{ "sign_no_common_hash", sign_no_common_hash },
	{ "sign_enospc", sign_enospc },
	{ "wrong_key_p256b", wrong_key_p256b },
	{ "unsupported_key_types", unsupported_key_types },
	{ "errors_not_queued", errors_not_queued },
	{ "hashes_ours", hashes_ours },
	{ "hashes_parse_odd", hashes_parse_odd },
	{ "hashes_parse_unknown", hashes_parse_unknown },
	{ "sig_name_strings", sig_name_strings },
};

#define N_CASES	(ARRAY_SIZE(blobs) + ARRAY_SIZE(rts) + ARRAY_SIZE(cases))

static EVP_PKEY *load_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key = NULL;

	if (bio)
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return key;
}

/* The peer's key as sig_verify() gets it: public only. */
static EVP_PKEY *public_of(EVP_PKEY *key)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pk = NULL;
	int len = key ? i2d_PUBKEY(key, &der) : 0;

	if (len > 0) {
		p = der;
		pk = d2i_PUBKEY(NULL, &p, len);
	}
	OPENSSL_free(der);
	return pk;
}

int main(void)
{
	static const char *const pems[N_KEYS] = {
		[K_RSA] = rsa_pem, [K_P256] = p256_pem, [K_P256B] = p256b_pem,
		[K_P384] = p384_pem, [K_P521] = p521_pem, [K_ED] = ed_pem,
	};
	unsigned int i;

	printf("KTAP version 1\n1..%zu\n", N_CASES);
	for (i = 0; i < N_KEYS; i++) {
		priv[i] = load_key(pems[i]);
		pub[i] = public_of(priv[i]);
		if (!priv[i] || !pub[i]) {
			printf("Bail out! key %u does not load\n", i);
			return 1;
		}
	}
	ERR_clear_error();
	test_blobs();
	test_roundtrip();
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		result(cases[i].name, cases[i].fn());
	for (i = 0; i < N_KEYS; i++) {
		EVP_PKEY_free(priv[i]);
		EVP_PKEY_free(pub[i]);
	}
	printf("# sig_test: %u cases, %d failed\n", ncases, fails);
	return fails || ncases != N_CASES ? 1 : 0;
}
