// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The configuration parser (config.c) and proposal strings (proposal.c):
 * a table of files, each accepted or refused at a given line with a given
 * reason.  KTAP output; exit status 1 on any failure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../config.h"

#define PSK "PresharedKey = 0x000102030405060708090a0b0c0d0e0f\n"
#define PEER "[Peer]\nRemoteId = b.example\nAllowedIPs = 10.0.2.0/24\n" PSK
#define IFACE "[Interface]\nLocalId = a.example\n"
#define CREDS "Certificate = /etc/ikehelper/a.pem\n" \
	"PrivateKey = /etc/ikehelper/a.key\nCACertificate = /etc/ikehelper/ca.pem\n"
#define CERT_PEER "[Peer]\nRemoteId = b.example\nAllowedIPs = 10.0.2.0/24\n" \
	"Auth = pubkey\n"
#define LONG_PATH "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* Certificates named in [Interface] reach every peer. */
static int creds_inherited(const struct config *c)
{
	return c->npeers == 2 &&
	       !strcmp(c->peers[0].creds.cert, "/etc/ikehelper/a.pem") &&
	       !strcmp(c->peers[0].creds.ca, "/etc/ikehelper/ca.pem") &&
	       !strcmp(c->peers[1].creds.key, "/etc/ikehelper/b.key") &&
	       !strcmp(c->peers[1].creds.cert, "/etc/ikehelper/a.pem") &&
	       !c->peers[0].rsa_pss && c->peers[1].rsa_pss &&
	       c->peers[0].auth == CONFIG_AUTH_PUBKEY && !c->peers[0].local_id[0];
}

struct cfg_case {
	const char *name;
	const char *text;
	unsigned int line;	/* 0 with msg NULL: accepted */
	const char *msg;	/* substring of the error */
};

