// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An initiator and a responder in one process, wired by a mock backend:
 * datagrams go into the other side's queue, Child SAs are recorded.  Each
 * case is a pair of configuration files and what must come of them: both
 * SAs established with mirrored keys and narrowed selectors, or a refusal.
 * Then certificate authentication (RFC 7427): each key type, PSS
 * mirroring, peers without SIGNATURE_HASH_ALGORITHMS, chains, IDs, and
 * every refusal.  KTAP output (ASan/UBSan).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/espif.h>

#include "../ike.h"
#include "../sig.h"
#include "cert_vectors.h"

struct side {
	struct ike_ctx ctx;
	struct config cfg;
	struct side *peer;
	struct ike_addr addr;
	int children, ups, outs_late;
	struct ike_child child;
	/* Drop this many datagrams before delivering (retransmission). */
	int drop;
	int sent;
	/* Flip a byte of the COOKIE in this datagram (1-based; 0: none). */
	int forge_cookie_at;
};

struct dgram {
	struct side *to;
	struct ike_addr from;
	uint8_t buf[8192];
	size_t len;
};

static struct dgram queue[64];
static unsigned int qlen;

static int mock_send(struct ike_ctx *ctx, const struct ike_sa *sa,
		     const uint8_t *buf, size_t len)
{
	struct side *s = ctx->priv;
	struct dgram *d;

	(void)sa;
	s->sent++;
	if (s->drop > 0) {
		s->drop--;
		return 0;
	}
	if (qlen == 64 || len > sizeof(d->buf))
		return -ENOBUFS;
	d = &queue[qlen++];
	d->to = s->peer;
	d->from = s->addr;
	memcpy(d->buf, buf, len);
	d->len = len;
	/* After the header, N(COOKIE) comes first (2.6): its data at 36. */
	if (s->sent == s->forge_cookie_at && len > 40)
		d->buf[40] ^= 1;
	return 0;
}

static int mock_child_up(struct ike_ctx *ctx, const struct ike_sa *sa,
			 const struct ike_child *c)
{
	struct side *s = ctx->priv;

	(void)sa;
	s->children++;
	s->ups++;
	s->child = *c;
	return 0;
}

static int mock_child_out(struct ike_ctx *ctx, const struct ike_sa *sa,
			  const struct ike_child *c)
{
	struct side *s = ctx->priv;

	(void)sa;
	/* The outbound half of the pair recorded by mock_child_up. */
	if (c->spi_out == s->child.spi_out) {
		memcpy(s->child.key_out, c->key_out, sizeof(c->key_out));
		memcpy(s->child.akey_out, c->akey_out, sizeof(c->akey_out));
		s->outs_late++;
	}
	return 0;
}

static void mock_child_down(struct ike_ctx *ctx, const struct ike_sa *sa,
			    const struct ike_child *c)
{
	struct side *s = ctx->priv;

	(void)sa;
	(void)c;
	s->children--;
}

static const struct ike_backend mock = {
	.send = mock_send,
	.child_up = mock_child_up,
	.child_out = mock_child_out,
	.child_down = mock_child_down,
};

/* Deliver queued datagrams until none is left (or a bound). */
static void run(void)
{
	unsigned int rounds = 0;

	while (qlen && rounds++ < 100) {
		struct dgram d = queue[0];

		memmove(queue, queue + 1, (qlen - 1) * sizeof(queue[0]));
		qlen--;
		ike_input(&d.to->ctx, d.buf, d.len, &d.to->addr, &d.from, false);
	}
}

static int setup(struct side *s, struct side *peer, const char *conf,
		 uint8_t last_octet)
{
	struct config_error err;

	memset(s, 0, sizeof(*s));
	s->peer = peer;
	s->addr.family = 4;
	s->addr.addr[0] = 192;
	s->addr.addr[2] = 2;
	s->addr.addr[3] = last_octet;
	s->addr.port = 500;
	if (config_parse(conf, strlen(conf), &s->cfg, &err)) {
		printf("# config line %u: %s\n", err.line, err.msg);
		return -1;
	}
	s->ctx.cfg = &s->cfg;
	s->ctx.be = &mock;
	s->ctx.priv = s;
	s->ctx.now = 1000;
	return 0;
}

