// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cred.c against the PEM vectors of cert_vectors.h (made with the OpenSSL
 * 3.0 CLI, see there):
 * - cred_load: RSA, ECDSA and Ed25519 credentials, a leaf with its
 *   intermediate (2 certificates) and 4 certificates load; a key that does
 *   not fit the certificate, an encrypted key, 5 certificates, no CA and
 *   garbage PEM are refused, each with its reason in err;
 * - cred_certreq: the SHA-1 of each anchor's DER SubjectPublicKeyInfo
 *   equals the CLI's (the hashes in cert_vectors.h's comment), once each;
 * - cred_verify_peer: good chains (with and without an intermediate, an
 *   ipsecIKE-only EKU) return the leaf's key; a wrong CA, expired and not
 *   yet valid (the time argument, from the leaf's own dates), an issuer
 *   with CA:FALSE, a critical codeSigning-only EKU, a KU without
 *   digitalSignature, a missing intermediate, 0 and 5 certificates are
 *   -EACCES; garbage DER and a trailing byte are -EBADMSG; the identity:
 *   FQDN (any case), RFC 822, IPv4, IPv6 and DN hits and misses, and an
 *   FQDN only in the CN never matches;
 * - cred_id_encode of every type, DN text with escapes and spaces, bad DNs
 *   (-EINVAL), the subject DN for an empty text, a DN equal to the subject
 *   sent in the subject's own DER, -ENOSPC;
 * - cred_id_equal: DNs across PrintableString and UTF8String, FQDN and
 *   RFC 822 case-insensitive, different types unequal;
 * - cred_id_text of each type and the text -> encode -> text round trip;
 * - cred_check_own_id hits and misses.
 * KTAP output; exit status 1 on any failure.  Built and run with ASan and
 * UBSan by `make -C ikehelper test`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "../cred.h"
#include "hex.h"
#include "cert_vectors.h"

#define NCASES	190
#define DAY	86400

static int fails;
static unsigned int n;

/* What an out-parameter holds before the call: it must be overwritten. */
static char poison_byte;
#define POISON	((void *)&poison_byte)

static void result(const char *name, int ok)
{
	if (!ok)
		fails++;
	printf("%sok %u %s\n", ok ? "" : "not ", ++n, name);
}


/* @err says @want (or @want is NULL). */
static int err_says(const char *err, const char *want)
{
	if (!want || strstr(err, want))
		return 1;
	printf("# err \"%s\", expected \"%s\"\n", err, want);
	return 0;
}

/* --- The vectors, parsed once ------------------------------------------- */

enum {
	A_RSA, A_ECDSA, A_ED, B_RSA, B_ECDSA, B_ED, C_EC, D_EC, INT, E_EC,
	NOTCA, NOSAN, CODESIGN, KUENC, IKEEKU, CA, CA2,
	/* Not certificates: bytes for cred_verify_peer. */
	X_GARBAGE, X_TRAIL, X_TRUNC, X_EMPTY, NV
};

static struct vec {
	const char *pem;
	X509 *x;
	uint8_t *der;
	size_t len;
} v[NV] = {
	[A_RSA] = { .pem = CV_A_RSA_PEM },
	[A_ECDSA] = { .pem = CV_A_ECDSA_PEM },
	[A_ED] = { .pem = CV_A_ED25519_PEM },
	[B_RSA] = { .pem = CV_B_RSA_PEM },
	[B_ECDSA] = { .pem = CV_B_ECDSA_PEM },
	[B_ED] = { .pem = CV_B_ED25519_PEM },
	[C_EC] = { .pem = CV_C_ECDSA_PEM },
	[D_EC] = { .pem = CV_D_ECDSA_PEM },
	[INT] = { .pem = CV_INT_PEM },
	[E_EC] = { .pem = CV_E_ECDSA_PEM },
	[NOTCA] = { .pem = CV_NOTCA_PEM },
	[NOSAN] = { .pem = CV_NOSAN_ECDSA_PEM },
	[CODESIGN] = { .pem = CV_CODESIGN_ECDSA_PEM },
	[KUENC] = { .pem = CV_KU_ENC_ECDSA_PEM },
	[IKEEKU] = { .pem = CV_IKEEKU_ECDSA_PEM },
	[CA] = { .pem = CV_CA_PEM },
	[CA2] = { .pem = CV_CA2_PEM },
};

static int setup(void)
{
	unsigned int i;

	for (i = 0; i < X_GARBAGE; i++) {
		BIO *bio = BIO_new_mem_buf(v[i].pem, -1);
		unsigned char *der = NULL;
		int l;

		v[i].x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
		if (!v[i].x || (l = i2d_X509(v[i].x, &der)) <= 0)
			return -1;
		v[i].der = der;
		v[i].len = (size_t)l;
	}
	/* A SEQUENCE header, then nothing like a certificate. */
	v[X_GARBAGE].len = 16;
	v[X_GARBAGE].der = malloc(16);
	/* a's certificate and one byte more, or one byte less. */
	v[X_TRAIL].len = v[A_ECDSA].len + 1;
	v[X_TRAIL].der = malloc(v[X_TRAIL].len);
	v[X_TRUNC].len = v[A_ECDSA].len - 1;
	v[X_TRUNC].der = malloc(v[X_TRUNC].len);
	v[X_EMPTY].der = malloc(1);
	if (!v[X_GARBAGE].der || !v[X_TRAIL].der || !v[X_TRUNC].der ||
	    !v[X_EMPTY].der)
		return -1;
	memcpy(v[X_GARBAGE].der, "\x30\x0e" "garbage DER...", 16);
	memcpy(v[X_TRAIL].der, v[A_ECDSA].der, v[A_ECDSA].len);
	v[X_TRAIL].der[v[A_ECDSA].len] = 0;
	memcpy(v[X_TRUNC].der, v[A_ECDSA].der, v[X_TRUNC].len);
	v[X_EMPTY].der[0] = 0x30;
	return 0;
}

static void teardown(void)
{
	unsigned int i;

	for (i = 0; i < NV; i++) {
		X509_free(v[i].x);
		if (i < X_GARBAGE)
			OPENSSL_free(v[i].der);
		else
			free(v[i].der);
	}
}

/* The certificate's own dates. */
static time_t cert_time(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!ASN1_TIME_to_tm(t, &tm))
		return 0;
	return timegm(&tm);
}

static time_t not_before(X509 *x)
{
	return cert_time(X509_get0_notBefore(x));
}

static time_t not_after(X509 *x)
{
	return cert_time(X509_get0_notAfter(x));
}

static int load(const char *cert, const char *key, const char *ca,
		struct cred **c, char *err, size_t errlen)
{
	return cred_load(cert, strlen(cert), key, strlen(key), ca, strlen(ca),
			 c, err, errlen);
}

