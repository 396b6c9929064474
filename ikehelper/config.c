// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The configuration file: one [Interface] section, then one [Peer] section
 * per peer; "Key = Value" lines; '#' starts a comment; keys are
 * case-insensitive, as in wg(8).  Every refusal names its line.
 *
 * [Interface]
 *   ListenPort   IKE port (500); NAT-T always uses 4500 (RFC 7296 2.23)
 *   LocalId      our IKE identity (FQDN, user@fqdn, address, or a DN such
 *                as "O=Example, CN=a.example"), default for every peer;
 *                with certificates the default is the certificate's subject
 *   Certificate  PEM file: our certificate, then intermediates to send
 *   PrivateKey   PEM file: its key (unencrypted; refused if others can
 *                read it)
 *   CACertificate PEM file: the trust anchors peers' certificates must
 *                chain to; these three are defaults for every peer
 *   Legacy       yes: allow MODP-1024, 3DES and SHA-1 in proposals
 *   CookieThreshold  half-open IKE SAs from which an IKE_SA_INIT must
 *                come back with a cookie (RFC 7296 2.6; 10; 0: always)
 *   Retransmits  how often a request is sent again (after 1, 2, 4, ...
 *                seconds) before the peer counts as dead (5: 63 s; 0-10)
 * [Peer]
 *   Name         a label for logs and `ikehelper show`
 *   Endpoint     ADDR or ADDR:PORT or [V6ADDR]:PORT; none: responder only
 *   LocalId      our identity towards this peer
 *   RemoteId     the identity the peer must prove
 *   Auth         psk (default) or pubkey (certificates, RFC 7427)
 *   Certificate, PrivateKey, CACertificate   as in [Interface]
 *   RsaPss       yes: sign with RSASSA-PSS rather than PKCS#1 v1.5 (the
 *                default, since Android fails on PSS); as responder we
 *                answer PSS with PSS anyway
 *   PresharedKey 0x<hex>, 0s<base64>, or the text itself; at least 16
 *                bytes (RFC 7296 2.15: short keys fall to offline guessing)
 *   AllowedIPs   the peer's side of the traffic selectors, prefixes
 *   LocalIPs     our side (default 0.0.0.0/0, ::/0)
 *   Proposals    IKE proposals, strongSwan syntax, comma-separated
 *   EspProposals ESP proposals, likewise
 *   IkeLifetime, ChildLifetime   durations: 3600, 90s, 60m, 8h, 1d
 *   DPD          liveness check interval (0 or off: none)
 *   Start        start (initiate now), trap (on the first packet), none
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "config.h"

#define LINE_MAX_LEN	1024

/* Defaults: what strongSwan 5.9 proposes, minus the legacy entries. */
static const char *const default_ike[] = {
	"aes256gcm16-aes128gcm16-chacha20poly1305-prfsha256-prfsha384-x25519-ecp256-modp3072",
	"aes256-aes128-sha256-sha384-x25519-ecp256-modp3072",
};
static const char *const default_esp[] = {
	"aes128gcm16-aes256gcm16-chacha20poly1305",
	"aes128-aes256-sha256",
};

static int __attribute__((format(printf, 3, 4)))
fail(struct config_error *err, unsigned int line,
		const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* "yes"/"no" and friends. */
static int parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") ||
		 !strcmp(v, "0"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

/* 3600, 90s, 60m, 8h, 1d; at most a year. */
static int parse_duration(const char *v, uint32_t *out)
{
	unsigned long long n, mult = 1;
	char *end;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	default:
		return -EINVAL;
	}
	if (*end && end[1])
		return -EINVAL;
	if (n > 366ULL * 86400 / mult)
		return -ERANGE;
	*out = (uint32_t)(n * mult);
	return 0;
}

static int parse_addr(const char *s, uint8_t *family, uint8_t *addr)
{
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = 6;
		return 0;
	}
	return -EINVAL;
}