static void teardown(struct side *s)
{
	ike_free_all(&s->ctx);
	config_free(&s->cfg);
}

#define KEY "PresharedKey = 0sVGhpcyBpcyBhIGxvbmcgZW5vdWdoIGtleQ==\n"
#define A_CONF(extra) "[Interface]\nLocalId = a.example\n[Peer]\n" \
	"Endpoint = 192.0.2.2\nRemoteId = b.example\n" KEY \
	"AllowedIPs = 10.0.2.0/24\nLocalIPs = 10.0.1.0/24\n" extra
#define B_CONF(extra) "[Interface]\nLocalId = b.example\n[Peer]\n" \
	"RemoteId = a.example\n" KEY \
	"AllowedIPs = 10.0.0.0/16\nLocalIPs = 10.0.2.0/24\n" extra

#define LOSE_ALL	1000

struct xcase {
	const char *name;
	const char *a, *b;
	int children;		/* expected on each side */
	uint32_t alg;
	int drop;		/* datagrams the initiator loses first (LOSE_ALL:
				 * every one, and Retransmits = 2 must give up
				 * after exactly 3 sends: 1 + 2 + 4 s) */
	int advance;		/* then let this many seconds pass: a rekey */
	int ike_rekeys;		/* of these, IKE SA rekeys (2.18) expected */
	unsigned int nonce_len;	/* both sides' nonces (0: ikehelper's 32) */
};

