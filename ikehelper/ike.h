/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IKE SAs and their exchanges (RFC 7296): IKE_SA_INIT and IKE_AUTH with
 * pre-shared keys or certificates (RFC 7427 signatures), in both roles, the first Child SA, INFORMATIONAL
 * (delete, liveness), retransmission and response replay.
 *
 * The engine does no I/O of its own: datagrams go out and Child SAs go
 * into the kernel through struct ike_backend, so that the daemon (UDP
 * sockets, espif netlink) and tests (in memory) drive the same code.
 */
#ifndef IKEHELPER_IKE_H
#define IKEHELPER_IKE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "cred.h"
#include "crypto.h"
#include "ikev2.h"

struct ike_addr {
	uint8_t family;		/* 4 or 6 */
	uint8_t addr[16];
	uint16_t port;
};

/* A negotiated Child SA, ready for espif (keys wiped by ike_child_wipe). */
struct ike_child {
	uint32_t spi_in;	/* ours, in the peer's ESP header to us */
	uint32_t spi_out;	/* the peer's */
	uint32_t alg;		/* ESPIF_ALG_* */
	bool esn;
	size_t keylen, akeylen;
	uint8_t key_in[CRYPTO_MAX_ENCR_KEY], key_out[CRYPTO_MAX_ENCR_KEY];
	uint8_t akey_in[32], akey_out[32];
	unsigned int n_remote;	/* the peer's side, narrowed, as prefixes */
	struct config_prefix remote[CONFIG_MAX_SEL];
	bool natt;		/* ESP in UDP to the peer's IKE port */
	/*
	 * A rekey we answered: the outbound SA waits until the peer has
	 * its new inbound one (its delete of the old pair, or out_at).
	 */
	bool out_later;
	time_t out_at;
};

enum ike_state {
	IKE_INIT_SENT,		/* initiator: IKE_SA_INIT request out */
	IKE_AUTH_SENT,		/* initiator: IKE_AUTH request out */
	IKE_INIT_DONE,		/* responder: IKE_SA_INIT answered */
	IKE_ESTABLISHED,
	IKE_DEAD,
};

struct ike_sa;
struct ike_ctx;

struct ike_backend {
	/* Send a datagram to sa's peer (on 4500 with the marker if natt). */
	int (*send)(struct ike_ctx *ctx, const struct ike_sa *sa,
		    const uint8_t *buf, size_t len);
	/* Install a Child SA (peer endpoint, selectors, both SAs). */
	int (*child_up)(struct ike_ctx *ctx, const struct ike_sa *sa,
			const struct ike_child *c);
	/* Install the outbound SA that child_up left out (c->out_later). */
	int (*child_out)(struct ike_ctx *ctx, const struct ike_sa *sa,
			 const struct ike_child *c);
	/* Remove the Child SAs of sa. */
	void (*child_down)(struct ike_ctx *ctx, const struct ike_sa *sa,
			   const struct ike_child *c);
};

struct ike_ctx {
	struct config *cfg;
	const struct ike_backend *be;
	void *priv;
	struct ike_sa *sas;	/* list */
	time_t now;
	/* Verbose logs to stderr (never key material). */
	int verbose;
	/* Length of our nonces, 16-256 (3.9); 0: 32.  Tests vary it. */
	unsigned int nonce_len;
	/*
	 * Certificates: creds[i] for peer i with Auth = pubkey (the caller
	 * loads and frees them; peers may share one), else NULL.
	 */
	struct cred **creds;
	/* When certificates must be valid; 0: the wall clock.  Tests. */
	time_t cert_time;
	/* Tests: announce no SIGNATURE_HASH_ALGORITHMS (an old peer). */
	bool no_sig_hashes;
	/* Cookies (RFC 7296 2.6): the current secret and the one before. */
	uint8_t cookie_secret[2][32];
	uint16_t cookie_version;
	bool cookie_ready;	/* the secrets are set */
	time_t cookie_rotated;
};