/* ADDR/LEN, host bits zero; a bare ADDR is a host prefix. */
static int parse_prefix(char *s, struct config_prefix *p, const char **why)
{
	char *slash = strchr(s, '/');
	unsigned long plen;
	unsigned int i, max;
	char *end;

	memset(p, 0, sizeof(*p));
	if (slash)
		*slash = '\0';
	if (parse_addr(trim(s), &p->family, p->addr)) {
		*why = "not an IPv4 or IPv6 address";
		return -EINVAL;
	}
	max = p->family == 4 ? 32 : 128;
	plen = max;
	if (slash) {
		errno = 0;
		plen = strtoul(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *trim(end) || plen > max) {
			*why = "bad prefix length";
			return -EINVAL;
		}
	}
	p->plen = (uint8_t)plen;
	for (i = plen; i < max; i++) {
		if (p->addr[i / 8] & (0x80 >> (i % 8))) {
			*why = "the address has bits set past the prefix length";
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_prefixes(char *v, struct config_prefix *list,
			  unsigned int *n, const char **why)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(v, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*n == CONFIG_MAX_SEL) {
			*why = "too many prefixes";
			return -E2BIG;
		}
		if (parse_prefix(tok, &list[*n], why))
			return -EINVAL;
		(*n)++;
	}
	if (!*n) {
		*why = "no prefix";
		return -EINVAL;
	}
	return 0;
}

/* ADDR, ADDR:PORT, [V6]:PORT, V6 (no port). */
static int parse_endpoint(char *v, struct config_peer *peer, const char **why)
{
	unsigned long port = 500;
	char *host = v, *colon = NULL, *end;

	if (*v == '[') {
		end = strchr(v, ']');
		if (!end) {
			*why = "missing ']'";
			return -EINVAL;
		}
		*end = '\0';
		host = v + 1;
		if (end[1] == ':')
			colon = end + 1;
		else if (end[1]) {
			*why = "junk after ']'";
			return -EINVAL;
		}
	} else if (strchr(v, ':') == strrchr(v, ':')) {
		/* One colon at most: IPv4 with a port, or a bare IPv4. */
		colon = strchr(v, ':');
		if (colon)
			*colon = '\0';
	}
	if (colon) {
		errno = 0;
		port = strtoul(colon + 1, &end, 10);
		if (errno || end == colon + 1 || *end || !port || port > 65535) {
			*why = "bad port";
			return -EINVAL;
		}
	}
	if (parse_addr(host, &peer->ep_family, peer->ep_addr)) {
		*why = "not an IPv4 or IPv6 address (host names are not resolved)";
		return -EINVAL;
	}
	peer->ep_port = (uint16_t)port;
	peer->has_endpoint = true;
	return 0;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* 0x<hex>, 0s<base64> (strongSwan's notations), else the text itself. */
static int parse_psk(const char *v, uint8_t *out, size_t *len,
		     const char **why)
{
	size_t n = 0, i, vlen = strlen(v);
	unsigned int acc = 0, bits = 0;

	if (!strncmp(v, "0x", 2)) {
		if ((vlen - 2) % 2) {
			*why = "odd number of hex digits";
			return -EINVAL;
		}
		for (i = 2; i < vlen; i += 2) {
			unsigned int b;

			if (!isxdigit((unsigned char)v[i]) ||
			    !isxdigit((unsigned char)v[i + 1]) ||
			    sscanf(v + i, "%2x", &b) != 1) {
				*why = "not a hex digit";
				return -EINVAL;
			}
			if (n == CONFIG_PSK_MAX)
				goto too_long;
			out[n++] = (uint8_t)b;
		}
	} else if (!strncmp(v, "0s", 2)) {
		for (i = 2; i < vlen && v[i] != '='; i++) {
			int d = b64val((unsigned char)v[i]);

			if (d < 0) {
				*why = "not base64";
				return -EINVAL;
			}
			acc = (acc << 6 | (unsigned int)d) & 0xffffff;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				if (n == CONFIG_PSK_MAX)
					goto too_long;
				out[n++] = (uint8_t)(acc >> bits);
			}
		}
		for (; i < vlen; i++) {
			if (v[i] != '=') {
				*why = "not base64";
				return -EINVAL;
			}
		}
	} else {
		if (vlen > CONFIG_PSK_MAX)
			goto too_long;
		memcpy(out, v, vlen);
		n = vlen;
	}
	if (n < 16) {
		*why = "shorter than 16 bytes: guessable offline (RFC 7296 2.15)";
		return -EINVAL;
	}
	*len = n;
	return 0;
too_long:
	*why = "longer than 256 bytes";
	return -EINVAL;
}

static int parse_proposals(char *v, enum proposal_kind kind, bool legacy,
			   struct proposal *list, unsigned int *n,
			   const char **why)
{
	char *save = NULL, *tok;

	*n = 0;
	for (tok = strtok_r(v, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*n == CONFIG_MAX_PROPOSALS) {
			*why = "too many proposals";
			return -E2BIG;
		}
		if (proposal_parse(trim(tok), kind, legacy, &list[*n], why))
			return -EINVAL;
		(*n)++;
	}
	if (!*n) {
		*why = "no proposal";
		return -EINVAL;
	}
	return 0;
}

/* Identities and paths: both fields hold 255 bytes and a NUL. */
_Static_assert(CONFIG_ID_MAX == 256 && CONFIG_PATH_MAX == 256,
	       "copy_value's message names the size");

static int copy_value(char *dst, const char *v, const char **why)
{
	size_t n = strlen(v);

	if (!n || n >= 256) {
		*why = n ? "longer than 255 bytes" : "empty";
		return -EINVAL;
	}
	memcpy(dst, v, n + 1);
	return 0;
}

/* Certificate, PrivateKey, CACertificate: 1 if @key is none of them. */
static int creds_key(struct config_creds *cr, const char *key, const char *v,
		     const char **why)
{
	if (!strcasecmp(key, "Certificate"))
		return copy_value(cr->cert, v, why);
	if (!strcasecmp(key, "PrivateKey"))
		return copy_value(cr->key, v, why);
	if (!strcasecmp(key, "CACertificate"))
		return copy_value(cr->ca, v, why);
	return 1;
}

enum section { SEC_NONE, SEC_INTERFACE, SEC_PEER };

/* One Key = Value line of a [Peer] section. */
static int peer_key(struct config *c, struct config_peer *p, const char *key,
		    char *v, const char **why)
{
	int ret;

	if (!strcasecmp(key, "Name")) {
		if (strlen(v) >= sizeof(p->name)) {
			*why = "longer than 63 bytes";
			return -EINVAL;
		}
		strcpy(p->name, v);
		return 0;
	}
	if (!strcasecmp(key, "Endpoint"))
		return parse_endpoint(v, p, why);
	if (!strcasecmp(key, "LocalId"))
		return copy_value(p->local_id, v, why);
	if (!strcasecmp(key, "RemoteId"))
		return copy_value(p->remote_id, v, why);
	if (!strcasecmp(key, "Auth")) {
		if (!strcasecmp(v, "psk"))
			p->auth = CONFIG_AUTH_PSK;
		else if (!strcasecmp(v, "pubkey"))
			p->auth = CONFIG_AUTH_PUBKEY;
		else {
			*why = "psk or pubkey";
			return -EINVAL;
		}
		return 0;
	}
	if (!strcasecmp(key, "PresharedKey"))
		return parse_psk(v, p->psk, &p->psk_len, why);
	if (!strcasecmp(key, "RsaPss"))
		return parse_bool(v, &p->rsa_pss) ? (*why = "yes or no", -EINVAL) : 0;
	ret = creds_key(&p->creds, key, v, why);
	if (ret <= 0)
		return ret;
	if (!strcasecmp(key, "AllowedIPs"))
		return parse_prefixes(v, p->remote, &p->n_remote, why);
	if (!strcasecmp(key, "LocalIPs"))
		return parse_prefixes(v, p->local, &p->n_local, why);
	if (!strcasecmp(key, "Proposals"))
		return parse_proposals(v, PROPOSAL_IKE, c->legacy, p->ike,
				       &p->n_ike, why);
	if (!strcasecmp(key, "EspProposals"))
		return parse_proposals(v, PROPOSAL_ESP, c->legacy, p->esp,
				       &p->n_esp, why);
	if (!strcasecmp(key, "IkeLifetime"))
		return parse_duration(v, &p->ike_lifetime) ?
		       (*why = "a duration: 3600, 90s, 60m, 8h, 1d", -EINVAL) : 0;
	if (!strcasecmp(key, "ChildLifetime"))
		return parse_duration(v, &p->child_lifetime) ?
		       (*why = "a duration: 3600, 90s, 60m, 8h, 1d", -EINVAL) : 0;
	if (!strcasecmp(key, "DPD")) {
		if (!strcasecmp(v, "off")) {
			p->dpd = 0;
			return 0;
		}
		return parse_duration(v, &p->dpd) ?
		       (*why = "a duration, or off", -EINVAL) : 0;
	}
	if (!strcasecmp(key, "Start")) {
		if (!strcasecmp(v, "start"))
			p->start = CONFIG_START_START;
		else if (!strcasecmp(v, "trap"))
			p->start = CONFIG_START_TRAP;
		else if (!strcasecmp(v, "none"))
			p->start = CONFIG_START_NONE;
		else {
			*why = "start, trap or none";
			return -EINVAL;
		}
		return 0;
	}
	*why = "unknown key in [Peer]";
	return -ENOENT;
}

static int interface_key(struct config *c, const char *key, char *v,
			 const char **why)
{
	unsigned long port, n;
	char *end;
	int ret;

	if (!strcasecmp(key, "ListenPort")) {
		errno = 0;
		port = strtoul(v, &end, 10);
		if (errno || end == v || *end || !port || port > 65535) {
			*why = "a port, 1-65535";
			return -EINVAL;
		}
		c->port = (uint16_t)port;
		return 0;
	}
	if (!strcasecmp(key, "LocalId"))
		return copy_value(c->local_id, v, why);
	ret = creds_key(&c->creds, key, v, why);
	if (ret <= 0)
		return ret;
	if (!strcasecmp(key, "Retransmits")) {
		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno || end == v || *end || n > 10) {
			*why = "a count, 0-10";
			return -EINVAL;
		}
		c->retransmits = (unsigned int)n;
		return 0;
	}
	if (!strcasecmp(key, "CookieThreshold")) {
		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno || end == v || *end || n > 100000) {
			*why = "a count, 0-100000";
			return -EINVAL;
		}
		c->cookie_threshold = (unsigned int)n;
		return 0;
	}
	if (!strcasecmp(key, "Legacy"))
		return parse_bool(v, &c->legacy) ? (*why = "yes or no", -EINVAL) : 0;
	*why = "unknown key in [Interface]";
	return -ENOENT;
}