static const struct xcase cases[] = {
	/* name, initiator's file, responder's file, Child SAs expected on
	 * each side, ESP algorithm, datagrams lost, seconds to let pass */
	{ "psk_default_proposals", A_CONF(""), B_CONF(""), 1,
	  ESPIF_ALG_AES_GCM, 0, 0, 0, 0 },
	{ "psk_chacha_x25519", A_CONF("Proposals = chacha20poly1305-prfsha256-x25519\n"
				      "EspProposals = chacha20poly1305\n"),
	  B_CONF(""), 1, ESPIF_ALG_CHACHA20_POLY1305, 0, 0, 0, 0 },
	{ "psk_cbc_modp2048", A_CONF("Proposals = aes256-sha384-modp2048\n"
				     "EspProposals = aes256-sha256-esn\n"),
	  B_CONF("Proposals = aes256-sha384-modp2048\n"
		 "EspProposals = aes256-sha256-esn\n"), 1,
	  ESPIF_ALG_AES_CBC_HMAC_SHA256, 0, 0, 0, 0 },
	{ "invalid_ke_retry", A_CONF("Proposals = aes128gcm16-prfsha256-x25519-ecp256\n"),
	  B_CONF("Proposals = aes128gcm16-prfsha256-ecp256\n"), 1,
	  ESPIF_ALG_AES_GCM, 0, 0, 0, 0 },
	{ "retransmit", A_CONF(""), B_CONF(""), 1, ESPIF_ALG_AES_GCM, 1, 0, 0, 0 },
	{ "peer_dead", "[Interface]\nLocalId = a.example\nRetransmits = 2\n"
	  "[Peer]\nEndpoint = 192.0.2.2\nRemoteId = b.example\n" KEY
	  "AllowedIPs = 10.0.2.0/24\n", B_CONF(""), 0, 0, LOSE_ALL, 0, 0, 0 },
	{ "wrong_psk", A_CONF(""),
	  "[Interface]\nLocalId = b.example\n[Peer]\nRemoteId = a.example\n"
	  "PresharedKey = 0x00112233445566778899aabbccddeeff\n"
	  "AllowedIPs = 10.0.0.0/16\n", 0, 0, 0, 0, 0, 0 },
	{ "unknown_identity", A_CONF(""),
	  "[Interface]\nLocalId = b.example\n[Peer]\nRemoteId = c.example\n"
	  KEY "AllowedIPs = 10.0.0.0/16\n", 0, 0, 0, 0, 0, 0 },
	{ "no_common_proposal", A_CONF("Proposals = aes128gcm16-prfsha256-x25519\n"),
	  B_CONF("Proposals = aes256-sha512-modp4096\n"), 0, 0, 0, 0, 0, 0 },
	{ "rekey_by_initiator", A_CONF("ChildLifetime = 10m\n"), B_CONF(""), 1,
	  ESPIF_ALG_AES_GCM, 0, 600, 0, 0 },
	{ "rekey_by_responder", A_CONF(""), B_CONF("ChildLifetime = 10m\n"), 1,
	  ESPIF_ALG_AES_GCM, 0, 600, 0, 0 },
	{ "rekey_cbc_esn", A_CONF("ChildLifetime = 10m\n"
				  "EspProposals = aes128-sha256-esn\n"),
	  B_CONF("EspProposals = aes128-sha256-esn\n"), 1,
	  ESPIF_ALG_AES_CBC_HMAC_SHA256, 0, 600, 0, 0 },
	{ "rekey_pfs_by_initiator", A_CONF("ChildLifetime = 10m\n"
					   "EspProposals = aes128gcm16-x25519\n"),
	  B_CONF("EspProposals = aes128gcm16-x25519\n"), 1,
	  ESPIF_ALG_AES_GCM, 0, 600, 0, 0 },
	{ "rekey_pfs_by_responder", A_CONF("EspProposals = aes256gcm16-ecp256\n"),
	  B_CONF("ChildLifetime = 10m\nEspProposals = aes256gcm16-ecp256\n"), 1,
	  ESPIF_ALG_AES_GCM, 0, 600, 0, 0 },
	/* IKE SA rekey at 540 s; the Child SA lives on unchanged. */
	{ "ike_rekey_by_initiator", A_CONF("IkeLifetime = 10m\n"), B_CONF(""), 1,
	  ESPIF_ALG_AES_GCM, 0, 600, 1, 0 },
	{ "ike_rekey_by_responder", A_CONF(""), B_CONF("IkeLifetime = 10m\n"), 1,
	  ESPIF_ALG_AES_GCM, 0, 600, 1, 0 },
	/* Then a Child SA rekey at 810 s, keyed from the new IKE SA's SK_d. */
	{ "ike_rekey_then_child", A_CONF("IkeLifetime = 10m\nChildLifetime = 15m\n"
					 "EspProposals = aes128gcm16-x25519\n"),
	  B_CONF("EspProposals = aes128gcm16-x25519\n"), 1,
	  ESPIF_ALG_AES_GCM, 0, 900, 1, 0 },
	/*
	 * Nonces of the largest and smallest length 3.9 allows, through
	 * IKE_SA_INIT, IKE_AUTH, an IKE SA rekey and a PFS Child SA rekey.
	 */
	{ "nonces_256", A_CONF("IkeLifetime = 10m\nChildLifetime = 15m\n"
			       "EspProposals = aes128gcm16-x25519\n"),
	  B_CONF("EspProposals = aes128gcm16-x25519\n"), 1,
	  ESPIF_ALG_AES_GCM, 0, 900, 1, 256 },
	{ "nonces_16", A_CONF("IkeLifetime = 10m\nChildLifetime = 15m\n"),
	  B_CONF(""), 1, ESPIF_ALG_AES_GCM, 0, 900, 1, 16 },
	/* 2.6: the responder asks every initiator for a cookie first. */
	{ "cookie_required", A_CONF(""),
	  "[Interface]\nLocalId = b.example\nCookieThreshold = 0\n[Peer]\n"
	  "RemoteId = a.example\n" KEY "AllowedIPs = 10.0.0.0/16\n"
	  "LocalIPs = 10.0.2.0/24\n", 1, ESPIF_ALG_AES_GCM, 0, 0, 0, 0 },
	/* A cookie that is not ours buys no state, only a new cookie. */
	{ "cookie_forged", A_CONF(""),
	  "[Interface]\nLocalId = b.example\nCookieThreshold = 0\n[Peer]\n"
	  "RemoteId = a.example\n" KEY "AllowedIPs = 10.0.0.0/16\n"
	  "LocalIPs = 10.0.2.0/24\n", 1, ESPIF_ALG_AES_GCM, 0, 0, 0, 0 },
	{ "ts_unacceptable", A_CONF(""),
	  "[Interface]\nLocalId = b.example\n[Peer]\nRemoteId = a.example\n"
	  KEY "AllowedIPs = 172.16.0.0/12\n", 0, 0, 0, 0, 0, 0 },
};

