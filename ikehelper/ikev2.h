/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IKEv2 wire format (RFC 7296 section 3, RFC 7383 for fragments): the
 * constants, and the parsed views of a message and its payloads.
 *
 * Parsing never copies: a view points into the caller's buffer, which
 * must outlive it.  Every length is checked against its container before
 * anything is read (ikev2_pld.c).
 */
#ifndef IKEHELPER_IKEV2_H
#define IKEHELPER_IKEV2_H

#include <stddef.h>
#include <stdint.h>

#define IKEV2_HDR_LEN		28	/* RFC 7296 3.1 */
#define IKEV2_PLD_HDR_LEN	4	/* RFC 7296 3.2 */
#define IKEV2_VERSION		0x20	/* major 2, minor 0 */
#define IKEV2_MAX_MSG		65535	/* the length field is 32 bits; UDP caps it */
#define IKEV2_MAX_PLD		64	/* payloads per message we accept */

/* Exchange types (RFC 7296 3.1). */
enum ikev2_exchange {
	IKEV2_EXCH_IKE_SA_INIT = 34,
	IKEV2_EXCH_IKE_AUTH = 35,
	IKEV2_EXCH_CREATE_CHILD_SA = 36,
	IKEV2_EXCH_INFORMATIONAL = 37,
};

/* Header flags (RFC 7296 3.1). */
#define IKEV2_FLAG_INITIATOR	0x08
#define IKEV2_FLAG_VERSION	0x10
#define IKEV2_FLAG_RESPONSE	0x20

/* Payload types (RFC 7296 3.2, RFC 7383 2.5). */
enum ikev2_payload {
	IKEV2_PLD_NONE = 0,
	IKEV2_PLD_SA = 33,
	IKEV2_PLD_KE = 34,
	IKEV2_PLD_IDI = 35,
	IKEV2_PLD_IDR = 36,
	IKEV2_PLD_CERT = 37,
	IKEV2_PLD_CERTREQ = 38,
	IKEV2_PLD_AUTH = 39,
	IKEV2_PLD_NONCE = 40,
	IKEV2_PLD_NOTIFY = 41,
	IKEV2_PLD_DELETE = 42,
	IKEV2_PLD_VENDOR = 43,
	IKEV2_PLD_TSI = 44,
	IKEV2_PLD_TSR = 45,
	IKEV2_PLD_SK = 46,
	IKEV2_PLD_CP = 47,
	IKEV2_PLD_EAP = 48,
	IKEV2_PLD_SKF = 53,
};

#define IKEV2_CRITICAL		0x80	/* RFC 7296 3.2: the C bit */

/* Protocol IDs (RFC 7296 3.3.1). */
enum ikev2_proto {
	IKEV2_PROTO_IKE = 1,
	IKEV2_PROTO_AH = 2,
	IKEV2_PROTO_ESP = 3,
};

/* Transform types (RFC 7296 3.3.2). */
enum ikev2_xform_type {
	IKEV2_XFORM_ENCR = 1,
	IKEV2_XFORM_PRF = 2,
	IKEV2_XFORM_INTEG = 3,
	IKEV2_XFORM_DH = 4,
	IKEV2_XFORM_ESN = 5,
};

#define IKEV2_ATTR_KEY_LENGTH	14	/* RFC 7296 3.3.5, TV format */
#define IKEV2_ATTR_TV		0x8000

/* Traffic selector types (RFC 7296 3.13.1). */
#define IKEV2_TS_IPV4_ADDR_RANGE	7
#define IKEV2_TS_IPV6_ADDR_RANGE	8

/* Notify message types used in parsing decisions (RFC 7296 3.10.1). */
#define IKEV2_N_UNSUPPORTED_CRITICAL_PAYLOAD	1
#define IKEV2_N_INVALID_SYNTAX			7

/* Nonce lengths (RFC 7296 3.9). */
#define IKEV2_NONCE_MIN		16
#define IKEV2_NONCE_MAX		256

