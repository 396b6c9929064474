// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * X.509 credentials on OpenSSL 3 (see cred.h): loading our key and
 * certificates from PEM in memory, CERTREQ hashes (RFC 7296 3.7), ID
 * payload bodies (3.5) with distinguished names, and the peer's chain
 * (3.6) with the identity it must contain (RFC 4945 3.1).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "cred.h"

#define SHA1_LEN	20
/* Certificates, keys and CA files are small; anything larger is a mistake. */
#define CRED_PEM_MAX	(1 << 20)
/*
 * Chain depth for X509_VERIFY_PARAM_set_depth(): intermediates between
 * the peer's leaf and an anchor, which OpenSSL does not count.  The four
 * certificates of 3.6 carry at most three.
 */
#define CRED_VERIFY_DEPTH	4

struct cred {
	EVP_PKEY *key;
	X509 *leaf;
	unsigned int ncerts;
	uint8_t *der[CRED_MAX_CERTS];
	size_t derlen[CRED_MAX_CERTS];
	X509_STORE *store;
	uint8_t *certreq;
	size_t certreq_len;
};

static void __attribute__((format(printf, 3, 4)))
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* --- Loading ------------------------------------------------------------ */

/*
 * PEM password callback: never give a password, so that an encrypted key
 * fails to load instead of prompting on a terminal; note that one was
 * wanted so that the error can say why.
 */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(int *)u = 1;
	return 0;
}

/*
 * After PEM_read_bio_X509() returned NULL: the clean end of the input
 * (no further "-----BEGIN"; text between blocks is allowed) or a block
 * that does not parse.
 */
static bool pem_clean_end(void)
{
	unsigned long e = ERR_peek_last_error();

	return ERR_GET_LIB(e) == ERR_LIB_PEM &&
	       ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

/* cred_load() has checked @len against CRED_PEM_MAX. */
static BIO *mem_bio(const char *pem, size_t len)
{
	return BIO_new_mem_buf(pem, (int)len);
}

static int der_of(X509 *x, uint8_t **out, size_t *outlen)
{
	unsigned char *p = NULL;
	int l = i2d_X509(x, &p);

	if (l <= 0)
		return -ENOMEM;
	*out = p;
	*outlen = (size_t)l;
	return 0;
}

/* Key types we can sign with (sig.c): RSA, EC on the IKE curves, Ed25519. */
static bool key_type_ok(EVP_PKEY *key, char *err, size_t errlen)
{
	char group[64];
	size_t glen;

	if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "ED25519"))
		return true;
	if (!EVP_PKEY_is_a(key, "EC")) {
		seterr(err, errlen,
		       "unsupported private key type %s (RSA, EC or Ed25519)",
		       EVP_PKEY_get0_type_name(key) ?
		       EVP_PKEY_get0_type_name(key) : "?");
		return false;
	}
	/* RFC 4754 and RFC 7427 name hashes for these three curves only. */
	if (EVP_PKEY_get_group_name(key, group, sizeof(group), &glen) &&
	    (!strcmp(group, "prime256v1") || !strcmp(group, "secp384r1") ||
	     !strcmp(group, "secp521r1")))
		return true;
	seterr(err, errlen,
	       "unsupported EC curve (P-256, P-384 or P-521 only)");
	return false;
}

/* Our certificates: leaf first, then the intermediates we send. */
static int load_certs(struct cred *c, const char *pem, size_t len,
		      char *err, size_t errlen)
{
	BIO *bio = mem_bio(pem, len);
	X509 *x;
	int ret = 0;

	if (!bio)
		return -ENOMEM;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		if (c->ncerts == CRED_MAX_CERTS) {
			X509_free(x);
			seterr(err, errlen,
			       "more than %d certificates (RFC 7296 3.6)",
			       CRED_MAX_CERTS);
			ret = -E2BIG;
			goto out;
		}
		ret = der_of(x, &c->der[c->ncerts], &c->derlen[c->ncerts]);
		if (ret) {
			X509_free(x);
			goto out;
		}
		c->ncerts++;
		if (!c->leaf)
			c->leaf = x;
		else
			X509_free(x);
	}
	if (!pem_clean_end() && !c->ncerts) {
		seterr(err, errlen, "the certificate does not parse");
		ret = -EINVAL;
	} else if (!c->ncerts) {
		seterr(err, errlen, "no certificate found (PEM expected)");
		ret = -EINVAL;
	} else if (!pem_clean_end()) {
		seterr(err, errlen,
		       "unreadable data after certificate %u", c->ncerts);
		ret = -EINVAL;
	}