/* --- Certificates ---------------------------------------------------------- */

#define CREDS_CONF "Certificate = x.pem\nPrivateKey = x.key\nCACertificate = ca.pem\n"
#define A_CERT(extra) "[Interface]\n" CREDS_CONF "[Peer]\nAuth = pubkey\n" \
	"Endpoint = 192.0.2.2\nAllowedIPs = 10.0.2.0/24\nLocalIPs = 10.0.1.0/24\n" extra
#define B_CERT(extra) "[Interface]\n" CREDS_CONF "[Peer]\nAuth = pubkey\n" \
	"AllowedIPs = 10.0.0.0/16\nLocalIPs = 10.0.2.0/24\n" extra
#define IDS_AB "LocalId = a.example\nRemoteId = b.example\n"
#define IDS_BA "LocalId = b.example\nRemoteId = a.example\n"

struct ccase {
	const char *name;
	const char *a, *b;		/* configuration files */
	const char *a_cert, *a_key, *a_ca;	/* PEM */
	const char *b_cert, *b_key, *b_ca;
	bool a_old, b_old;		/* no SIGNATURE_HASH_ALGORITHMS */
	time_t b_time;			/* b's clock for certificates */
	bool up;
	uint8_t a_method, b_method;	/* AUTH methods b, a verified (0: none) */
	bool pss;			/* both signed RSA-PSS */
};