/* A byte range inside the message buffer. */
struct ikev2_buf {
	const uint8_t *p;
	size_t len;
};

struct ikev2_pld {
	uint8_t type;
	uint8_t critical;
	struct ikev2_buf body;	/* after the generic header */
};

/*
 * A message as received: the header, then its payloads in order.  With an
 * SK or SKF payload, that one is last (RFC 7296 3.14: its next-payload
 * field names the first payload inside); inner_next holds that type.
 */
struct ikev2_msg {
	uint64_t spi_i;
	uint64_t spi_r;
	uint8_t next;
	uint8_t version;
	uint8_t exchange;
	uint8_t flags;
	uint32_t msgid;
	uint32_t length;
	unsigned int npld;
	struct ikev2_pld pld[IKEV2_MAX_PLD];
	uint8_t inner_next;
	/* Set when a critical payload of an unknown type was met. */
	uint8_t unsupported_critical;
};

/* RFC 7296 3.3.2 and 3.3.5: one transform with its key length, if any. */
struct ikev2_xform {
	uint8_t type;
	uint16_t id;
	uint16_t keylen;	/* bits; 0 = no attribute */
};

#define IKEV2_MAX_XFORMS	32
#define IKEV2_MAX_PROPOSALS	16

struct ikev2_proposal {
	uint8_t num;
	uint8_t proto;
	uint8_t spi_size;
	uint8_t spi[8];
	unsigned int nxforms;
	struct ikev2_xform xf[IKEV2_MAX_XFORMS];
};

struct ikev2_sa {
	unsigned int nprop;
	struct ikev2_proposal prop[IKEV2_MAX_PROPOSALS];
};

struct ikev2_ke {
	uint16_t group;
	struct ikev2_buf data;
};

struct ikev2_id {
	uint8_t type;
	struct ikev2_buf data;
};

struct ikev2_auth {
	uint8_t method;
	struct ikev2_buf data;
};

struct ikev2_notify {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t type;
	struct ikev2_buf spi;
	struct ikev2_buf data;
};

struct ikev2_delete {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t nspi;
	struct ikev2_buf spis;
};

struct ikev2_ts {
	uint8_t type;
	uint8_t ipproto;
	uint16_t start_port;
	uint16_t end_port;
	uint8_t family;		/* 4 or 6 */
	uint8_t start[16];
	uint8_t end[16];
};

#define IKEV2_MAX_TS	16

struct ikev2_tss {
	unsigned int n;
	struct ikev2_ts ts[IKEV2_MAX_TS];
};

/* RFC 7383 2.5: an encrypted fragment's numbering, then the SK data. */
struct ikev2_skf {
	uint16_t num;
	uint16_t total;
	struct ikev2_buf data;
};

int ikev2_msg_parse(const uint8_t *buf, size_t len, struct ikev2_msg *msg);
int ikev2_payloads_parse(const uint8_t *buf, size_t len, uint8_t first,
			 struct ikev2_msg *msg);
int ikev2_pld_sa(const struct ikev2_buf *b, struct ikev2_sa *sa);
int ikev2_pld_ke(const struct ikev2_buf *b, struct ikev2_ke *ke);
int ikev2_pld_id(const struct ikev2_buf *b, struct ikev2_id *id);
int ikev2_pld_auth(const struct ikev2_buf *b, struct ikev2_auth *auth);
int ikev2_pld_nonce(const struct ikev2_buf *b);
int ikev2_pld_notify(const struct ikev2_buf *b, struct ikev2_notify *n);
int ikev2_pld_delete(const struct ikev2_buf *b, struct ikev2_delete *d);
int ikev2_pld_ts(const struct ikev2_buf *b, struct ikev2_tss *tss);
int ikev2_pld_skf(const struct ikev2_buf *b, struct ikev2_skf *skf);

#endif /* IKEHELPER_IKEV2_H */