out:
	ERR_clear_error();
	BIO_free(bio);
	return ret;
}

static int load_key(struct cred *c, const char *pem, size_t len, char *err,
		    size_t errlen)
{
	BIO *bio = mem_bio(pem, len);
	int asked = 0;

	if (!bio)
		return -ENOMEM;
	c->key = PEM_read_bio_PrivateKey(bio, NULL, no_password, &asked);
	BIO_free(bio);
	ERR_clear_error();
	if (!c->key) {
		seterr(err, errlen, asked ?
		       "the private key is encrypted (it must not be)" :
		       "no private key found (PEM expected)");
		return -EINVAL;
	}
	if (!key_type_ok(c->key, err, errlen))
		return -EINVAL;
	if (X509_check_private_key(c->leaf, c->key) != 1) {
		ERR_clear_error();
		seterr(err, errlen,
		       "the private key does not belong to the certificate");
		return -EINVAL;
	}
	return 0;
}

/*
 * CERTREQ hash of an anchor (RFC 7296 3.7): SHA-1 of the whole DER
 * SubjectPublicKeyInfo, as strongSwan and iked compute it.  Not
 * X509_pubkey_digest(), which hashes the key's BIT STRING only.
 */
static int spki_sha1(X509 *ca, uint8_t out[SHA1_LEN])
{
	unsigned char *spki = NULL;
	unsigned int olen = 0;
	int l, ok;

	l = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(ca), &spki);
	if (l <= 0)
		return -ENOMEM;
	ok = EVP_Digest(spki, (size_t)l, out, &olen, EVP_sha1(), NULL);
	OPENSSL_free(spki);
	return ok && olen == SHA1_LEN ? 0 : -EIO;
}

static int load_anchors(struct cred *c, const char *pem, size_t len,
			char *err, size_t errlen)
{
	BIO *bio = mem_bio(pem, len);
	unsigned int n = 0;
	X509 *x;
	int ret = 0;

	c->store = X509_STORE_new();
	if (!bio || !c->store) {
		BIO_free(bio);
		return -ENOMEM;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		uint8_t h[SHA1_LEN], *grown;
		size_t i;

		n++;
		ret = spki_sha1(x, h);
		if (!ret && !X509_STORE_add_cert(c->store, x))
			ret = -ENOMEM;
		X509_free(x);
		if (ret)
			goto out;
		/* The same anchor twice (or its key twice): one hash. */
		for (i = 0; i < c->certreq_len; i += SHA1_LEN)
			if (!memcmp(c->certreq + i, h, SHA1_LEN))
				break;
		if (i < c->certreq_len)
			continue;
		grown = realloc(c->certreq, c->certreq_len + SHA1_LEN);
		if (!grown) {
			ret = -ENOMEM;
			goto out;
		}
		c->certreq = grown;
		memcpy(c->certreq + c->certreq_len, h, SHA1_LEN);
		c->certreq_len += SHA1_LEN;
	}
	if (!pem_clean_end() && !n) {
		seterr(err, errlen, "the CA certificate does not parse");
		ret = -EINVAL;
	} else if (!n) {
		seterr(err, errlen, "no CA certificate found (PEM expected)");
		ret = -EINVAL;
	} else if (!pem_clean_end()) {
		seterr(err, errlen,
		       "unreadable data after CA certificate %u", n);
		ret = -EINVAL;
	}
out:
	ERR_clear_error();
	BIO_free(bio);
	return ret;
}