static const struct ccase cert_cases[] = {
	{ .name = "cert_rsa_pkcs1", .a = A_CERT(IDS_AB), .b = B_CERT(IDS_BA),
	  .a_cert = CV_A_RSA_PEM, .a_key = CV_A_RSA_KEY, .a_ca = CV_CA_PEM,
	  .b_cert = CV_B_RSA_PEM, .b_key = CV_B_RSA_KEY, .b_ca = CV_CA_PEM,
	  .up = true, .a_method = 14, .b_method = 14 },
	/* The responder answers PSS with PSS (as Libreswan does). */
	{ .name = "cert_rsa_pss_mirrored", .a = A_CERT(IDS_AB "RsaPss = yes\n"),
	  .b = B_CERT(IDS_BA),
	  .a_cert = CV_A_RSA_PEM, .a_key = CV_A_RSA_KEY, .a_ca = CV_CA_PEM,
	  .b_cert = CV_B_RSA_PEM, .b_key = CV_B_RSA_KEY, .b_ca = CV_CA_PEM,
	  .up = true, .a_method = 14, .b_method = 14, .pss = true },
	{ .name = "cert_ecdsa", .a = A_CERT(IDS_AB), .b = B_CERT(IDS_BA),
	  .a_cert = CV_A_ECDSA_PEM, .a_key = CV_A_ECDSA_KEY, .a_ca = CV_CA_PEM,
	  .b_cert = CV_B_ECDSA_PEM, .b_key = CV_B_ECDSA_KEY, .b_ca = CV_CA_PEM,
	  .up = true, .a_method = 14, .b_method = 14 },
	{ .name = "cert_ed25519", .a = A_CERT(IDS_AB), .b = B_CERT(IDS_BA),
	  .a_cert = CV_A_ED25519_PEM, .a_key = CV_A_ED25519_KEY, .a_ca = CV_CA_PEM,
	  .b_cert = CV_B_ED25519_PEM, .b_key = CV_B_ED25519_KEY, .b_ca = CV_CA_PEM,
	  .up = true, .a_method = 14, .b_method = 14 },
	{ .name = "cert_rsa_and_ecdsa", .a = A_CERT(IDS_AB), .b = B_CERT(IDS_BA),
	  .a_cert = CV_A_RSA_PEM, .a_key = CV_A_RSA_KEY, .a_ca = CV_CA_PEM,
	  .b_cert = CV_B_ECDSA_PEM, .b_key = CV_B_ECDSA_KEY, .b_ca = CV_CA_PEM,
	  .up = true, .a_method = 14, .b_method = 14 },
	/* Peers that announce no hashes (Windows, Apple): RFC 7296 3.8 / RFC 4754. */
	{ .name = "cert_classic_rsa", .a = A_CERT(IDS_AB), .b = B_CERT(IDS_BA),
	  .a_cert = CV_A_RSA_PEM, .a_key = CV_A_RSA_KEY, .a_ca = CV_CA_PEM,
	  .b_cert = CV_B_RSA_PEM, .b_key = CV_B_RSA_KEY, .b_ca = CV_CA_PEM,
	  .a_old = true, .b_old = true, .up = true, .a_method = 1, .b_method = 1 },
	{ .name = "cert_classic_ecdsa", .a = A_CERT(IDS_AB), .b = B_CERT(IDS_BA),
	  .a_cert = CV_A_ECDSA_PEM, .a_key = CV_A_ECDSA_KEY, .a_ca = CV_CA_PEM,
	  .b_cert = CV_B_ECDSA_PEM, .b_key = CV_B_ECDSA_KEY, .b_ca = CV_CA_PEM,
	  .a_old = true, .up = true, .a_method = 9, .b_method = 9 },
	/* Ed25519 exists only in method 14 (RFC 8420). */
	{ .name = "cert_classic_ed25519_refused", .a = A_CERT(IDS_AB),
	  .b = B_CERT(IDS_BA),
	  .a_cert = CV_A_ED25519_PEM, .a_key = CV_A_ED25519_KEY, .a_ca = CV_CA_PEM,
	  .b_cert = CV_B_ED25519_PEM, .b_key = CV_B_ED25519_KEY, .b_ca = CV_CA_PEM,
	  .b_old = true },
	/* No LocalId: the subject DN, as ID_DER_ASN1_DN. */
	{ .name = "cert_dn_identity", .a = A_CERT("RemoteId = b@example.org\n"),
	  .b = B_CERT("LocalId = b@example.org\n"
		      "RemoteId = O=Example, CN=a.example\n"),
	  .a_cert = CV_A_ECDSA_PEM, .a_key = CV_A_ECDSA_KEY, .a_ca = CV_CA_PEM,
	  .b_cert = CV_B_ECDSA_PEM, .b_key = CV_B_ECDSA_KEY, .b_ca = CV_CA_PEM,
	  .up = true, .a_method = 14, .b_method = 14 },
	{ .name = "cert_ip_identity", .a = A_CERT("LocalId = 10.0.0.1\nRemoteId = b.example\n"),
	  .b = B_CERT("LocalId = b.example\nRemoteId = 10.0.0.1\n"),
	  .a_cert = CV_A_ECDSA_PEM, .a_key = CV_A_ECDSA_KEY, .a_ca = CV_CA_PEM,
	  .b_cert = CV_B_ECDSA_PEM, .b_key = CV_B_ECDSA_KEY, .b_ca = CV_CA_PEM,
	  .up = true, .a_method = 14, .b_method = 14 },
	/* d.example is signed by an intermediate that a sends along. */
	{ .name = "cert_with_intermediate",
	  .a = A_CERT("LocalId = d.example\nRemoteId = b.example\n"),
	  .b = B_CERT("LocalId = b.example\nRemoteId = d.example\n"),
	  .a_cert = CV_D_ECDSA_PEM CV_INT_PEM, .a_key = CV_D_ECDSA_KEY,
	  .a_ca = CV_CA_PEM,
	  .b_cert = CV_B_ECDSA_PEM, .b_key = CV_B_ECDSA_KEY, .b_ca = CV_CA_PEM,
	  .up = true, .a_method = 14, .b_method = 14 },
	{ .name = "cert_missing_intermediate",
	  .a = A_CERT("LocalId = d.example\nRemoteId = b.example\n"),
	  .b = B_CERT("LocalId = b.example\nRemoteId = d.example\n"),
	  .a_cert = CV_D_ECDSA_PEM, .a_key = CV_D_ECDSA_KEY, .a_ca = CV_CA_PEM,
	  .b_cert = CV_B_ECDSA_PEM, .b_key = CV_B_ECDSA_KEY, .b_ca = CV_CA_PEM },
	{ .name = "cert_unknown_ca", .a = A_CERT(IDS_AB), .b = B_CERT(IDS_BA),
	  .a_cert = CV_A_ECDSA_PEM, .a_key = CV_A_ECDSA_KEY, .a_ca = CV_CA_PEM,
	  .b_cert = CV_B_ECDSA_PEM, .b_key = CV_B_ECDSA_KEY, .b_ca = CV_CA2_PEM },
	/*
	 * The initiator checks the responder too, and tells it with
	 * AUTHENTICATION_FAILED (2.21.2): the responder's SA goes as well.
	 */
	{ .name = "cert_responder_unknown_ca", .a = A_CERT(IDS_AB),
	  .b = B_CERT(IDS_BA),
	  .a_cert = CV_A_ECDSA_PEM, .a_key = CV_A_ECDSA_KEY, .a_ca = CV_CA2_PEM,
	  .b_cert = CV_B_ECDSA_PEM, .b_key = CV_B_ECDSA_KEY, .b_ca = CV_CA_PEM,
	  .a_method = 14 },
	/* The ID must be in the certificate, not just claimed (RFC 4945 3.1). */
	{ .name = "cert_id_not_in_cert",
	  .a = A_CERT("LocalId = other.example\nRemoteId = b.example\n"),
	  .b = B_CERT("LocalId = b.example\nRemoteId = other.example\n"),
	  .a_cert = CV_A_ECDSA_PEM, .a_key = CV_A_ECDSA_KEY, .a_ca = CV_CA_PEM,
	  .b_cert = CV_B_ECDSA_PEM, .b_key = CV_B_ECDSA_KEY, .b_ca = CV_CA_PEM },
	{ .name = "cert_expired", .a = A_CERT(IDS_AB), .b = B_CERT(IDS_BA),
	  .a_cert = CV_A_ECDSA_PEM, .a_key = CV_A_ECDSA_KEY, .a_ca = CV_CA_PEM,
	  .b_cert = CV_B_ECDSA_PEM, .b_key = CV_B_ECDSA_KEY, .b_ca = CV_CA_PEM,
	  .b_time = 7258118400 /* 2200-01-01 */ },
	/* A pre-shared key does not stand in for a certificate. */
	{ .name = "cert_psk_to_pubkey_peer", .a = A_CONF(""), .b = B_CERT(IDS_BA),
	  .b_cert = CV_B_ECDSA_PEM, .b_key = CV_B_ECDSA_KEY, .b_ca = CV_CA_PEM },
};