/* An ID body from text, as the configuration would give it. */
static int id_of(const char *text, const struct cred *c, uint8_t *id)
{
	return cred_id_encode(text, c, id, CRED_ID_MAX);
}

/* A DER Name from up to 3 (type, value) pairs, built by OpenSSL alone. */
static size_t dn_der(const char *const rdn[][2], int type, uint8_t *out)
{
	X509_NAME *name = X509_NAME_new();
	unsigned char *der = NULL;
	int i, l = 0;

	for (i = 0; name && i < 3 && rdn[i][0]; i++) {
		const unsigned char *val = (const unsigned char *)rdn[i][1];

		if (!X509_NAME_add_entry_by_txt(name, rdn[i][0], type, val, -1,
						-1, 0))
			goto out;
	}
	l = name ? i2d_X509_NAME(name, &der) : 0;
	if (l > 0 && (size_t)l <= CRED_ID_MAX)
		memcpy(out, der, (size_t)l);
	else
		l = 0;
out:
	OPENSSL_free(der);
	X509_NAME_free(name);
	return (size_t)(l > 0 ? l : 0);
}

/* The ID body of @x's subject, as its certificate encodes it. */
static size_t subject_id(X509 *x, uint8_t *id)
{
	unsigned char *der = NULL;
	int l = i2d_X509_NAME(X509_get_subject_name(x), &der);

	if (l <= 0 || (size_t)l > CRED_ID_MAX - 4) {
		OPENSSL_free(der);
		return 0;
	}
	id[0] = ID_DER_ASN1_DN;
	id[1] = id[2] = id[3] = 0;
	memcpy(id + 4, der, (size_t)l);
	OPENSSL_free(der);
	return (size_t)l + 4;
}

/* --- cred_load ---------------------------------------------------------- */

static void test_load(void)
{
	static const struct {
		const char *name;
		const char *cert, *key, *ca;
		int ret;
		unsigned int ncerts;
		int leaf, second;	/* the DER we must get back, or -1 */
		const char *key_type;
		const char *err;
	} t[] = {
		{ "load_rsa", CV_A_RSA_PEM, CV_A_RSA_KEY, CV_CA_PEM, 0, 1,
		  A_RSA, -1, "RSA", NULL },
		{ "load_ecdsa", CV_A_ECDSA_PEM, CV_A_ECDSA_KEY, CV_CA_PEM, 0, 1,
		  A_ECDSA, -1, "EC", NULL },
		{ "load_ed25519", CV_A_ED25519_PEM, CV_A_ED25519_KEY, CV_CA_PEM,
		  0, 1, A_ED, -1, "ED25519", NULL },
		{ "load_b_rsa", CV_B_RSA_PEM, CV_B_RSA_KEY, CV_CA_PEM, 0, 1,
		  B_RSA, -1, "RSA", NULL },
		{ "load_b_ed25519", CV_B_ED25519_PEM, CV_B_ED25519_KEY,
		  CV_CA_PEM, 0, 1, B_ED, -1, "ED25519", NULL },
		{ "load_d_with_intermediate", CV_D_ECDSA_PEM CV_INT_PEM,
		  CV_D_ECDSA_KEY, CV_CA_PEM, 0, 2, D_EC, INT, "EC", NULL },
		{ "load_4_certs",
		  CV_A_ECDSA_PEM CV_INT_PEM CV_CA_PEM CV_CA2_PEM,
		  CV_A_ECDSA_KEY, CV_CA_PEM, 0, 4, A_ECDSA, INT, "EC", NULL },
		{ "load_two_anchors", CV_A_ECDSA_PEM, CV_A_ECDSA_KEY,
		  CV_CA_PEM CV_CA2_PEM, 0, 1, A_ECDSA, -1, "EC", NULL },
		{ "load_text_between_blocks", "leaf:\n" CV_A_ECDSA_PEM
		  "intermediate:\n" CV_INT_PEM "end\n", CV_A_ECDSA_KEY,
		  "anchor:\n" CV_CA_PEM, 0, 2, A_ECDSA, INT, "EC", NULL },
		{ "load_key_mismatch_rsa_ecdsa", CV_A_RSA_PEM, CV_A_ECDSA_KEY,
		  CV_CA_PEM, -EINVAL, 0, -1, -1, NULL,
		  "the private key does not belong to the certificate" },
		{ "load_key_mismatch_same_type", CV_A_ECDSA_PEM, CV_B_ECDSA_KEY,
		  CV_CA_PEM, -EINVAL, 0, -1, -1, NULL,
		  "the private key does not belong to the certificate" },
		{ "load_key_of_intermediate_order", CV_INT_PEM CV_D_ECDSA_PEM,
		  CV_D_ECDSA_KEY, CV_CA_PEM, -EINVAL, 0, -1, -1, NULL,
		  "does not belong" },
		{ "load_encrypted_key", CV_A_ECDSA_PEM, CV_ENC_KEY, CV_CA_PEM,
		  -EINVAL, 0, -1, -1, NULL, "the private key is encrypted" },
		{ "load_5_certs", CV_A_ECDSA_PEM CV_INT_PEM CV_CA_PEM CV_CA2_PEM
		  CV_B_ECDSA_PEM, CV_A_ECDSA_KEY, CV_CA_PEM, -E2BIG, 0, -1, -1,
		  NULL, "more than 4 certificates" },
		{ "load_no_ca", CV_A_ECDSA_PEM, CV_A_ECDSA_KEY, "", -EINVAL, 0,
		  -1, -1, NULL, "no CA certificate found" },
		{ "load_no_ca_text", CV_A_ECDSA_PEM, CV_A_ECDSA_KEY,
		  "no PEM here\n", -EINVAL, 0, -1, -1, NULL,
		  "no CA certificate found" },
		{ "load_key_as_ca", CV_A_ECDSA_PEM, CV_A_ECDSA_KEY,
		  CV_A_ECDSA_KEY, -EINVAL, 0, -1, -1, NULL,
		  "no CA certificate found" },
		{ "load_garbage_cert", "-----BEGIN CERTIFICATE-----\n"
		  "bm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
		  CV_A_ECDSA_KEY, CV_CA_PEM, -EINVAL, 0, -1, -1, NULL,
		  "the certificate does not parse" },
		{ "load_no_cert", "hello\n", CV_A_ECDSA_KEY, CV_CA_PEM, -EINVAL,
		  0, -1, -1, NULL, "no certificate found" },
		{ "load_garbage_after_cert", CV_A_ECDSA_PEM
		  "-----BEGIN CERTIFICATE-----\n!!!!\n"
		  "-----END CERTIFICATE-----\n", CV_A_ECDSA_KEY, CV_CA_PEM,
		  -EINVAL, 0, -1, -1, NULL,
		  "unreadable data after certificate 1" },
		{ "load_garbage_key", CV_A_ECDSA_PEM,
		  "-----BEGIN PRIVATE KEY-----\nAAAA\n"
		  "-----END PRIVATE KEY-----\n", CV_CA_PEM, -EINVAL, 0, -1, -1,
		  NULL, "no private key found" },
		{ "load_cert_as_key", CV_A_ECDSA_PEM, CV_A_ECDSA_PEM, CV_CA_PEM,
		  -EINVAL, 0, -1, -1, NULL, "no private key found" },
		{ "load_garbage_ca", CV_A_ECDSA_PEM, CV_A_ECDSA_KEY,
		  "-----BEGIN CERTIFICATE-----\nAAAA\n"
		  "-----END CERTIFICATE-----\n", -EINVAL, 0, -1, -1, NULL,
		  "the CA certificate does not parse" },
		{ "load_garbage_after_ca", CV_A_ECDSA_PEM, CV_A_ECDSA_KEY,
		  CV_CA_PEM "-----BEGIN CERTIFICATE-----\nAAAA\n"
		  "-----END CERTIFICATE-----\n", -EINVAL, 0, -1, -1, NULL,
		  "unreadable data after CA certificate 1" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct cred *c = POISON;
		char err[256] = "";
		const uint8_t *d;
		size_t dl;
		int ok;

		ok = load(t[i].cert, t[i].key, t[i].ca, &c, err,
			  sizeof(err)) == t[i].ret;
		if (t[i].ret) {
			ok = ok && !c && err_says(err, t[i].err);
		} else {
			ok = ok && c && !err[0] &&
			     cred_ncerts(c) == t[i].ncerts &&
			     EVP_PKEY_is_a(cred_key(c), t[i].key_type);
			d = ok ? cred_cert(c, 0, &dl) : NULL;
			ok = ok && d && dl == v[t[i].leaf].len &&
			     !memcmp(d, v[t[i].leaf].der, dl);
			if (ok && t[i].second >= 0) {
				d = cred_cert(c, 1, &dl);
				ok = d && dl == v[t[i].second].len &&
				     !memcmp(d, v[t[i].second].der, dl);
			}
			/* Past the end: NULL and 0. */
			dl = 1;
			ok = ok && !cred_cert(c, t[i].ncerts, &dl) && !dl;
		}
		cred_free(c != POISON ? c : NULL);
		result(t[i].name, ok);
	}

	{
		struct cred *c = NULL;
		char err[128] = "";

		result("load_null_pem",
		       cred_load(CV_A_ECDSA_PEM, strlen(CV_A_ECDSA_PEM),
				 CV_A_ECDSA_KEY, strlen(CV_A_ECDSA_KEY), NULL,
				 0, &c, err, sizeof(err)) == -EINVAL && !c &&
		       err[0]);
		/* No room for a reason is fine. */
		result("load_no_err_buffer",
		       load(CV_A_RSA_PEM, CV_A_ECDSA_KEY, CV_CA_PEM, &c, NULL,
			    0) == -EINVAL && !c);
	}
}

/* --- cred_certreq ------------------------------------------------------- */

/* From cert_vectors.h's comment: the CLI's SHA-1 of each DER SPKI. */
#define HASH_CA		"ba0b8c0eb9446fbaac02536b3e0b128a4a2297eb"
#define HASH_CA2	"fa09790da429c55d10160bab0ea1fb093088f061"

static void test_certreq(void)
{
	static const struct {
		const char *name;
		const char *ca;
		const char *hashes;
	} t[] = {
		{ "certreq_ca", CV_CA_PEM, HASH_CA },
		{ "certreq_ca2", CV_CA2_PEM, HASH_CA2 },
		{ "certreq_two_anchors", CV_CA_PEM CV_CA2_PEM,
		  HASH_CA HASH_CA2 },
		{ "certreq_two_anchors_reversed", CV_CA2_PEM CV_CA_PEM,
		  HASH_CA2 HASH_CA },
		{ "certreq_duplicate_once", CV_CA_PEM CV_CA2_PEM CV_CA_PEM,
		  HASH_CA HASH_CA2 },
		{ "certreq_intermediate_anchor", CV_INT_PEM CV_CA_PEM, NULL },
	};
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct cred *c = NULL;
		const uint8_t *h = NULL;
		size_t len = 0;
		char err[128] = "";
		int ok;

		ok = !load(CV_A_ECDSA_PEM, CV_A_ECDSA_KEY, t[i].ca, &c, err,
			   sizeof(err));
		if (ok)
			h = cred_certreq(c, &len);
		if (t[i].hashes) {
			ok = ok && h && eq_hex(h, len, t[i].hashes);
		} else {
			/* Two anchors, two different hashes, CA's second. */
			ok = ok && h && len == 40 &&
			     memcmp(h, h + 20, 20) &&
			     eq_hex(h + 20, 20, HASH_CA);
		}
		cred_free(c);
		result(t[i].name, ok);
	}
}