int cred_load(const char *cert_pem, size_t cert_len, const char *key_pem,
	      size_t key_len, const char *ca_pem, size_t ca_len,
	      struct cred **out, char *err, size_t errlen)
{
	struct cred *c;
	int ret;

	*out = NULL;
	if (!cert_pem || !key_pem || !ca_pem || cert_len > CRED_PEM_MAX ||
	    key_len > CRED_PEM_MAX || ca_len > CRED_PEM_MAX) {
		seterr(err, errlen, "no PEM data, or more than %d bytes",
		       CRED_PEM_MAX);
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	ret = load_certs(c, cert_pem, cert_len, err, errlen);
	if (!ret)
		ret = load_key(c, key_pem, key_len, err, errlen);
	if (!ret)
		ret = load_anchors(c, ca_pem, ca_len, err, errlen);
	if (ret) {
		cred_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

void cred_free(struct cred *c)
{
	unsigned int i;

	if (!c)
		return;
	EVP_PKEY_free(c->key);
	X509_free(c->leaf);
	for (i = 0; i < c->ncerts; i++)
		OPENSSL_free(c->der[i]);
	X509_STORE_free(c->store);
	free(c->certreq);
	free(c);
}

EVP_PKEY *cred_key(const struct cred *c)
{
	return c->key;
}

unsigned int cred_ncerts(const struct cred *c)
{
	return c->ncerts;
}

const uint8_t *cred_cert(const struct cred *c, unsigned int i, size_t *len)
{
	if (i >= c->ncerts) {
		*len = 0;
		return NULL;
	}
	*len = c->derlen[i];
	return c->der[i];
}

const uint8_t *cred_certreq(const struct cred *c, size_t *len)
{
	*len = c->certreq_len;
	return c->certreq;
}

/* --- Identities (RFC 7296 3.5) ----------------------------------------- */

/* A DER Name that is exactly @len bytes, or NULL. */
static X509_NAME *name_d2i(const uint8_t *p, size_t len)
{
	const unsigned char *q = p;
	X509_NAME *n;

	if (!len || len > LONG_MAX)
		return NULL;
	n = d2i_X509_NAME(NULL, &q, (long)len);
	if (n && q != p + len) {
		X509_NAME_free(n);
		n = NULL;
	}
	if (!n)
		ERR_clear_error();
	return n;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * One "TYPE=value" RDN in s[0..len), escapes still in: a backslash makes
 * the next character stand for itself ("\," a comma, "\\" a backslash,
 * "\ " a space that is not trimmed).  Spaces around the type and the
 * value are dropped.  Each RDN is single-valued: '+' is an ordinary
 * character.
 */
static int add_rdn(X509_NAME *name, const char *s, size_t len)
{
	const char *r = s, *end = s + len, *type, *tend;
	ASN1_OBJECT *obj;
	char *val, *w, *t, *keep;
	int ret = -EINVAL;

	/* The type: up to the first '=', without escapes. */
	while (r < end && is_space(*r))
		r++;
	type = r;
	while (r < end && *r != '=' && *r != '\\')
		r++;
	if (r == end || *r != '=')
		return -EINVAL;
	tend = r;
	while (tend > type && is_space(tend[-1]))
		tend--;
	if (tend == type)
		return -EINVAL;
	for (r++; r < end && is_space(*r); r++)
		;
	val = malloc((size_t)(end - r) + (size_t)(tend - type) + 2);
	if (!val)
		return -ENOMEM;
	/* The value, unescaped; trailing spaces go unless escaped. */
	for (w = keep = val; r < end; r++) {
		if (*r == '\\') {
			if (++r == end)
				goto out;
			*w++ = *r;
			keep = w;
		} else {
			*w++ = *r;
			if (!is_space(*r))
				keep = w;
		}
	}
	*keep = '\0';
	if (keep == val)
		goto out;
	/* The type, NUL-terminated, after the value in the same buffer. */
	w = keep + 1;
	memcpy(w, type, (size_t)(tend - type));
	w[tend - type] = '\0';
	/*
	 * Types are OpenSSL's short or long names ("CN", "commonName") or
	 * dotted OIDs; short names also in lower case ("cn"), as strongSwan
	 * takes them.
	 */
	obj = OBJ_txt2obj(w, 0);
	if (!obj) {
		for (t = w; *t; t++)
			*t = (char)toupper((unsigned char)*t);
		obj = OBJ_txt2obj(w, 0);
	}
	/*
	 * UTF8String, as strongSwan, Libreswan and "openssl req" encode; the
	 * OpenSSL string table still makes countryName a 2-letter
	 * PrintableString.  An unknown type, or a value that does not fit
	 * its type, fails here.
	 */
	if (obj && X509_NAME_add_entry_by_OBJ(name, obj, MBSTRING_UTF8,
					      (const unsigned char *)val,
					      (int)(keep - val), -1, 0))
		ret = 0;
	ASN1_OBJECT_free(obj);
	ERR_clear_error();
out:
	free(val);
	return ret;
}

/* "C=CH, O=Example, CN=a.example" (DER order) to a DER Name. */
static int dn_encode(const char *text, uint8_t **der, size_t *derlen)
{
	X509_NAME *name = X509_NAME_new();
	const char *p = text, *start = text;
	unsigned char *out = NULL;
	int ret = 0, l;

	if (!name)
		return -ENOMEM;
	for (;; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p != ',' && *p)
			continue;
		ret = add_rdn(name, start, (size_t)(p - start));
		if (ret || !*p)
			break;
		start = p + 1;
	}
	if (!ret) {
		l = i2d_X509_NAME(name, &out);
		if (l > 0) {
			*der = out;
			*derlen = (size_t)l;
		} else {
			ret = -ENOMEM;
		}
	}
	X509_NAME_free(name);
	ERR_clear_error();
	return ret;
}

static int id_put(uint8_t type, const void *data, size_t len, uint8_t *out,
		  size_t max)
{
	if (len > INT_MAX - 4 || max < 4 + len)
		return -ENOSPC;
	out[0] = type;
	out[1] = out[2] = out[3] = 0;
	memcpy(out + 4, data, len);
	return (int)(4 + len);
}

/* Our subject as we send it: the certificate's own bytes (3.5). */
static int id_put_subject(const struct cred *c, uint8_t *out, size_t max)
{
	unsigned char *der = NULL;
	int l, ret;

	l = i2d_X509_NAME(X509_get_subject_name(c->leaf), &der);
	if (l <= 0)
		return -ENOMEM;
	ret = id_put(ID_DER_ASN1_DN, der, (size_t)l, out, max);
	OPENSSL_free(der);
	return ret;
}

int cred_id_encode(const char *text, const struct cred *c, uint8_t *out,
		   size_t max)
{
	uint8_t addr[16], *der = NULL;
	X509_NAME *name;
	size_t derlen;
	int ret;

	if (!text || !*text)
		return c ? id_put_subject(c, out, max) : -EINVAL;
	if (inet_pton(AF_INET, text, addr) == 1)
		return id_put(ID_IPV4_ADDR, addr, 4, out, max);
	if (inet_pton(AF_INET6, text, addr) == 1)
		return id_put(ID_IPV6_ADDR, addr, 16, out, max);
	if (!strchr(text, '=')) {
		return id_put(strchr(text, '@') ? ID_RFC822_ADDR : ID_FQDN,
			      text, strlen(text), out, max);
	}
	ret = dn_encode(text, &der, &derlen);
	if (ret)
		return ret;
	/*
	 * The same name as our subject (X509_NAME_cmp ignores string types,
	 * case and spacing): send the certificate's bytes, so that a peer
	 * comparing IDs bytewise with the certificate still matches.
	 */
	if (c) {
		name = name_d2i(der, derlen);
		if (name && !X509_NAME_cmp(name,
					   X509_get_subject_name(c->leaf))) {
			X509_NAME_free(name);
			OPENSSL_free(der);
			return id_put_subject(c, out, max);
		}
		X509_NAME_free(name);
	}
	ret = id_put(ID_DER_ASN1_DN, der, derlen, out, max);
	OPENSSL_free(der);
	return ret;
}

static bool ascii_caseeq(const uint8_t *a, const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return false;
	}
	return true;
}

bool cred_id_equal(const uint8_t *a, size_t alen, const uint8_t *b,
		   size_t blen)
{
	X509_NAME *na, *nb;
	bool eq;

	/* The 3 reserved bytes are ignored on receipt (3.5). */
	if (alen < 4 || blen < 4 || a[0] != b[0])
		return false;
	switch (a[0]) {
	case ID_DER_ASN1_DN:
		/* As names: a peer may use PrintableString where we do not. */
		na = name_d2i(a + 4, alen - 4);
		nb = name_d2i(b + 4, blen - 4);
		eq = na && nb && !X509_NAME_cmp(na, nb);
		X509_NAME_free(na);
		X509_NAME_free(nb);
		return eq;
	case ID_FQDN:
	case ID_RFC822_ADDR:
		/*
		 * DNS names are case-insensitive (RFC 4343); addresses are
		 * compared alike, as strongSwan and Libreswan do.
		 */
		return alen == blen && ascii_caseeq(a + 4, b + 4, alen - 4);
	}
	return alen == blen && !memcmp(a + 4, b + 4, alen - 4);
}

/* Printable ASCII as is, the rest as \xNN, so that logs stay one line. */
static void text_escaped(const uint8_t *p, size_t len, char *buf, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 1 < size; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
			buf[o++] = (char)p[i];
		} else if (o + 4 < size) {
			snprintf(buf + o, size - o, "\\x%02x", p[i]);
			o += 4;
		} else {
			break;
		}
	}
	buf[o] = '\0';
}