static struct cred *test_cred(const char *cert, const char *key, const char *ca)
{
	struct cred *cr = NULL;
	char err[256];

	if (!cert)
		return NULL;
	if (cred_load(cert, strlen(cert), key, strlen(key), ca, strlen(ca), &cr,
		      err, sizeof(err)))
		printf("# cred_load: %s\n", err);
	return cr;
}

static int run_cert_case(const struct ccase *c)
{
	struct cred *ca = NULL, *cb = NULL;
	uint8_t a_auth, b_auth;
	bool a_pss, b_pss;
	struct side a, b;
	int ok, t;

	qlen = 0;
	if (setup(&a, &b, c->a, 1) || setup(&b, &a, c->b, 2))
		return 0;
	ca = test_cred(c->a_cert, c->a_key, c->a_ca);
	cb = test_cred(c->b_cert, c->b_key, c->b_ca);
	a.ctx.creds = &ca;
	b.ctx.creds = &cb;
	a.ctx.no_sig_hashes = c->a_old;
	b.ctx.no_sig_hashes = c->b_old;
	b.ctx.cert_time = c->b_time;
	ok = !ike_initiate(&a.ctx, 0, &a.addr, &b.addr);
	run();
	/* What each side verified, before failed SAs are reaped. */
	a_auth = a.ctx.sas ? a.ctx.sas->peer_auth : 0;
	b_auth = b.ctx.sas ? b.ctx.sas->peer_auth : 0;
	a_pss = a.ctx.sas && a.ctx.sas->peer_pss;
	b_pss = b.ctx.sas && b.ctx.sas->peer_pss;
	for (t = 0; t < 8; t++) {
		a.ctx.now++;
		b.ctx.now++;
		ike_tick(&a.ctx);
		ike_tick(&b.ctx);
		run();
	}
	ok = ok && a_auth == c->b_method && b_auth == c->a_method &&
	     a_pss == c->pss && b_pss == c->pss;
	if (c->up) {
		ok = ok && a.children == 1 && b.children == 1 && a.ctx.sas &&
		     b.ctx.sas && a.ctx.sas->state == IKE_ESTABLISHED &&
		     b.ctx.sas->state == IKE_ESTABLISHED &&
		     !memcmp(a.child.key_out, b.child.key_in, a.child.keylen);
	} else {
		/* Refused: nothing left installed or established. */
		ok = ok && a.children == 0 && b.children == 0 &&
		     (!a.ctx.sas || a.ctx.sas->state != IKE_ESTABLISHED) &&
		     (!b.ctx.sas || b.ctx.sas->state != IKE_ESTABLISHED);
	}
	if (!ok)
		printf("# a: %d children, verified method %u pss %d; b: %d children, method %u pss %d\n",
		       a.children, a_auth, a_pss, b.children, b_auth, b_pss);
	teardown(&a);
	teardown(&b);
	cred_free(ca);
	cred_free(cb);
	return ok;
}

