/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * X.509 credentials for IKE_AUTH with certificates (RFC 7296 3.5-3.7,
 * 2.15; RFC 4945 for what an ID in a certificate means): our key and
 * certificates, the trust anchors we check peers against, identities
 * (ID payload bodies) including distinguished names, and verification of
 * the peer's chain.
 *
 * Everything works from memory (PEM bytes), so that tests need no files;
 * the daemon reads the files.  Helpers return 0 or -errno and never
 * print: where a reason helps the user, it goes to @err.
 */
#ifndef IKEHELPER_CRED_H
#define IKEHELPER_CRED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>

/* ID types (RFC 7296 3.5). */
#define ID_IPV4_ADDR		1
#define ID_FQDN			2
#define ID_RFC822_ADDR		3
#define ID_IPV6_ADDR		5
#define ID_DER_ASN1_DN		9

/* CERT encoding "X.509 Certificate - Signature" (RFC 7296 3.6). */
#define CERT_X509_SIGNATURE	4
/* Certificates in a chain, ours or the peer's (3.6: up to four). */
#define CRED_MAX_CERTS		4
/* An ID payload body: type, 3 reserved bytes, up to 1 KiB of data. */
#define CRED_ID_MAX		1028

struct cred;

/*
 * Our credentials: @cert_pem holds our certificate then any intermediates
 * we send (at most CRED_MAX_CERTS in all), @key_pem its private key (RSA,
 * EC P-256/384/521 or Ed25519, unencrypted: an encrypted one is refused),
 * @ca_pem one or more trust anchors.  The key must fit the certificate.
 */
int cred_load(const char *cert_pem, size_t cert_len, const char *key_pem,
	      size_t key_len, const char *ca_pem, size_t ca_len,
	      struct cred **out, char *err, size_t errlen);
void cred_free(struct cred *c);

EVP_PKEY *cred_key(const struct cred *c);
/* Our certificates as DER, leaf first. */
unsigned int cred_ncerts(const struct cred *c);
const uint8_t *cred_cert(const struct cred *c, unsigned int i, size_t *len);
/*
 * CERTREQ data (3.7): the SHA-1 hashes of each trust anchor's DER
 * SubjectPublicKeyInfo, concatenated (20 bytes each).
 */
const uint8_t *cred_certreq(const struct cred *c, size_t *len);

/*
 * The ID payload body (3.5: type, 3 reserved bytes, data) of an identity
 * as configured: an IPv4 or IPv6 address, a DN if it contains '='
 * ("C=CH, O=Example, CN=a.example", RDNs in DER order, "\," escapes a
 * comma), an RFC 822 address if it contains '@', else an FQDN.  An empty
 * @text with @c is @c's subject DN; a DN equal to @c's subject is sent in
 * @c's own encoding.  Returns the length, or -EINVAL (bad DN, empty
 * without @c) or -ENOSPC.
 */
int cred_id_encode(const char *text, const struct cred *c, uint8_t *out,
		   size_t max);
/* Two ID bodies name the same identity (DNs compared as names). */
bool cred_id_equal(const uint8_t *a, size_t alen, const uint8_t *b,
		   size_t blen);
/* An ID body as text for logs ("a.example", "CN=a.example", ...). */
const char *cred_id_text(const uint8_t *id, size_t len, char *buf,
			 size_t size);
/*
 * Our identity must be in our certificate, or peers reject us: -EACCES
 * with the reason in @err.
 */
int cred_check_own_id(const struct cred *c, const uint8_t *id, size_t len,
		      char *err, size_t errlen);

/*
 * The peer's certificates as received: der[0] the end entity, the rest
 * intermediates.  It must chain to @c's trust anchors at time @now
 * (depth at most 4, issuers CA:TRUE), its key usage (if present) must
 * allow signatures, a critical EKU must allow IKE, and the identity @id
 * must be in it: FQDN as a SAN dNSName, RFC 822 as a SAN rfc822Name,
 * addresses as a SAN iPAddress, a DN as the subject (never the CN).
 * Returns 0 and the end entity's public key in *key (the caller frees
 * it), -EBADMSG (a certificate does not parse), or -EACCES with the
 * reason in @err.
 */
int cred_verify_peer(const struct cred *c, const uint8_t *const *der,
		     const size_t *len, unsigned int n, time_t now,
		     const uint8_t *id, size_t idlen, EVP_PKEY **key,
		     char *err, size_t errlen);

#endif /* IKEHELPER_CRED_H */