/*
 * A DN in DER order as "O=Example, CN=a.example": XN_FLAG_ONELINE
 * without the spaces around '=' and without quoting, so that
 * cred_id_encode() reads ASCII names back (specials are escaped RFC 2253
 * style, "\,"; control and non-ASCII bytes print as "\XX", unknown
 * attribute values as "#" and hex DER, so that logs stay one line).
 */
#define DN_PRINT_FLAGS	(XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ & \
			 ~ASN1_STRFLGS_ESC_QUOTE)

static bool dn_text(const uint8_t *der, size_t len, char *buf, size_t size)
{
	X509_NAME *n = name_d2i(der, len);
	BIO *bio;
	char *p;
	long l;
	bool ok = false;

	if (!n)
		return false;
	bio = BIO_new(BIO_s_mem());
	if (bio && X509_NAME_print_ex(bio, n, 0, DN_PRINT_FLAGS) >= 0) {
		l = BIO_get_mem_data(bio, &p);
		if (l > 0) {
			size_t take = (size_t)l < size ? (size_t)l : size - 1;

			memcpy(buf, p, take);
			buf[take] = '\0';
			ok = true;
		} else if (!l) {
			snprintf(buf, size, "(empty DN)");
			ok = true;
		}
	}
	BIO_free(bio);
	X509_NAME_free(n);
	ERR_clear_error();
	return ok;
}