/* --- cred_verify_peer ---------------------------------------------------- */

enum { W_GOOD, W_FIRST, W_LAST, W_EXPIRED, W_NOTYET };
enum { T_CA, T_CA2, T_BOTH, NT };

static void test_verify(void)
{
	static const struct {
		const char *name;
		int trust;
		unsigned int n;
		int certs[5];
		int when;		/* relative to certs[0]'s dates */
		const char *id;
		int ret;
		const char *err;
	} t[] = {
		/* Chains. */
		{ "verify_a_rsa", T_CA, 1, { A_RSA }, W_GOOD, "a.example", 0,
		  NULL },
		{ "verify_a_ecdsa", T_CA, 1, { A_ECDSA }, W_GOOD, "a.example",
		  0, NULL },
		{ "verify_a_ed25519", T_CA, 1, { A_ED }, W_GOOD, "a.example", 0,
		  NULL },
		{ "verify_b_rsa", T_CA, 1, { B_RSA }, W_GOOD, "b.example", 0,
		  NULL },
		{ "verify_b_ed25519", T_CA, 1, { B_ED }, W_GOOD, "b.example", 0,
		  NULL },
		{ "verify_d_intermediate", T_CA, 2, { D_EC, INT }, W_GOOD,
		  "d.example", 0, NULL },
		{ "verify_d_intermediate_and_root", T_CA, 3, { D_EC, INT, CA },
		  W_GOOD, "d.example", 0, NULL },
		{ "verify_4_certs", T_CA, 4, { A_ECDSA, INT, CA2, B_ECDSA },
		  W_GOOD, "a.example", 0, NULL },
		{ "verify_ikeeku_accepted", T_CA, 1, { IKEEKU }, W_GOOD,
		  "ikeeku.example", 0, NULL },
		{ "verify_c_under_ca2", T_CA2, 1, { C_EC }, W_GOOD, "c.example",
		  0, NULL },
		{ "verify_c_two_anchors", T_BOTH, 1, { C_EC }, W_GOOD,
		  "c.example", 0, NULL },
		{ "verify_a_two_anchors", T_BOTH, 1, { A_ECDSA }, W_GOOD,
		  "a.example", 0, NULL },
		{ "verify_at_not_before", T_CA, 1, { A_ECDSA }, W_FIRST,
		  "a.example", 0, NULL },
		{ "verify_just_before_not_after", T_CA, 1, { A_ECDSA }, W_LAST,
		  "a.example", 0, NULL },
		/* Chains that fail. */
		{ "verify_wrong_ca", T_CA, 1, { C_EC }, W_GOOD, "c.example",
		  -EACCES, "unable to get local issuer certificate" },
		{ "verify_a_under_ca2", T_CA2, 1, { A_ECDSA }, W_GOOD,
		  "a.example", -EACCES, "unable to get local issuer" },
		{ "verify_expired", T_CA, 1, { A_ECDSA }, W_EXPIRED,
		  "a.example", -EACCES, "certificate has expired" },
		{ "verify_expired_d", T_CA, 2, { D_EC, INT }, W_EXPIRED,
		  "d.example", -EACCES, "expired" },
		{ "verify_not_yet_valid", T_CA, 1, { A_ECDSA }, W_NOTYET,
		  "a.example", -EACCES, "certificate is not yet valid" },
		{ "verify_notca_issuer", T_CA, 2, { E_EC, NOTCA }, W_GOOD,
		  "e.example", -EACCES, "invalid CA certificate" },
		{ "verify_e_alone", T_CA, 1, { E_EC }, W_GOOD, "e.example",
		  -EACCES, "unable to get local issuer" },
		{ "verify_codesign_eku", T_CA, 1, { CODESIGN }, W_GOOD,
		  "codesign.example", -EACCES,
		  "critical extendedKeyUsage does not allow IKE" },
		{ "verify_ku_no_signature", T_CA, 1, { KUENC }, W_GOOD,
		  "kuenc.example", -EACCES,
		  "keyUsage does not allow signatures" },
		{ "verify_d_without_intermediate", T_CA, 1, { D_EC }, W_GOOD,
		  "d.example", -EACCES, "unable to get local issuer" },
		{ "verify_intermediate_first", T_CA, 2, { INT, D_EC }, W_GOOD,
		  "d.example", -EACCES, NULL },
		{ "verify_0_certs", T_CA, 0, { 0 }, W_GOOD, "a.example",
		  -EACCES, "no certificate" },
		{ "verify_5_certs", T_CA, 5,
		  { A_ECDSA, INT, CA, CA2, B_ECDSA }, W_GOOD, "a.example",
		  -EACCES, "more than 4 certificates" },
		{ "verify_garbage_der", T_CA, 1, { X_GARBAGE }, W_GOOD,
		  "a.example", -EBADMSG, "certificate 1 does not parse" },
		{ "verify_trailing_byte", T_CA, 1, { X_TRAIL }, W_GOOD,
		  "a.example", -EBADMSG, "certificate 1 does not parse" },
		{ "verify_truncated", T_CA, 1, { X_TRUNC }, W_GOOD, "a.example",
		  -EBADMSG, "certificate 1 does not parse" },
		{ "verify_empty_cert", T_CA, 1, { X_EMPTY }, W_GOOD,
		  "a.example", -EBADMSG, "certificate 1 does not parse" },
		{ "verify_garbage_intermediate", T_CA, 2, { D_EC, X_TRAIL },
		  W_GOOD, "d.example", -EBADMSG,
		  "certificate 2 does not parse" },
		/* The identity. */
		{ "id_fqdn_hit", T_CA, 1, { A_ECDSA }, W_GOOD, "a.example", 0,
		  NULL },
		{ "id_fqdn_upper_case_hit", T_CA, 1, { A_ECDSA }, W_GOOD,
		  "A.EXAMPLE", 0, NULL },
		{ "id_fqdn_miss", T_CA, 1, { A_ECDSA }, W_GOOD, "b.example",
		  -EACCES, "b.example is not in the certificate's "
		  "subjectAltName" },
		{ "id_fqdn_suffix_miss", T_CA, 1, { A_ECDSA }, W_GOOD,
		  "example", -EACCES, "not in the certificate's" },
		{ "id_fqdn_wildcard_miss", T_CA, 1, { A_ECDSA }, W_GOOD,
		  "*.example", -EACCES, "not in the certificate's" },
		{ "id_rfc822_hit", T_CA, 1, { A_ECDSA }, W_GOOD,
		  "a@example.org", 0, NULL },
		{ "id_rfc822_miss", T_CA, 1, { A_ECDSA }, W_GOOD,
		  "b@example.org", -EACCES, "b@example.org is not in" },
		{ "id_rfc822_not_dns", T_CA, 1, { A_ECDSA }, W_GOOD,
		  "a@a.example", -EACCES, "not in the certificate's" },
		{ "id_ipv4_hit", T_CA, 1, { A_ECDSA }, W_GOOD, "10.0.0.1", 0,
		  NULL },
		{ "id_ipv4_miss", T_CA, 1, { A_ECDSA }, W_GOOD, "10.0.0.2",
		  -EACCES, "10.0.0.2 is not in" },
		{ "id_ipv4_b_hit", T_CA, 1, { B_ECDSA }, W_GOOD, "10.0.0.2", 0,
		  NULL },
		{ "id_ipv6_hit", T_CA, 1, { B_ECDSA }, W_GOOD, "fd00::2", 0,
		  NULL },
		{ "id_ipv6_long_form_hit", T_CA, 1, { B_RSA }, W_GOOD,
		  "fd00:0:0:0:0:0:0:2", 0, NULL },
		{ "id_ipv6_miss", T_CA, 1, { A_ECDSA }, W_GOOD, "fd00::2",
		  -EACCES, "fd00::2 is not in" },
		{ "id_ipv6_other_miss", T_CA, 1, { B_ECDSA }, W_GOOD, "fd00::1",
		  -EACCES, "fd00::1 is not in" },
		{ "id_dn_subject_hit", T_CA, 1, { A_ECDSA }, W_GOOD,
		  "O=Example, CN=a.example", 0, NULL },
		{ "id_dn_d_hit", T_CA, 2, { D_EC, INT }, W_GOOD,
		  "O=Example, CN=d.example", 0, NULL },
		{ "id_dn_other_miss", T_CA, 1, { A_ECDSA }, W_GOOD,
		  "O=Example, CN=b.example", -EACCES,
		  "O=Example, CN=b.example is not the certificate's subject" },
		{ "id_dn_cn_only_miss", T_CA, 1, { A_ECDSA }, W_GOOD,
		  "CN=a.example", -EACCES, "is not the certificate's subject" },
		{ "id_dn_order_miss", T_CA, 1, { A_ECDSA }, W_GOOD,
		  "CN=a.example, O=Example", -EACCES,
		  "is not the certificate's subject" },
		{ "id_dn_issuer_miss", T_CA, 1, { A_ECDSA }, W_GOOD,
		  "CN=ikehelper test CA", -EACCES,
		  "is not the certificate's subject" },
		{ "id_nosan_fqdn_refused", T_CA, 1, { NOSAN }, W_GOOD,
		  "nosan.example", -EACCES,
		  "nosan.example is not in the certificate's subjectAltName" },
		{ "id_nosan_dn_hit", T_CA, 1, { NOSAN }, W_GOOD,
		  "CN=nosan.example", 0, NULL },
	};
	struct cred *trust[NT] = { NULL };
	const char *anchors[NT] = { CV_CA_PEM, CV_CA2_PEM,
				    CV_CA_PEM CV_CA2_PEM };
	unsigned int i, j;
	char err[256];

	for (i = 0; i < NT; i++)
		if (load(CV_B_ECDSA_PEM, CV_B_ECDSA_KEY, anchors[i], &trust[i],
			 err, sizeof(err)))
			printf("# load: %s\n", err);

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const uint8_t *der[5];
		size_t len[5];
		uint8_t id[CRED_ID_MAX];
		EVP_PKEY *key = POISON;
		X509 *leaf = t[i].n ? v[t[i].certs[0]].x : NULL;
		X509 *dates = leaf ? leaf : v[A_ECDSA].x;
		time_t now = 0;
		int idlen, ret, ok;

		for (j = 0; j < t[i].n; j++) {
			der[j] = v[t[i].certs[j]].der;
			len[j] = v[t[i].certs[j]].len;
		}
		switch (t[i].when) {
		case W_GOOD:
			now = not_before(dates) + DAY;
			break;
		case W_FIRST:
			now = not_before(dates);
			break;
		case W_LAST:
			now = not_after(dates) - 1;
			break;
		case W_EXPIRED:
			now = not_after(dates) + 1;
			break;
		case W_NOTYET:
			now = not_before(dates) - 1;
			break;
		}
		idlen = id_of(t[i].id, NULL, id);
		err[0] = '\0';
		ret = trust[t[i].trust] && idlen > 0 && not_before(dates) > 0 ?
		      cred_verify_peer(trust[t[i].trust], der, len, t[i].n, now,
				       id, (size_t)idlen, &key, err,
				       sizeof(err)) : -1;
		ok = ret == t[i].ret;
		if (!ret) {
			/* The leaf's key, and ours to free. */
			ok = ok && key && key != POISON && leaf &&
			     EVP_PKEY_eq(key, X509_get0_pubkey(leaf)) == 1;
		} else {
			/* No key (and no leak) on failure, and a reason. */
			ok = ok && !key && err[0] && err_says(err, t[i].err);
		}
		if (key != POISON)
			EVP_PKEY_free(key);
		if (!ok)
			printf("# %s: ret %d, err \"%s\"\n", t[i].name, ret,
			       err);
		result(t[i].name, ok);
	}

	/*
	 * The DN the peer sends may use other string types than its
	 * certificate: PrintableString, built by hand, still names a.
	 */
	{
		static const char *const rdn[][2] = {
			{ "O", "Example" }, { "CN", "a.example" },
			{ NULL, NULL },
		};
		const uint8_t *der = v[A_ECDSA].der;
		size_t len = v[A_ECDSA].len;
		uint8_t id[CRED_ID_MAX] = { ID_DER_ASN1_DN };
		size_t dl = dn_der(rdn, V_ASN1_PRINTABLESTRING, id + 4);
		EVP_PKEY *key = NULL;
		int ok;

		ok = dl && trust[T_CA] &&
		     !cred_verify_peer(trust[T_CA], &der, &len, 1,
				       not_before(v[A_ECDSA].x) + DAY, id,
				       dl + 4, &key, err, sizeof(err)) && key;
		EVP_PKEY_free(key);
		result("id_dn_printablestring_hit", ok);
	}

	/* The returned key is the leaf's, not another one. */
	{
		const uint8_t *der[2] = { v[D_EC].der, v[INT].der };
		size_t len[2] = { v[D_EC].len, v[INT].len };
		uint8_t id[CRED_ID_MAX];
		int idlen = id_of("d.example", NULL, id);
		EVP_PKEY *key = NULL;
		int ok;

		ok = idlen > 0 && trust[T_CA] &&
		     !cred_verify_peer(trust[T_CA], der, len, 2,
				       not_before(v[D_EC].x) + DAY, id,
				       (size_t)idlen, &key, err, sizeof(err)) &&
		     key &&
		     EVP_PKEY_eq(key, X509_get0_pubkey(v[D_EC].x)) == 1 &&
		     EVP_PKEY_eq(key, X509_get0_pubkey(v[INT].x)) != 1 &&
		     EVP_PKEY_eq(key, X509_get0_pubkey(v[B_ECDSA].x)) != 1;
		EVP_PKEY_free(key);
		result("verify_key_is_leaf_not_intermediate", ok);
	}

	/* An ID body too short to have a type. */
	{
		const uint8_t *der = v[A_ECDSA].der;
		size_t len = v[A_ECDSA].len;
		const uint8_t id[3] = { ID_FQDN, 0, 0 };
		EVP_PKEY *key = NULL;

		result("id_short_body_refused",
		       trust[T_CA] &&
		       cred_verify_peer(trust[T_CA], &der, &len, 1,
					not_before(v[A_ECDSA].x) + DAY, id, 3,
					&key, err, sizeof(err)) == -EACCES &&
		       !key);
	}

	for (i = 0; i < NT; i++)
		cred_free(trust[i]);
}