int main(void)
{
	unsigned int i, n = sizeof(cases) / sizeof(cases[0]);
	unsigned int nc = sizeof(cert_cases) / sizeof(cert_cases[0]);
	int fails = 0;

	printf("KTAP version 1\n1..%u\n", n + nc);
	for (i = 0; i < n; i++) {
		const struct xcase *c = &cases[i];
		struct side a, b;
		int ok = 1, t;

		qlen = 0;
		if (setup(&a, &b, c->a, 1) || setup(&b, &a, c->b, 2)) {
			printf("not ok %u %s\n", i + 1, c->name);
			fails++;
			continue;
		}
		a.drop = c->drop;
		if (!strcmp(c->name, "cookie_forged"))
			a.forge_cookie_at = 2;
		a.ctx.nonce_len = c->nonce_len;
		b.ctx.nonce_len = c->nonce_len;
		ok = !ike_initiate(&a.ctx, 0, &a.addr, &b.addr);
		run();
		/* Let retransmissions happen: time moves in 1 s steps. */
		for (t = 0; t < 8; t++) {
			a.ctx.now++;
			b.ctx.now++;
			ike_tick(&a.ctx);
			ike_tick(&b.ctx);
			run();
		}
		if (c->advance) {
			uint32_t spi = a.child.spi_in;
			uint64_t ike_spi = a.ctx.sas ? a.ctx.sas->spi_i : 0;
			bool child_rekey = !c->ike_rekeys || c->advance > 600;

			for (t = 0; t < c->advance; t++) {
				a.ctx.now++;
				b.ctx.now++;
				ike_tick(&a.ctx);
				ike_tick(&b.ctx);
				run();
			}
			if (child_rekey)
				/* A new pair, the old one deleted. */
				ok = ok && a.child.spi_in != spi && a.ups == 2 &&
				     b.ups == 2 &&
				     /* Its responder held the outbound SA back. */
				     a.outs_late + b.outs_late == 1;
			else
				ok = ok && a.child.spi_in == spi && a.ups == 1 &&
				     b.ups == 1;
			if (c->ike_rekeys)
				/*
				 * One IKE SA left on each side, new SPIs, the
				 * same SK_d on both: the old one deleted.
				 */
				ok = ok && a.ctx.sas && b.ctx.sas &&
				     !a.ctx.sas->next && !b.ctx.sas->next &&
				     a.ctx.sas->spi_i != ike_spi &&
				     a.ctx.sas->spi_i == b.ctx.sas->spi_i &&
				     a.ctx.sas->spi_r == b.ctx.sas->spi_r &&
				     a.ctx.sas->state == IKE_ESTABLISHED &&
				     b.ctx.sas->state == IKE_ESTABLISHED &&
				     a.ctx.sas->prf_len == b.ctx.sas->prf_len &&
				     !memcmp(a.ctx.sas->sk_d, b.ctx.sas->sk_d,
					     a.ctx.sas->prf_len);
		}
		ok = ok && a.children == c->children && b.children == c->children;
		if (ok && c->children) {
			ok = a.child.alg == c->alg && b.child.alg == c->alg &&
			     a.child.spi_out == b.child.spi_in &&
			     b.child.spi_out == a.child.spi_in &&
			     a.child.keylen == b.child.keylen &&
			     !memcmp(a.child.key_out, b.child.key_in, a.child.keylen) &&
			     !memcmp(b.child.key_out, a.child.key_in, a.child.keylen) &&
			     memcmp(a.child.key_out, a.child.key_in, a.child.keylen) &&
			     !memcmp(a.child.akey_out, b.child.akey_in, a.child.akeylen) &&
			     /* Narrowed: a asked for 10.0.2.0/24, b for 10.0.1.0/24. */
			     a.child.n_remote == 1 && a.child.remote[0].plen == 24 &&
			     b.child.n_remote == 1 && b.child.remote[0].plen == 24 &&
			     b.child.remote[0].addr[2] == 1;
			if (!ok)
				printf("# alg %u/%u spis %08x/%08x %08x/%08x remote %u/%u\n",
				       a.child.alg, b.child.alg, a.child.spi_out,
				       b.child.spi_in, b.child.spi_out, a.child.spi_in,
				       a.child.n_remote, b.child.n_remote);
		}
		/*
		 * IKE_SA_INIT twice (the second with the cookie), IKE_AUTH,
		 * and three answers; the responder kept no SA for the first.
		 */
		if (!strcmp(c->name, "cookie_required"))
			ok = ok && a.sent == 3 && b.sent == 3 && b.ctx.sas &&
			     !b.ctx.sas->next;
		/* The forged one got a second cookie, then it went through. */
		if (!strcmp(c->name, "cookie_forged"))
			ok = ok && a.sent == 4 && b.sent == 4 && b.ctx.sas &&
			     !b.ctx.sas->next;
		if (c->drop == LOSE_ALL)
			ok = ok && a.sent == 3 && !a.ctx.sas;
		else if (c->drop)
			ok = ok && a.sent > 2;
		if (!ok) {
			printf("# children a=%d b=%d (expected %d)\n", a.children,
			       b.children, c->children);
			fails++;
		}
		teardown(&a);
		teardown(&b);
		printf("%sok %u %s\n", ok ? "" : "not ", i + 1, c->name);
	}
	for (i = 0; i < nc; i++) {
		int ok = run_cert_case(&cert_cases[i]);

		fails += !ok;
		printf("%sok %u %s\n", ok ? "" : "not ", n + i + 1,
		       cert_cases[i].name);
	}
	printf("# exchange_test: %u cases, %d failed\n", n + nc, fails);
	return fails ? 1 : 0;
}