static void peer_defaults(const struct config *c, struct config_peer *p)
{
	const char *why;
	unsigned int i;

	if (!p->local_id[0])
		memcpy(p->local_id, c->local_id, sizeof(p->local_id));
	if (!p->creds.cert[0])
		memcpy(p->creds.cert, c->creds.cert, sizeof(p->creds.cert));
	if (!p->creds.key[0])
		memcpy(p->creds.key, c->creds.key, sizeof(p->creds.key));
	if (!p->creds.ca[0])
		memcpy(p->creds.ca, c->creds.ca, sizeof(p->creds.ca));
	if (!p->n_local) {
		parse_prefix((char[]){ "0.0.0.0/0" }, &p->local[0], &why);
		parse_prefix((char[]){ "::/0" }, &p->local[1], &why);
		p->n_local = 2;
	}
	if (!p->n_ike)
		for (i = 0; i < 2; i++)
			proposal_parse(default_ike[i], PROPOSAL_IKE, false,
				       &p->ike[p->n_ike++], &why);
	if (!p->n_esp)
		for (i = 0; i < 2; i++)
			proposal_parse(default_esp[i], PROPOSAL_ESP, false,
				       &p->esp[p->n_esp++], &why);
}

/* What any peer section must have. */
static int peer_check_common(const struct config_peer *p,
			     struct config_error *err)
{
	if (!p->n_remote)
		return fail(err, p->line, "[Peer] without AllowedIPs");
	if (p->start != CONFIG_START_NONE && !p->has_endpoint)
		return fail(err, p->line, "Start = start or trap needs an Endpoint");
	return 0;
}