/* --- cred_id_encode ------------------------------------------------------ */

static void test_id_encode(void)
{
	static const struct {
		const char *name;
		const char *text;
		int with_cred;		/* a's credentials */
		size_t max;		/* 0: CRED_ID_MAX */
		int ret;
		const char *hex;	/* the whole body, or NULL */
		const char *rdn[3][2];	/* else a DN body: these RDNs */
		int subject;		/* else a's subject, as in a's cert */
	} t[] = {
		{ "encode_ipv4", "10.0.0.1", 0, 0, 8,
		  .hex = "010000000a000001" },
		{ "encode_ipv6", "fd00::2", 0, 0, 20,
		  .hex = "05000000fd000000000000000000000000000002" },
		{ "encode_ipv6_mapped", "::ffff:10.0.0.1", 0, 0, 20,
		  .hex = "0500000000000000000000000000ffff0a000001" },
		{ "encode_fqdn", "a.example", 0, 0, 13,
		  .hex = "02000000612e6578616d706c65" },
		{ "encode_fqdn_case_kept", "A.Example", 0, 0, 13,
		  .hex = "02000000412e4578616d706c65" },
		{ "encode_rfc822", "a@example.org", 0, 0, 17,
		  .hex = "0300000061406578616d706c652e6f7267" },
		{ "encode_fqdn_with_cred", "a.example", 1, 0, 13,
		  .hex = "02000000612e6578616d706c65" },
		{ "encode_dn", "O=Example, CN=a.example", 0, 0, 44,
		  .hex = "09000000"
			 "30263110300e060355040a0c074578616d706c65"
			 "3112301006035504030c09612e6578616d706c65" },
		{ "encode_dn_country", "C=CH, O=Example, CN=a.example", 0, 0,
		  0, .rdn = { { "C", "CH" }, { "O", "Example" },
			      { "CN", "a.example" } } },
		{ "encode_dn_spaces", "  O = Example ,CN=a.example  ", 0, 0, 0,
		  .rdn = { { "O", "Example" }, { "CN", "a.example" } } },
		{ "encode_dn_inner_space_kept", "O=Example Inc, CN=a b", 0, 0,
		  0, .rdn = { { "O", "Example Inc" }, { "CN", "a b" } } },
		{ "encode_dn_escaped_comma", "O=Example\\, Inc., CN=a.example",
		  0, 0, 0,
		  .rdn = { { "O", "Example, Inc." }, { "CN", "a.example" } } },
		{ "encode_dn_escaped_backslash", "CN=a\\\\b", 0, 0, 0,
		  .rdn = { { "CN", "a\\b" } } },
		{ "encode_dn_escaped_spaces", "CN=\\ a\\ ", 0, 0, 0,
		  .rdn = { { "CN", " a " } } },
		{ "encode_dn_escaped_equals", "CN=a\\=b", 0, 0, 0,
		  .rdn = { { "CN", "a=b" } } },
		{ "encode_dn_plus_is_text", "CN=a+b", 0, 0, 0,
		  .rdn = { { "CN", "a+b" } } },
		{ "encode_dn_lower_case_type", "o=Example, cn=a.example", 0, 0,
		  0, .rdn = { { "O", "Example" }, { "CN", "a.example" } } },
		{ "encode_dn_long_names",
		  "organizationName=Example, commonName=a.example", 0, 0, 0,
		  .rdn = { { "O", "Example" }, { "CN", "a.example" } } },
		{ "encode_dn_oid", "2.5.4.10=Example, 2.5.4.3=a.example", 0, 0,
		  0, .rdn = { { "O", "Example" }, { "CN", "a.example" } } },
		{ "encode_dn_with_at", "CN=a@example.org", 0, 0, 0,
		  .rdn = { { "CN", "a@example.org" } } },
		{ "encode_dn_unknown_type", "XX=a, CN=a.example", 0, 0,
		  .ret = -EINVAL },
		{ "encode_dn_no_type", "=a.example", 0, 0, .ret = -EINVAL },
		{ "encode_dn_empty_value", "O=Example, CN=", 0, 0,
		  .ret = -EINVAL },
		{ "encode_dn_empty_rdn", "O=Example,, CN=a.example", 0, 0,
		  .ret = -EINVAL },
		{ "encode_dn_trailing_comma", "CN=a.example,", 0, 0,
		  .ret = -EINVAL },
		{ "encode_dn_trailing_backslash", "CN=a\\", 0, 0,
		  .ret = -EINVAL },
		{ "encode_dn_rdn_without_equals", "CN=a.example, Example", 0, 0,
		  .ret = -EINVAL },
		{ "encode_dn_country_too_long", "C=Switzerland", 0, 0,
		  .ret = -EINVAL },
		{ "encode_empty_without_cred", "", 0, 0, .ret = -EINVAL },
		{ "encode_empty_is_subject", "", 1, 0, 0, .subject = 1 },
		{ "encode_dn_subject_own_der", "o=example,cn=A.EXAMPLE", 1, 0,
		  0, .subject = 1 },
		{ "encode_dn_subject_spacing", "O = Example ,  CN = a.example",
		  1, 0, 0, .subject = 1 },
		{ "encode_dn_other_not_subject", "O=example, CN=B.example", 1,
		  0, 0, .rdn = { { "O", "example" }, { "CN", "B.example" } } },
		{ "encode_dn_subject_text_without_cred",
		  "o=example,cn=A.EXAMPLE", 0, 0, 0,
		  .rdn = { { "O", "example" }, { "CN", "A.EXAMPLE" } } },
		{ "encode_enospc_fqdn", "a.example", 0, 12, .ret = -ENOSPC },
		{ "encode_fits_exactly", "a.example", 0, 13, 13,
		  .hex = "02000000612e6578616d706c65" },
		{ "encode_enospc_ipv6", "fd00::2", 0, 19, .ret = -ENOSPC },
		{ "encode_enospc_tiny", "10.0.0.1", 0, 3, .ret = -ENOSPC },
		{ "encode_enospc_dn", "O=Example, CN=a.example", 0, 43,
		  .ret = -ENOSPC },
		{ "encode_enospc_subject", "", 1, 10, .ret = -ENOSPC },
	};
	struct cred *a = NULL;
	unsigned int i;
	char err[256] = "";

	if (load(CV_A_ECDSA_PEM, CV_A_ECDSA_KEY, CV_CA_PEM, &a, err,
		 sizeof(err)))
		printf("# load: %s\n", err);

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t out[CRED_ID_MAX + 8], want[CRED_ID_MAX];
		size_t max = t[i].max ? t[i].max : CRED_ID_MAX, wl = 0;
		int ret, ok;

		/* Nothing is written past max. */
		memset(out, 0xee, sizeof(out));
		ret = cred_id_encode(t[i].text, t[i].with_cred ? a : NULL, out,
				     max);
		ok = (!t[i].with_cred || a) && out[max] == 0xee;
		if (t[i].ret < 0) {
			ok = ok && ret == t[i].ret;
		} else if (t[i].hex) {
			ok = ok && ret == t[i].ret &&
			     eq_hex(out, (size_t)ret, t[i].hex);
		} else {
			if (t[i].subject) {
				wl = a ? subject_id(v[A_ECDSA].x, want) : 0;
			} else {
				want[0] = ID_DER_ASN1_DN;
				want[1] = want[2] = want[3] = 0;
				wl = dn_der(t[i].rdn, MBSTRING_UTF8, want + 4);
				wl = wl ? wl + 4 : 0;
			}
			ok = ok && wl && ret > 0 && (size_t)ret == wl &&
			     !memcmp(out, want, wl);
		}
		if (!ok)
			printf("# %s: ret %d\n", t[i].name, ret);
		result(t[i].name, ok);
	}

	/* NULL text is the empty text. */
	{
		uint8_t out[CRED_ID_MAX], want[CRED_ID_MAX];
		size_t wl = subject_id(v[A_ECDSA].x, want);
		int ret = a ? cred_id_encode(NULL, a, out, sizeof(out)) : -1;

		result("encode_null_is_subject",
		       cred_id_encode(NULL, NULL, out, sizeof(out)) ==
		       -EINVAL &&
		       wl && ret == (int)wl && !memcmp(out, want, wl));
	}
	cred_free(a);
}