struct ike_sa {
	struct ike_sa *next;
	struct ike_ctx *ctx;
	unsigned int peer_idx;	/* in ctx->cfg->peers */
	bool initiator;
	enum ike_state state;
	uint64_t spi_i, spi_r;
	struct ike_addr local, remote;
	bool natt;		/* IKE on 4500 (with the non-ESP marker) */
	bool nat_local, nat_remote;

	/* Negotiated IKE transforms. */
	uint16_t encr, encr_keylen, integ, prf, dh;
	struct crypto_ke *ke;
	uint8_t ni[IKEV2_NONCE_MAX], nr[IKEV2_NONCE_MAX];	/* 16-256 bytes (3.9) */
	size_t ni_len, nr_len;
	uint8_t cookie[256];
	size_t cookie_len;
	/* The peer's SIGNATURE_HASH_ALGORITHMS (RFC 7427 4), a sig.h mask. */
	unsigned int peer_hashes;
	bool peer_pss;		/* it signed with RSA-PSS: we answer so */
	uint8_t peer_auth;	/* its AUTH method, once verified (3.8) */
	unsigned int init_retries;	/* COOKIE and INVALID_KE answers */

	size_t prf_len, ekey_len, ikey_len;
	uint8_t sk_d[CRYPTO_MAX_KEY], sk_ai[CRYPTO_MAX_KEY], sk_ar[CRYPTO_MAX_KEY];
	uint8_t sk_ei[CRYPTO_MAX_ENCR_KEY], sk_er[CRYPTO_MAX_ENCR_KEY];
	uint8_t sk_pi[CRYPTO_MAX_KEY], sk_pr[CRYPTO_MAX_KEY];

	/* The IKE_SA_INIT messages, signed in AUTH (RFC 7296 2.15). */
	uint8_t *init_req, *init_resp;
	size_t init_req_len, init_resp_len;

	/* Message IDs (2.2): ours for requests we send, the peer's next. */
	uint32_t my_msgid, peer_msgid;
	/* Our outstanding request, for retransmission (2.1). */
	uint8_t *req;
	size_t req_len;
	unsigned int tries;
	time_t retransmit_at;
	/* The last response we sent, for a retransmitted request (2.1). */
	uint8_t *resp;
	size_t resp_len;

	time_t last_heard, dpd_at;
	uint32_t child_spi_in;	/* offered in IKE_AUTH */
	bool child_installed;
	struct ike_child child;
	/*
	 * Make-before-break (1.3.3): after a rekey the replaced Child SA
	 * stays installed until its delete is answered.
	 */
	bool old_installed;
	struct ike_child old;
	time_t rekey_at;	/* when we rekey the Child SA, 0: never */
	/* What our outstanding request is, to handle its response. */
	enum { PEND_NONE, PEND_AUTH, PEND_REKEY, PEND_DELETE_OLD,
	       PEND_IKE_REKEY, PEND_DELETE_IKE, PEND_OTHER } pending;
	time_t ike_rekey_at;	/* when we rekey the IKE SA, 0: never */
	uint64_t rk_spi_ike;	/* our SPI for the new IKE SA (2.18) */
	uint8_t rk_ni[IKEV2_NONCE_MAX];	/* our nonce in a rekey request */
	size_t rk_ni_len;
	struct crypto_ke *rk_ke;	/* its key exchange, with PFS */
	uint32_t rk_spi_in;	/* the SPI it offers */
};

int ike_initiate(struct ike_ctx *ctx, unsigned int peer_idx,
		 const struct ike_addr *local, const struct ike_addr *remote);
void ike_input(struct ike_ctx *ctx, uint8_t *buf, size_t len,
	       const struct ike_addr *local, const struct ike_addr *remote,
	       bool natt);
void ike_tick(struct ike_ctx *ctx);
int ike_delete(struct ike_sa *sa);
void ike_free_all(struct ike_ctx *ctx);
const char *ike_peer_name(const struct ike_sa *sa);

#endif /* IKEHELPER_IKE_H */