const char *cred_id_text(const uint8_t *id, size_t len, char *buf,
			 size_t size)
{
	char addr[INET6_ADDRSTRLEN];
	const uint8_t *d;
	size_t dl;

	if (!size)
		return buf;
	if (!id || len < 4) {
		snprintf(buf, size, "(ID of %zu bytes)", id ? len : 0);
		return buf;
	}
	d = id + 4;
	dl = len - 4;
	switch (id[0]) {
	case ID_IPV4_ADDR:
		if (dl == 4 && inet_ntop(AF_INET, d, addr, sizeof(addr))) {
			snprintf(buf, size, "%s", addr);
			return buf;
		}
		break;
	case ID_IPV6_ADDR:
		if (dl == 16 && inet_ntop(AF_INET6, d, addr, sizeof(addr))) {
			snprintf(buf, size, "%s", addr);
			return buf;
		}
		break;
	case ID_FQDN:
	case ID_RFC822_ADDR:
		text_escaped(d, dl, buf, size);
		return buf;
	case ID_DER_ASN1_DN:
		if (dn_text(d, dl, buf, size))
			return buf;
		break;
	}
	snprintf(buf, size, "type %u (%zu bytes)", id[0], dl);
	return buf;
}

/* --- Identity in a certificate (RFC 4945 3.1) ----------------------------- */