/* --- cred_id_equal ------------------------------------------------------- */

static void test_id_equal(void)
{
	static const struct {
		const char *name;
		const char *a, *b;
		int eq;
	} t[] = {
		{ "equal_fqdn", "a.example", "a.example", 1 },
		{ "equal_fqdn_case", "a.example", "A.EXAMPLE", 1 },
		{ "equal_fqdn_other", "a.example", "b.example", 0 },
		{ "equal_fqdn_trailing_dot", "a.example", "a.example.", 0 },
		{ "equal_fqdn_prefix", "a.example", "a.exampl", 0 },
		{ "equal_rfc822_case", "a@example.org", "A@Example.ORG", 1 },
		{ "equal_rfc822_other", "a@example.org", "b@example.org", 0 },
		{ "equal_ipv4", "10.0.0.1", "10.0.0.1", 1 },
		{ "equal_ipv4_other", "10.0.0.1", "10.0.0.2", 0 },
		{ "equal_ipv6_forms", "fd00::2", "fd00:0:0::0:2", 1 },
		{ "equal_ipv6_other", "fd00::2", "fd00::3", 0 },
		{ "equal_dn", "O=Example, CN=a.example",
		  "O=Example,CN=a.example", 1 },
		{ "equal_dn_case_spacing", "O=Example, CN=a.example",
		  "o=EXAMPLE, cn=a.example ", 1 },
		{ "equal_dn_other", "O=Example, CN=a.example",
		  "O=Example, CN=b.example", 0 },
		{ "equal_dn_order", "O=Example, CN=a.example",
		  "CN=a.example, O=Example", 0 },
		{ "equal_dn_subset", "O=Example, CN=a.example", "CN=a.example",
		  0 },
		{ "equal_type_ipv4_ipv6", "10.0.0.1", "::ffff:10.0.0.1", 0 },
		{ "equal_type_fqdn_dn", "a.example", "CN=a.example", 0 },
		{ "equal_type_fqdn_rfc822", "a.example", "a@example", 0 },
	};
	static const char *const rdn[][2] = {
		{ "O", "Example" }, { "CN", "a.example" }, { NULL, NULL },
	};
	uint8_t a[CRED_ID_MAX], b[CRED_ID_MAX];
	unsigned int i;
	int al, bl;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		al = id_of(t[i].a, NULL, a);
		bl = id_of(t[i].b, NULL, b);
		result(t[i].name, al > 0 && bl > 0 &&
		       cred_id_equal(a, (size_t)al, b, (size_t)bl) == t[i].eq &&
		       cred_id_equal(b, (size_t)bl, a, (size_t)al) == t[i].eq);
	}

	/* PrintableString (by hand) against our UTF8String: one name. */
	{
		uint8_t p[CRED_ID_MAX] = { ID_DER_ASN1_DN };
		size_t pl = dn_der(rdn, V_ASN1_PRINTABLESTRING, p + 4);
		int ok;

		al = id_of("O=Example, CN=a.example", NULL, a);
		/* The bytes differ: tag 0x13 against 0x0c. */
		ok = pl && al > 0 && (size_t)al == pl + 4 &&
		     memcmp(a, p, pl + 4) && memchr(p + 4, 0x13, pl) &&
		     !memchr(a + 4, 0x13, (size_t)al - 4);
		result("equal_dn_printable_utf8",
		       ok && cred_id_equal(a, (size_t)al, p, pl + 4) &&
		       cred_id_equal(p, pl + 4, a, (size_t)al));
		bl = id_of("O=Example, CN=b.example", NULL, b);
		result("equal_dn_printable_other",
		       pl && bl > 0 &&
		       !cred_id_equal(b, (size_t)bl, p, pl + 4));
	}

	/* Same bytes, other type; reserved bytes; short and broken bodies. */
	{
		static const uint8_t f[] = { ID_FQDN, 0, 0, 0, 'a', '@', 'x' };
		static const uint8_t r[] = { ID_RFC822_ADDR, 0, 0, 0, 'a', '@',
					     'x' };
		static const uint8_t res[] = { ID_FQDN, 1, 2, 3, 'a', '@',
					       'X' };
		static const uint8_t dn[] = { ID_DER_ASN1_DN, 0, 0, 0, 0x30,
					      0x05, 0x31 };

		result("equal_type_same_data", !cred_id_equal(f, 7, r, 7) &&
		       cred_id_equal(f, 7, f, 7));
		result("equal_reserved_ignored", cred_id_equal(f, 7, res, 7));
		result("equal_short_bodies", !cred_id_equal(f, 3, f, 3) &&
		       !cred_id_equal(f, 4, f, 3));
		result("equal_broken_dn", !cred_id_equal(dn, 7, dn, 7));
	}
}

