/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-interface configuration file, as plain structs.
 *
 *   [Interface]
 *   LocalId = a.example.org
 *   [Peer]
 *   Endpoint = 192.0.2.2
 *   RemoteId = b.example.org
 *   PresharedKey = 0sBASE64...
 *   AllowedIPs = 10.0.2.0/24, fd00:2::/64
 *
 * config.c documents every key.
 */
#ifndef IKEHELPER_CONFIG_H
#define IKEHELPER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proposal.h"

#define CONFIG_ID_MAX		256
#define CONFIG_PSK_MAX		256
#define CONFIG_MAX_SEL		64
#define CONFIG_MAX_PROPOSALS	8
#define CONFIG_MAX_PEERS	64
#define CONFIG_PATH_MAX		256

struct config_prefix {
	uint8_t family;		/* 4 or 6 */
	uint8_t plen;
	uint8_t addr[16];
};

enum config_auth { CONFIG_AUTH_PSK, CONFIG_AUTH_PUBKEY };
enum config_start { CONFIG_START_NONE, CONFIG_START_START, CONFIG_START_TRAP };

/* Files of certificate authentication, read by the daemon (not here). */
struct config_creds {
	char cert[CONFIG_PATH_MAX];	/* ours, then intermediates, PEM */
	char key[CONFIG_PATH_MAX];	/* its private key, PEM */
	char ca[CONFIG_PATH_MAX];	/* trust anchors, PEM */
};

struct config_peer {
	unsigned int line;		/* of its [Peer] header */
	char name[64];
	bool has_endpoint;
	uint8_t ep_family;		/* 4 or 6 */
	uint8_t ep_addr[16];
	uint16_t ep_port;
	char local_id[CONFIG_ID_MAX];
	char remote_id[CONFIG_ID_MAX];
	enum config_auth auth;
	uint8_t psk[CONFIG_PSK_MAX];
	size_t psk_len;
	struct config_creds creds;
	bool rsa_pss;			/* sign RSA with PSS (RFC 7427) */
	unsigned int n_remote, n_local;
	struct config_prefix remote[CONFIG_MAX_SEL];	/* AllowedIPs */
	struct config_prefix local[CONFIG_MAX_SEL];	/* LocalIPs */
	unsigned int n_ike, n_esp;
	struct proposal ike[CONFIG_MAX_PROPOSALS];
	struct proposal esp[CONFIG_MAX_PROPOSALS];
	uint32_t ike_lifetime;		/* seconds */
	uint32_t child_lifetime;
	uint32_t dpd;			/* seconds, 0 = off */
	enum config_start start;
};

struct config {
	uint16_t port;			/* IKE port, 500 */
	unsigned int retransmits;	/* before a peer is dead, 5 */
	unsigned int cookie_threshold;	/* half-open SAs before COOKIE, 10 */
	char local_id[CONFIG_ID_MAX];
	struct config_creds creds;	/* default for every peer */
	bool legacy;
	unsigned int npeers;
	struct config_peer *peers;	/* npeers, heap */
};

struct config_error {
	unsigned int line;		/* 0: the file as a whole */
	char msg[192];
};

int config_parse(const char *text, size_t len, struct config *c,
		 struct config_error *err);
void config_free(struct config *c);

#endif /* IKEHELPER_CONFIG_H */
