/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * espif: the inbound anti-replay window (RFC 4303 section 3.4.3 and
 * Appendix A).  Pure functions over struct espif_replay; the caller
 * serialises (the SA's lock).
 */
#ifndef _ESPIF_REPLAY_H
#define _ESPIF_REPLAY_H

#include <linux/types.h>

/* xfrm's largest window is 4096 packets; a 64 Ki-packet bitmap is 8 KiB. */
#define ESPIF_REPLAY_MAX	65536U

/**
 * struct espif_replay - inbound sequence-number state of an SA
 * @top: the highest authenticated sequence number, 0 before the first
 * @window: the window size in packets, 0 when the check is off
 * @bits: the bitmap size, a power of two >= @window and >= BITS_PER_LONG
 * @esn: 64-bit extended sequence numbers (RFC 4303 section 2.2.1)
 * @bmp: one bit per sequence number in (top - window, top], at index
 *	seq & (bits - 1)
 */
struct espif_replay {
	u64 top;
	u32 window;
	u32 bits;
	bool esn;
	unsigned long *bmp;
};

int espif_replay_init(struct espif_replay *r, u32 window, bool esn, gfp_t gfp);
void espif_replay_destroy(struct espif_replay *r);
u64 espif_replay_infer(const struct espif_replay *r, u32 seq);
bool espif_replay_check(const struct espif_replay *r, u64 seq);
bool espif_replay_advance(struct espif_replay *r, u64 seq);

#endif /* _ESPIF_REPLAY_H */