/* --- cred_id_text -------------------------------------------------------- */

static void test_id_text(void)
{
	static const struct {
		const char *name;
		const char *text;	/* encoded (a's cred), then printed */
		const char *want;
		int round_trip;		/* want encodes to the same body */
	} t[] = {
		{ "text_ipv4", "10.0.0.1", "10.0.0.1", 1 },
		{ "text_ipv6", "fd00::2", "fd00::2", 1 },
		{ "text_ipv6_long", "FD00:0:0:0:0:0:0:2", "fd00::2", 1 },
		{ "text_fqdn", "a.example", "a.example", 1 },
		{ "text_rfc822", "a@example.org", "a@example.org", 1 },
		{ "text_dn", "O=Example, CN=a.example",
		  "O=Example, CN=a.example", 1 },
		{ "text_subject", "", "O=Example, CN=a.example", 1 },
		{ "text_dn_other", "O=Example,CN=b.example",
		  "O=Example, CN=b.example", 1 },
		{ "text_dn_country", "C=CH, O=Example, CN=a.example",
		  "C=CH, O=Example, CN=a.example", 1 },
		{ "text_dn_escaped_comma", "O=Example\\, Inc., CN=a.example",
		  "O=Example\\, Inc., CN=a.example", 1 },
		{ "text_dn_escaped_spaces", "CN=\\ a b\\ ", "CN=\\ a b\\ ", 1 },
		{ "text_dn_utf8", "CN=Z\xc3\xbcrich", "CN=Z\\C3\\BCrich", 0 },
	};
	uint8_t id[CRED_ID_MAX], again[CRED_ID_MAX];
	struct cred *a = NULL;
	char buf[256], err[256] = "";
	unsigned int i;
	int l, l2;

	if (load(CV_A_ECDSA_PEM, CV_A_ECDSA_KEY, CV_CA_PEM, &a, err,
		 sizeof(err)))
		printf("# load: %s\n", err);

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *s;
		int ok;

		l = a ? id_of(t[i].text, a, id) : -1;
		s = l > 0 ? cred_id_text(id, (size_t)l, buf, sizeof(buf)) : "";
		ok = s == buf && !strcmp(buf, t[i].want);
		if (ok && t[i].round_trip) {
			l2 = id_of(buf, a, again);
			ok = l2 == l && !memcmp(id, again, (size_t)l);
		}
		if (!ok)
			printf("# %s: \"%s\"\n", t[i].name, l > 0 ? buf : "");
		result(t[i].name, ok);
	}

	/* Bodies no configuration makes. */
	{
		static const struct {
			const char *name;
			const char *hex;
			const char *want;
		} r[] = {
			{ "text_fqdn_control_bytes", "0200000061000a5c62",
			  "a\\x00\\x0a\\x5cb" },
			{ "text_short_body", "0200", "(ID of 2 bytes)" },
			{ "text_unknown_type", "0b000000010203",
			  "type 11 (3 bytes)" },
			{ "text_ipv4_bad_length", "010000000a0000",
			  "type 1 (3 bytes)" },
			{ "text_ipv6_bad_length", "050000000a000001",
			  "type 5 (4 bytes)" },
			{ "text_dn_broken", "090000003005",
			  "type 9 (2 bytes)" },
		};
		uint8_t raw[64];

		for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
			l = (int)unhex(r[i].hex, raw);
			cred_id_text(raw, (size_t)l, buf, sizeof(buf));
			if (strcmp(buf, r[i].want))
				printf("# %s: \"%s\"\n", r[i].name, buf);
			result(r[i].name, !strcmp(buf, r[i].want));
		}
	}

	/* A small buffer truncates, NUL-terminated. */
	{
		char small[5];
		int ok;

		l = id_of("a.example", NULL, id);
		memset(small, 'x', sizeof(small));
		ok = l > 0 && !strcmp(cred_id_text(id, (size_t)l, small,
						   sizeof(small)), "a.ex");
		l = a ? id_of("", a, id) : -1;
		memset(small, 'x', sizeof(small));
		ok = ok && l > 0 &&
		     !strcmp(cred_id_text(id, (size_t)l, small, sizeof(small)),
			     "O=Ex");
		result("text_truncated", ok);
	}
	cred_free(a);
}