/* What a peer section must have once complete. */
static int peer_check(const struct config *c, const struct config_peer *p,
		      struct config_error *err)
{
	static const char *const cred_names[] = {
		"Certificate", "PrivateKey", "CACertificate",
	};
	const char *have[3] = { p->creds.cert, p->creds.key, p->creds.ca };
	const char *dflt[3] = { c->creds.cert, c->creds.key, c->creds.ca };
	unsigned int i;

	if (!p->remote_id[0])
		return fail(err, p->line, "[Peer] without RemoteId");
	if (p->auth == CONFIG_AUTH_PUBKEY) {
		/* LocalId may default to the certificate's subject. */
		if (p->psk_len)
			return fail(err, p->line, "[Peer] with Auth = pubkey and a PresharedKey: which one?");
		for (i = 0; i < 3; i++)
			if (!have[i][0] && !dflt[i][0])
				return fail(err, p->line, "[Peer] with Auth = pubkey but no %s (here or in [Interface])",
					    cred_names[i]);
		return peer_check_common(p, err);
	}
	if (!p->local_id[0] && !c->local_id[0])
		return fail(err, p->line, "[Peer] without LocalId (here or in [Interface])");
	if (!p->psk_len)
		return fail(err, p->line, "[Peer] with Auth = psk but no PresharedKey");
	return peer_check_common(p, err);
}