static const struct cfg_case cases[] = {
	{ "minimal", IFACE PEER, 0, NULL },
	{ "comments_and_case", "# top\n[interface]   # c\nlocalid=a\n\n[PEER]\n"
	  "remoteid = b\nallowedips = 10.0.0.0/8, fd00::/8\n" PSK, 0, NULL },
	{ "endpoint_forms", IFACE PEER "Endpoint = 192.0.2.1:4500\n" PEER
	  "Endpoint = [2001:db8::1]:500\n" PEER "Endpoint = 2001:db8::2\n",
	  0, NULL },
	{ "no_interface", PEER, 0, "no [Interface]" },
	{ "key_outside", "LocalId = a\n" IFACE, 1, "outside a section" },
	{ "unknown_section", IFACE "[Peers]\n", 3, "unknown section" },
	{ "unknown_key", IFACE "Colour = blue\n", 3, "unknown key in [Interface]" },
	{ "no_equals", IFACE "LocalId\n", 3, "expected Key = Value" },
	{ "empty_value", IFACE "LocalId =\n", 3, "empty value" },
	{ "second_interface", IFACE IFACE, 3, "second [Interface]" },
	{ "interface_after_peer", IFACE PEER IFACE, 7, "must come before" },
	{ "bad_port", "[Interface]\nListenPort = 70000\n", 2, "1-65535" },
	{ "retransmits_11", "[Interface]\nRetransmits = 11\n", 2, "0-10" },
	{ "retransmits_word", "[Interface]\nRetransmits = five\n", 2, "0-10" },
	{ "prefix_host_bits", IFACE "[Peer]\nAllowedIPs = 10.0.0.1/8\n", 4,
	  "bits set past" },
	{ "prefix_too_long", IFACE "[Peer]\nAllowedIPs = 10.0.0.0/33\n", 4,
	  "prefix length" },
	{ "prefix_not_addr", IFACE "[Peer]\nAllowedIPs = ten/8\n", 4,
	  "not an IPv4 or IPv6" },
	{ "endpoint_name", IFACE "[Peer]\nEndpoint = vpn.example:500\n", 4,
	  "not resolved" },
	{ "endpoint_port_0", IFACE "[Peer]\nEndpoint = 192.0.2.1:0\n", 4,
	  "bad port" },
	{ "psk_short", IFACE "[Peer]\nPresharedKey = secret\n", 4, "16 bytes" },
	{ "psk_bad_hex", IFACE "[Peer]\nPresharedKey = 0x0g\n", 4, "hex" },
	{ "psk_base64", IFACE "[Peer]\nRemoteId = b\nAllowedIPs = 10.0.0.0/8\n"
	  "PresharedKey = 0sAAECAwQFBgcICQoLDA0ODxAREhM=\n", 0, NULL },
	{ "psk_missing", IFACE "[Peer]\nRemoteId = b\nAllowedIPs = 10.0.0.0/8\n",
	  3, "no PresharedKey" },
	{ "peer_no_remote_id", IFACE "[Peer]\nAllowedIPs = 10.0.0.0/8\n" PSK
	  "[Peer]\n", 3, "without RemoteId" },
	{ "start_without_endpoint", IFACE PEER "Start = start\n", 3,
	  "needs an Endpoint" },
	{ "duration", IFACE PEER "IkeLifetime = 8h\nChildLifetime = 45m\n"
	  "DPD = off\n", 0, NULL },
	{ "duration_bad", IFACE PEER "IkeLifetime = 8 hours\n", 7, "duration" },
	{ "proposal_ok", IFACE PEER
	  "Proposals = aes256gcm16-prfsha384-x25519, aes128-sha256-modp2048\n"
	  "EspProposals = aes128gcm16-esn, chacha20poly1305\n", 0, NULL },
	{ "proposal_unknown", IFACE PEER "Proposals = aes512-sha256-x25519\n",
	  7, "unknown algorithm" },
	{ "proposal_legacy", IFACE PEER "Proposals = aes128-sha1-modp1024\n",
	  7, "weak algorithm" },
	{ "proposal_legacy_allowed", "[Interface]\nLocalId = a\nLegacy = yes\n"
	  PEER "Proposals = aes128-sha1-modp1024\n", 0, NULL },
	{ "proposal_aead_no_prf", IFACE PEER "Proposals = aes128gcm16-x25519\n",
	  7, "needs a PRF" },
	{ "proposal_no_dh", IFACE PEER "Proposals = aes128-sha256\n", 7,
	  "key exchange" },
	{ "proposal_mixed", IFACE PEER
	  "Proposals = aes128gcm16-aes128-sha256-x25519\n", 7, "cannot share" },
	{ "esp_prf", IFACE PEER "EspProposals = aes128gcm16-prfsha256\n", 7,
	  "no PRF" },
	{ "esp_cbc_no_integ", IFACE PEER "EspProposals = aes128\n", 7,
	  "needs an integrity" },
	{ "trailing_dash", IFACE PEER "EspProposals = aes128gcm16-\n", 7,
	  "ends with" },
	{ "nul_byte", "[Interface]\nLocalId = a\0b\n", 2, "NUL" },
	{ "auth_bad", IFACE PEER "Auth = certificate\n", 7, "psk or pubkey" },
	{ "start_bad", IFACE PEER "Start = later\n", 7, "start, trap or none" },
	{ "dpd_bad", IFACE PEER "DPD = sometimes\n", 7, "a duration, or off" },
	{ "legacy_bad", "[Interface]\nLegacy = maybe\n", 2, "yes or no" },
	{ "name_too_long", IFACE PEER "Name = "
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	  7, "longer than 63" },
	{ "remote_id_empty_value", IFACE "[Peer]\nRemoteId = \n", 4,
	  "empty value" },
	{ "cert_in_interface", "[Interface]\n" CREDS CERT_PEER CERT_PEER
	  "PrivateKey = /etc/ikehelper/b.key\nRsaPss = yes\n", 0, NULL },
	{ "cert_in_peer", "[Interface]\n" CERT_PEER CREDS
	  "LocalId = O=Example, CN=a.example\n"
	  "RemoteId = O=Example\\, Inc., CN=b.example\n", 0, NULL },
	{ "cert_missing_ca", "[Interface]\nCertificate = a.pem\n"
	  "PrivateKey = a.key\n" CERT_PEER, 4,
	  "Auth = pubkey but no CACertificate" },
	{ "cert_missing_key", "[Interface]\n" CERT_PEER
	  "Certificate = a.pem\nCACertificate = ca.pem\n", 2,
	  "no PrivateKey" },
	{ "cert_and_psk", "[Interface]\n" CREDS CERT_PEER PSK, 5,
	  "and a PresharedKey" },
	{ "psk_needs_local_id", "[Interface]\n" CREDS PEER, 5,
	  "without LocalId" },
	{ "cert_path_too_long", "[Interface]\nCertificate = " LONG_PATH "\n",
	  2, "longer than 255" },
	{ "rsa_pss_bad", IFACE PEER "RsaPss = sometimes\n", 7, "yes or no" },
	{ "cookie_threshold", "[Interface]\nCookieThreshold = 0\n", 0, NULL },
	{ "cookie_threshold_bad", "[Interface]\nCookieThreshold = many\n", 2,
	  "a count, 0-100000" },
};

/* What accepted files must have parsed into, beyond being accepted. */
static const struct {
	const char *name;
	int (*check)(const struct config *c);
} checks[] = {
	{ "cert_in_interface", creds_inherited },
};

static int check_parsed(const char *name, const struct config *c)
{
	unsigned int i;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (!strcmp(checks[i].name, name))
			return checks[i].check(c);
	return 1;
}

int main(void)
{
	unsigned int i, n = sizeof(cases) / sizeof(cases[0]);
	int fails = 0;

	printf("KTAP version 1\n1..%u\n", n);
	for (i = 0; i < n; i++) {
		const struct cfg_case *c = &cases[i];
		struct config_error err;
		struct config cfg;
		size_t len = strlen(c->text);
		int ret, ok;

		if (!strcmp(c->name, "nul_byte"))
			len = 24;
		ret = config_parse(c->text, len, &cfg, &err);
		if (!c->msg)
			ok = ret == 0 && check_parsed(c->name, &cfg);
		else
			ok = ret == -EINVAL && err.line == c->line &&
			     strstr(err.msg, c->msg);
		if (!ok) {
			printf("# %s: returned %d, line %u: %s\n", c->name, ret,
			       err.line, err.msg);
			fails++;
		}
		config_free(&cfg);
		printf("%sok %u %s\n", ok ? "" : "not ", i + 1, c->name);
	}
	printf("# config_test: %u cases, %d failed\n", n, fails);
	return fails ? 1 : 0;
}