/*
 * The ID must be in the certificate: FQDN as a SAN dNSName, RFC 822 as a
 * SAN rfc822Name, addresses as a SAN iPAddress, a DN as the subject.
 * Never the subject's CN or emailAddress: a CA that vouches for a name
 * in the CN has not vouched for it as a host name.  Wildcards in the
 * certificate are not honoured.
 */
static int id_in_cert(X509 *x, const uint8_t *id, size_t len, char *err,
		      size_t errlen)
{
	const unsigned int never_subject = X509_CHECK_FLAG_NEVER_CHECK_SUBJECT;
	const uint8_t *d;
	char txt[256];
	X509_NAME *n;
	size_t dl;
	int hit = 0;

	if (!id || len < 4) {
		seterr(err, errlen, "no identity to look for");
		return -EACCES;
	}
	d = id + 4;
	dl = len - 4;
	cred_id_text(id, len, txt, sizeof(txt));
	/*
	 * OpenSSL reads a 0 length as "NUL-terminated": never pass one, and
	 * an embedded NUL makes the name match nothing.
	 */
	switch (id[0]) {
	case ID_FQDN:
		hit = dl && X509_check_host(x, (const char *)d, dl,
					    never_subject |
					    X509_CHECK_FLAG_NO_WILDCARDS,
					    NULL) == 1;
		break;
	case ID_RFC822_ADDR:
		hit = dl && X509_check_email(x, (const char *)d, dl,
					     never_subject) == 1;
		break;
	case ID_IPV4_ADDR:
	case ID_IPV6_ADDR:
		hit = dl == (id[0] == ID_IPV4_ADDR ? 4u : 16u) &&
		      X509_check_ip(x, d, dl, 0) == 1;
		break;
	case ID_DER_ASN1_DN:
		/* An empty name names no one, even an empty subject. */
		n = name_d2i(d, dl);
		hit = n && X509_NAME_entry_count(n) > 0 &&
		      !X509_NAME_cmp(X509_get_subject_name(x), n);
		X509_NAME_free(n);
		if (!hit)
			seterr(err, errlen,
			       "%s is not the certificate's subject", txt);
		ERR_clear_error();
		return hit ? 0 : -EACCES;
	default:
		seterr(err, errlen,
		       "ID type %u cannot be checked against a certificate",
		       id[0]);
		return -EACCES;
	}
	ERR_clear_error();
	if (hit)
		return 0;
	seterr(err, errlen, "%s is not in the certificate's subjectAltName",
	       txt);
	return -EACCES;
}

int cred_check_own_id(const struct cred *c, const uint8_t *id, size_t len,
		      char *err, size_t errlen)
{
	return id_in_cert(c->leaf, id, len, err, errlen);
}

/* --- The peer's certificates (RFC 7296 3.6) ------------------------------- */

/*
 * Leaf usage (RFC 4945 5.1.3.2, 5.1.3.12): a keyUsage, if present, must
 * allow signatures; a critical EKU must allow IKE (or anything, or TLS
 * server/client, which deployed IKE certificates carry).  A non-critical
 * EKU is only a hint and ignored.
 */
static int leaf_usage_ok(X509 *leaf, char *err, size_t errlen)
{
	EXTENDED_KEY_USAGE *eku;
	bool ok = false;
	int idx, i;

	if ((X509_get_extension_flags(leaf) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(leaf) &
	      (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION))) {
		seterr(err, errlen,
		       "the certificate's keyUsage does not allow signatures");
		return -EACCES;
	}
	idx = X509_get_ext_by_NID(leaf, NID_ext_key_usage, -1);
	if (idx < 0 ||
	    !X509_EXTENSION_get_critical(X509_get_ext(leaf, idx)))
		return 0;
	/* NULL if it does not parse (or is there twice): refused. */
	eku = X509_get_ext_d2i(leaf, NID_ext_key_usage, NULL, NULL);
	for (i = 0; eku && i < sk_ASN1_OBJECT_num(eku); i++) {
		switch (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i))) {
		case NID_ipsec_IKE:
		case NID_anyExtendedKeyUsage:
		case NID_server_auth:
		case NID_client_auth:
			ok = true;
		}
	}
	EXTENDED_KEY_USAGE_free(eku);
	ERR_clear_error();
	if (ok)
		return 0;
	seterr(err, errlen, "the certificate's critical extendedKeyUsage "
	       "does not allow IKE");
	return -EACCES;
}