/* --- cred_check_own_id ---------------------------------------------------- */

static void test_own_id(void)
{
	enum { OWN_A, OWN_B, OWN_NOSAN, NOWN };
	static const struct {
		const char *name;
		int who;
		const char *text;
		int ret;
		const char *err;
	} t[] = {
		{ "own_fqdn", OWN_A, "a.example", 0, NULL },
		{ "own_fqdn_case", OWN_A, "A.Example", 0, NULL },
		{ "own_rfc822", OWN_A, "a@example.org", 0, NULL },
		{ "own_ipv4", OWN_A, "10.0.0.1", 0, NULL },
		{ "own_ipv6", OWN_B, "fd00::2", 0, NULL },
		{ "own_subject_default", OWN_A, "", 0, NULL },
		{ "own_dn", OWN_A, "O=Example, CN=a.example", 0, NULL },
		{ "own_nosan_dn", OWN_NOSAN, "CN=nosan.example", 0, NULL },
		{ "own_fqdn_bad", OWN_A, "b.example", -EACCES,
		  "b.example is not in the certificate's subjectAltName" },
		{ "own_rfc822_bad", OWN_A, "b@example.org", -EACCES,
		  "b@example.org is not in the certificate's subjectAltName" },
		{ "own_ipv4_bad", OWN_B, "10.0.0.1", -EACCES,
		  "10.0.0.1 is not in the certificate's subjectAltName" },
		{ "own_ipv6_bad", OWN_A, "fd00::2", -EACCES,
		  "fd00::2 is not in the certificate's subjectAltName" },
		{ "own_dn_bad", OWN_A, "O=Example, CN=b.example", -EACCES,
		  "O=Example, CN=b.example is not the certificate's subject" },
		{ "own_nosan_cn_bad", OWN_NOSAN, "nosan.example", -EACCES,
		  "nosan.example is not in the certificate's subjectAltName" },
	};
	static const char *const pem[NOWN][2] = {
		[OWN_A] = { CV_A_RSA_PEM, CV_A_RSA_KEY },
		[OWN_B] = { CV_B_ECDSA_PEM, CV_B_ECDSA_KEY },
		[OWN_NOSAN] = { CV_NOSAN_ECDSA_PEM, CV_NOSAN_ECDSA_KEY },
	};
	struct cred *c[NOWN] = { NULL };
	uint8_t id[CRED_ID_MAX];
	char err[256];
	unsigned int i;

	for (i = 0; i < NOWN; i++)
		if (load(pem[i][0], pem[i][1], CV_CA_PEM, &c[i], err,
			 sizeof(err)))
			printf("# load: %s\n", err);

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct cred *own = c[t[i].who];
		int l = own ? id_of(t[i].text, own, id) : -1;
		int ret, ok;

		err[0] = '\0';
		ret = l > 0 ? cred_check_own_id(own, id, (size_t)l, err,
						sizeof(err)) : -1;
		ok = ret == t[i].ret &&
		     (t[i].ret ? err_says(err, t[i].err) : !err[0]);
		result(t[i].name, ok);
	}

	/* Other ID types and short bodies cannot be checked. */
	{
		static const uint8_t keyid[] = { 11, 0, 0, 0, 1, 2, 3 };

		err[0] = '\0';
		result("own_unknown_type",
		       c[OWN_A] &&
		       cred_check_own_id(c[OWN_A], keyid, sizeof(keyid), err,
					 sizeof(err)) == -EACCES &&
		       err_says(err, "ID type 11") &&
		       cred_check_own_id(c[OWN_A], keyid, 3, err,
					 sizeof(err)) == -EACCES);
	}
	for (i = 0; i < NOWN; i++)
		cred_free(c[i]);
}

int main(void)
{
	printf("KTAP version 1\n1..%d\n", NCASES);
	if (setup()) {
		printf("# cred_test: cannot parse cert_vectors.h\n");
		teardown();
		return 1;
	}
	test_load();
	test_certreq();
	test_verify();
	test_id_encode();
	test_id_equal();
	test_id_text();
	test_own_id();
	teardown();
	printf("# cred_test: %u cases, %d failed\n", n, fails);
	return fails || n != NCASES ? 1 : 0;
}
