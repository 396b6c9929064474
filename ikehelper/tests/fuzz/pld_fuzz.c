// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness: IKEv2 message and payload parsing (ikev2_pld.c).
 *
 * The input is parsed twice: as a whole message (header, then the payload
 * chain), and as a bare payload chain whose first type is the input's
 * first byte, the way a decrypted SK body is parsed; every payload found
 * goes through its own parser.  Every view a parser returns is read end
 * to end, so that ASan sees any view reaching past the input.
 */
#include <stddef.h>
#include <stdint.h>

#include "../../ikev2.h"

static volatile uint8_t sink;

static void touch(const struct ikev2_buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		sink ^= b->p[i];
}

static void parse_payloads(const struct ikev2_msg *msg)
{
	struct ikev2_notify n;
	struct ikev2_delete d;
	struct ikev2_auth auth;
	struct ikev2_tss tss;
	struct ikev2_skf skf;
	struct ikev2_ke ke;
	struct ikev2_id id;
	struct ikev2_sa sa;
	unsigned int i;

	for (i = 0; i < msg->npld; i++) {
		const struct ikev2_pld *pld = &msg->pld[i];

		touch(&pld->body);
		switch (pld->type) {
		case IKEV2_PLD_SA:
			if (!ikev2_pld_sa(&pld->body, &sa))
				sink ^= (uint8_t)sa.nprop;
			break;
		case IKEV2_PLD_KE:
			if (!ikev2_pld_ke(&pld->body, &ke))
				touch(&ke.data);
			break;
		case IKEV2_PLD_IDI:
		case IKEV2_PLD_IDR:
			if (!ikev2_pld_id(&pld->body, &id))
				touch(&id.data);
			break;
		case IKEV2_PLD_AUTH:
			if (!ikev2_pld_auth(&pld->body, &auth))
				touch(&auth.data);
			break;
		case IKEV2_PLD_NONCE:
			sink ^= (uint8_t)ikev2_pld_nonce(&pld->body);
			break;
		case IKEV2_PLD_NOTIFY:
			if (!ikev2_pld_notify(&pld->body, &n)) {
				touch(&n.spi);
				touch(&n.data);
			}
			break;
		case IKEV2_PLD_DELETE:
			if (!ikev2_pld_delete(&pld->body, &d))
				touch(&d.spis);
			break;
		case IKEV2_PLD_TSI:
		case IKEV2_PLD_TSR:
			if (!ikev2_pld_ts(&pld->body, &tss))
				sink ^= (uint8_t)tss.n;
			break;
		case IKEV2_PLD_SKF:
			if (!ikev2_pld_skf(&pld->body, &skf))
				touch(&skf.data);
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ikev2_msg msg;

	if (!ikev2_msg_parse(data, size, &msg))
		parse_payloads(&msg);
	if (size > 1) {
		msg.npld = 0;
		if (!ikev2_payloads_parse(data + 1, size - 1, data[0], &msg))
			parse_payloads(&msg);
	}
	return 0;
}