/**
 * config_parse - parse a configuration file's text
 * @text: the bytes (need not end in NUL)
 * @len: their number
 * @c: the result (free with config_free(), also after an error)
 * @err: the line and reason of the first error
 *
 * Return: 0, -EINVAL (with @err), or -ENOMEM.
 */
int config_parse(const char *text, size_t len, struct config *c,
		 struct config_error *err)
{
	enum section sec = SEC_NONE;
	struct config_peer *peer = NULL;
	unsigned int lineno = 0, seen_iface = 0;
	size_t off = 0;

	memset(c, 0, sizeof(*c));
	memset(err, 0, sizeof(*err));
	c->port = 500;
	c->retransmits = 5;
	c->cookie_threshold = 10;
	while (off < len) {
		char line[LINE_MAX_LEN], *s, *eq, *key, *val, *hash;
		const char *why = NULL;
		size_t n = 0;
		int ret;

		lineno++;
		while (off < len && text[off] != '\n') {
			if (n == sizeof(line) - 1)
				return fail(err, lineno, "line longer than %d bytes",
					    LINE_MAX_LEN - 1);
			if (!text[off])
				return fail(err, lineno, "NUL byte in the file");
			line[n++] = text[off++];
		}
		off++;	/* the newline */
		line[n] = '\0';
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		s = trim(line);
		if (!*s)
			continue;

		if (*s == '[') {
			if (!strcasecmp(s, "[Interface]")) {
				if (sec == SEC_PEER)
					return fail(err, lineno, "[Interface] must come before the peers");
				if (seen_iface++)
					return fail(err, lineno, "a second [Interface] section");
				sec = SEC_INTERFACE;
			} else if (!strcasecmp(s, "[Peer]")) {
				if (peer && (ret = peer_check(c, peer, err)))
					return ret;
				if (c->npeers == CONFIG_MAX_PEERS)
					return fail(err, lineno, "more than %d peers",
						    CONFIG_MAX_PEERS);
				/*
				 * All at once: a realloc() would leave copies
				 * of the keys behind in freed memory.
				 */
				if (!c->peers) {
					c->peers = calloc(CONFIG_MAX_PEERS,
							  sizeof(*c->peers));
					if (!c->peers)
						return -ENOMEM;
				}
				peer = &c->peers[c->npeers++];
				memset(peer, 0, sizeof(*peer));
				peer->line = lineno;
				peer->ike_lifetime = 4 * 3600;
				peer->child_lifetime = 3600;
				peer->dpd = 30;
				sec = SEC_PEER;
			} else {
				return fail(err, lineno, "unknown section %s (expected [Interface] or [Peer])",
					    s);
			}
			continue;
		}

		eq = strchr(s, '=');
		if (!eq)
			return fail(err, lineno, "expected Key = Value");
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (!*key)
			return fail(err, lineno, "a value without a key");
		if (!*val)
			return fail(err, lineno, "%s: empty value", key);
		switch (sec) {
		case SEC_NONE:
			return fail(err, lineno, "%s outside a section", key);
		case SEC_INTERFACE:
			ret = interface_key(c, key, val, &why);
			break;
		default:
			ret = peer_key(c, peer, key, val, &why);
			break;
		}
		if (ret)
			return fail(err, lineno, "%s: %s", key, why);
	}
	if (!seen_iface)
		return fail(err, 0, "no [Interface] section");
	if (peer) {
		int ret = peer_check(c, peer, err);

		if (ret)
			return ret;
	}
	for (unsigned int i = 0; i < c->npeers; i++)
		peer_defaults(c, &c->peers[i]);
	return 0;
}

/* Free the peers; the keys are wiped first. */
void config_free(struct config *c)
{
	unsigned int i;

	if (c->peers)
		for (i = 0; i < c->npeers; i++)
			explicit_bzero(c->peers[i].psk, sizeof(c->peers[i].psk));
	free(c->peers);
	c->peers = NULL;
	c->npeers = 0;
}