static int chain_ok(const struct cred *c, X509 *leaf, STACK_OF(X509) *rest,
		    time_t now, char *err, size_t errlen)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *param;
	int ret = -EACCES;

	if (!ctx)
		return -ENOMEM;
	if (!X509_STORE_CTX_init(ctx, c->store, leaf, rest)) {
		ret = -ENOMEM;
		goto out;
	}
	/*
	 * The caller's clock (tests need a fixed one).  No purpose: OpenSSL
	 * has none for IKE, and a TLS one would demand a TLS EKU.  Issuers
	 * are still held to CA:TRUE (x509_vfy.c check_chain() calls
	 * X509_check_ca() whatever the purpose).
	 */
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, now);
	X509_VERIFY_PARAM_set_depth(param, CRED_VERIFY_DEPTH);
	if (X509_verify_cert(ctx) == 1) {
		ret = 0;
	} else if (X509_STORE_CTX_get_error(ctx) == X509_V_OK) {
		/* An internal error, not a verdict on the chain. */
		seterr(err, errlen, "certificate chain: verification failed");
	} else {
		int e = X509_STORE_CTX_get_error(ctx);

		seterr(err, errlen, "certificate chain: %s (depth %d)",
		       X509_verify_cert_error_string(e),
		       X509_STORE_CTX_get_error_depth(ctx));
	}
out:
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return ret;
}

/*
 * No certificate, or more than 3.6 lets a peer send, is -EACCES (the
 * peer failed to authenticate: AUTHENTICATION_FAILED), not -EBADMSG (a
 * CERT payload whose data is not exactly one DER certificate).
 */
int cred_verify_peer(const struct cred *c, const uint8_t *const *der,
		     const size_t *len, unsigned int n, time_t now,
		     const uint8_t *id, size_t idlen, EVP_PKEY **key,
		     char *err, size_t errlen)
{
	STACK_OF(X509) *rest = NULL;
	X509 *leaf = NULL;
	unsigned int i;
	int ret;

	*key = NULL;
	if (!n) {
		seterr(err, errlen, "no certificate");
		return -EACCES;
	}
	if (n > CRED_MAX_CERTS) {
		seterr(err, errlen, "more than %d certificates (RFC 7296 3.6)",
		       CRED_MAX_CERTS);
		return -EACCES;
	}
	rest = sk_X509_new_null();
	if (!rest)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const unsigned char *p = der[i];
		X509 *x;

		x = len[i] && len[i] <= LONG_MAX ?
		    d2i_X509(NULL, &p, (long)len[i]) : NULL;
		if (!x || p != der[i] + len[i]) {
			X509_free(x);
			seterr(err, errlen, "certificate %u does not parse",
			       i + 1);
			ret = -EBADMSG;
			goto out;
		}
		if (!i) {
			leaf = x;
		} else if (!sk_X509_push(rest, x)) {
			X509_free(x);
			ret = -ENOMEM;
			goto out;
		}
	}
	ret = chain_ok(c, leaf, rest, now, err, errlen);
	if (!ret)
		ret = leaf_usage_ok(leaf, err, errlen);
	if (!ret)
		ret = id_in_cert(leaf, id, idlen, err, errlen);
	if (!ret) {
		*key = X509_get_pubkey(leaf);
		if (!*key)
			ret = -ENOMEM;
	}
out:
	ERR_clear_error();
	X509_free(leaf);
	sk_X509_pop_free(rest, X509_free);
	return ret;
}
