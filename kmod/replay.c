// SPDX-License-Identifier: GPL-2.0-only
/*
 * espif: the inbound anti-replay window (RFC 4303 section 3.4.3 and
 * Appendix A).
 *
 * A packet is checked twice: before decryption, to drop replays cheaply
 * (espif_replay_check), and after authentication, when the window moves
 * (espif_replay_advance, which checks again because another CPU may have
 * accepted the same number meanwhile).  Only authenticated numbers ever
 * move the window (RFC 4303 3.4.3: "the receive window is updated only if
 * the integrity verification succeeds").
 */
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/log2.h>
#include <linux/slab.h>

#include "replay.h"

int espif_replay_init(struct espif_replay *r, u32 window, bool esn, gfp_t gfp)
{
	if (window > ESPIF_REPLAY_MAX || (esn && !window))
		return -EINVAL;
	r->top = 0;
	r->window = window;
	r->esn = esn;
	r->bits = roundup_pow_of_two(max_t(u32, window, BITS_PER_LONG));
	r->bmp = bitmap_zalloc(r->bits, gfp);
	return r->bmp ? 0 : -ENOMEM;
}

void espif_replay_destroy(struct espif_replay *r)
{
	bitmap_free(r->bmp);
	r->bmp = NULL;
}

/**
 * espif_replay_infer - the full sequence number of a received packet
 * @r: the window
 * @seq: the 32 bits carried in the ESP header
 *
 * Without ESN this is @seq.  With ESN the high half is guessed from the
 * window as in RFC 4303 Appendix A2.2; a wrong guess fails authentication,
 * since the high half is part of the ICV input.
 */
u64 espif_replay_infer(const struct espif_replay *r, u32 seq)
{
	u32 tl = lower_32_bits(r->top), th = upper_32_bits(r->top);
	u32 bottom = tl - r->window + 1;

	if (!r->esn)
		return seq;
	if (tl >= r->window - 1) {
		/* Case A: the window lies within one subspace. */
		if (seq < bottom)
			th++;
	} else {
		/*
		 * Case B: the window spans two subspaces.  Before the first
		 * wrap there is no lower subspace: a high number is ahead.
		 */
		if (seq >= bottom && th)
			th--;
	}
	return (u64)th << 32 | seq;
}

/**
 * espif_replay_check - may a packet with this sequence number be accepted?
 * @r: the window
 * @seq: the full sequence number
 *
 * Return: false for 0 (never sent, RFC 4303 3.3.3), for a number left of
 * the window and for one already seen.
 */
bool espif_replay_check(const struct espif_replay *r, u64 seq)
{
	if (!seq)
		return false;
	if (!r->window || seq > r->top)
		return true;
	if (r->top - seq >= r->window)
		return false;
	return !test_bit(seq & (r->bits - 1), r->bmp);
}

/**
 * espif_replay_advance - record an authenticated sequence number
 * @r: the window
 * @seq: the full sequence number
 *
 * Return: false if the number turned out to be a replay after all.
 */
bool espif_replay_advance(struct espif_replay *r, u64 seq)
{
	u64 diff, s;

	if (!espif_replay_check(r, seq))
		return false;
	if (seq > r->top) {
		diff = seq - r->top;
		if (diff >= r->bits) {
			bitmap_zero(r->bmp, r->bits);
		} else {
			/* Numbers skipped over have not been seen (yet). */
			for (s = r->top + 1; s < seq; s++)
				__clear_bit(s & (r->bits - 1), r->bmp);
		}
		r->top = seq;
	}
	__set_bit(seq & (r->bits - 1), r->bmp);
	return true;
}

#if IS_ENABLED(CONFIG_ESPIF_KUNIT_TEST)
#include "tests/replay_kunit.c"
#endif
