/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building IKEv2 messages, and the SK payload (RFC 7296 3.14) around
 * their inner payloads.
 */
#ifndef IKEHELPER_IKEV2_MSG_H
#define IKEHELPER_IKEV2_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "ikev2.h"

/* Without fragmentation (RFC 7383) a message fits in one datagram. */
#define IKEV2_OUT_MAX	8192

/*
 * A message or a chain of payloads being built.  @next_off is where the
 * type of the next payload added goes: the header's next-payload byte,
 * then each payload's own.  Errors stick in @err (-EMSGSIZE) so that a
 * sequence of calls can be checked once.
 */
struct ikev2_out {
	uint8_t buf[IKEV2_OUT_MAX];
	size_t len;
	size_t next_off;
	uint8_t first;		/* a chain without header: its first type */
	int err;
};

void ikev2_out_hdr(struct ikev2_out *o, uint64_t spi_i, uint64_t spi_r,
		   uint8_t exchange, uint8_t flags, uint32_t msgid);
void ikev2_out_chain(struct ikev2_out *o);
uint8_t *ikev2_out_pld(struct ikev2_out *o, uint8_t type, size_t len);
void ikev2_out_fix_len(struct ikev2_out *o);

/* The keys of one direction of an IKE SA's SK payloads. */
struct ikev2_sk_keys {
	struct crypto_sk_alg alg;
	const uint8_t *ekey;
	const uint8_t *ikey;
};

int ikev2_out_seal(struct ikev2_out *msg, const struct ikev2_out *inner,
		   const struct ikev2_sk_keys *k);
int ikev2_msg_open(uint8_t *buf, size_t len, const struct ikev2_msg *msg,
		   const struct ikev2_sk_keys *k, struct ikev2_msg *inner);

#endif /* IKEHELPER_IKEV2_MSG_H */
