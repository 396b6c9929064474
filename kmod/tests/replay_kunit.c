// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the anti-replay window and ESN inference (kmod/replay.c) against
 * RFC 4303 section 3.4.3 and Appendix A.
 *
 * Included at the end of replay.c when CONFIG_ESPIF_KUNIT_TEST is set, so
 * the test sees what the module sees; never part of the DKMS package.
 *
 * Two kinds of cases:
 *  - a table of named scenarios (window edges, duplicates, far jumps, the
 *    2^32 wrap), each a list of steps with the expected verdict;
 *  - a randomised differential test that drives the window and a naive
 *    model (a list of every accepted number) with the same stream and
 *    compares every verdict, for every window size from 1 to the maximum.
 */
#include <kunit/test.h>
#include <linux/prandom.h>

/* One step: infer the full number from @wire, then check and advance. */
struct espif_replay_step {
	u32 wire;
	u64 full;	/* expected inference */
	bool ok;	/* expected verdict of check and advance */
};

struct espif_replay_case {
	const char *name;
	u32 window;
	bool esn;
	u64 top;	/* starting point: a number already accepted */
	unsigned int n;
	struct espif_replay_step steps[8];
};

#define HI(x)	((u64)(x) << 32)

static const struct espif_replay_case espif_replay_cases[] = {
	{ "zero_never_valid", 32, false, 0, 2, {
		{ 0, 0, false },
		{ 1, 1, true } } },
	{ "in_order", 32, false, 0, 3, {
		{ 1, 1, true }, { 2, 2, true }, { 3, 3, true } } },
	{ "duplicate", 32, false, 0, 3, {
		{ 5, 5, true }, { 5, 5, false }, { 4, 4, true } } },
	{ "window_left_edge", 32, false, 100, 3, {
		/* (top - window, top]: 69 is the last one inside. */
		{ 69, 69, true }, { 68, 68, false }, { 69, 69, false } } },
	{ "window_one", 1, false, 10, 3, {
		{ 10, 10, false }, { 9, 9, false }, { 11, 11, true } } },
	{ "far_jump_clears", 64, false, 10, 4, {
		{ 100000, 100000, true }, { 10, 10, false },
		{ 99999, 99999, true }, { 99937, 99937, true } } },
	{ "jump_by_window", 64, false, 64, 3, {
		/* top moves by exactly the window: all old bits go. */
		{ 128, 128, true }, { 64, 64, false }, { 65, 65, true } } },
	{ "reorder_within", 4096, false, 5000, 4, {
		{ 904, 904, false }, { 905, 905, true }, { 4999, 4999, true },
		{ 905, 905, false } } },
	{ "max_window", ESPIF_REPLAY_MAX, false, 70000, 3, {
		{ 70000 - ESPIF_REPLAY_MAX + 1, 70000 - ESPIF_REPLAY_MAX + 1,
		  true },
		{ 70000 - ESPIF_REPLAY_MAX, 70000 - ESPIF_REPLAY_MAX, false },
		{ 70001, 70001, true } } },
	{ "no_window_accepts_all", 0, false, 10, 3, {
		{ 10, 10, true }, { 10, 10, true }, { 0, 0, false } } },
	{ "u32_max_without_esn", 32, false, 0xfffffff0, 2, {
		{ 0xffffffff, 0xffffffff, true }, { 1, 1, false } } },
	/* Appendix A2.2 case A: the window in one subspace. */
	{ "esn_case_a_same", 64, true, HI(3) | 1000, 2, {
		{ 999, HI(3) | 999, true }, { 2000, HI(3) | 2000, true } } },
	{ "esn_case_a_below_is_next", 64, true, HI(3) | 1000, 2, {
		/* Below the window: taken as the next subspace. */
		{ 100, HI(4) | 100, true }, { 1000, HI(4) | 1000, true } } },
	/* Case B: the window spans the wrap. */
	{ "esn_case_b_wrap", 64, true, HI(1) | 10, 4, {
		{ 0xfffffff0, HI(0) | 0xfffffff0, true },
		{ 0xffffffcb, HI(0) | 0xffffffcb, true },
		{ 11, HI(1) | 11, true },
		/* Just below the bottom (11 - 63): taken as ahead. */
		{ 0xffffffca, HI(1) | 0xffffffca, true } } },
	{ "esn_cross_wrap", 64, true, 0xfffffffe, 4, {
		{ 0xffffffff, 0xffffffff, true },
		{ 0, HI(1), true },
		{ 1, HI(1) | 1, true },
		{ 0xfffffffe, 0xfffffffe, false } } },
	{ "esn_first_subspace_high", 64, true, 10, 2, {
		/* No subspace below 0: a high number is ahead. */
		{ 0xfffffff0, 0xfffffff0, true }, { 11, HI(1) | 11, true } } },
	{ "esn_duplicate_across_wrap", 128, true, HI(7) | 5, 2, {
		{ 0xfffffff0, HI(6) | 0xfffffff0, true },
		{ 0xfffffff0, HI(6) | 0xfffffff0, false } } },
};

static void espif_replay_case_desc(const struct espif_replay_case *c,
				   char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(espif_replay, espif_replay_cases, espif_replay_case_desc);

static void espif_replay_test_table(struct kunit *test)
{
	const struct espif_replay_case *c = test->param_value;
	struct espif_replay r;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, espif_replay_init(&r, c->window, c->esn,
						GFP_KERNEL), 0);
	if (c->top)
		KUNIT_ASSERT_TRUE(test, espif_replay_advance(&r, c->top));
	for (i = 0; i < c->n; i++) {
		const struct espif_replay_step *s = &c->steps[i];
		u64 full = espif_replay_infer(&r, s->wire);

		KUNIT_EXPECT_EQ_MSG(test, full, s->full, "step %u", i);
		KUNIT_EXPECT_EQ_MSG(test, espif_replay_check(&r, full), s->ok,
				    "check, step %u", i);
		KUNIT_EXPECT_EQ_MSG(test, espif_replay_advance(&r, full), s->ok,
				    "advance, step %u", i);
	}
	espif_replay_destroy(&r);
}

static void espif_replay_test_bad_init(struct kunit *test)
{
	struct espif_replay r;

	KUNIT_EXPECT_EQ(test, espif_replay_init(&r, ESPIF_REPLAY_MAX + 1,
						false, GFP_KERNEL), -EINVAL);
	/* ESN needs a window to infer from (RFC 4303 A2). */
	KUNIT_EXPECT_EQ(test, espif_replay_init(&r, 0, true, GFP_KERNEL),
			-EINVAL);
}

/*
 * The naive model: every accepted number is kept; a number is new when it
 * was never accepted and lies above top - window.
 */
struct espif_replay_model {
	u64 top;
	u32 window;
	u64 *seen;
	unsigned int n, cap;
};

static bool espif_model_check(const struct espif_replay_model *m, u64 seq)
{
	unsigned int i;

	if (!seq)
		return false;
	if (seq <= m->top && m->top - seq >= m->window)
		return false;
	for (i = 0; i < m->n; i++)
		if (m->seen[i] == seq)
			return false;
	return true;
}

static void espif_model_accept(struct espif_replay_model *m, u64 seq)
{
	unsigned int i, k = 0;

	if (seq > m->top)
		m->top = seq;
	/* Forget what can never matter again, to keep the list short. */
	for (i = 0; i < m->n; i++)
		if (m->top - m->seen[i] < m->window)
			m->seen[k++] = m->seen[i];
	m->n = k;
	m->seen[m->n++] = seq;
}

/* RFC 4303 Appendix A2.2, written from the text, for the ESN case. */
static u64 espif_model_infer(const struct espif_replay_model *m, u32 seq)
{
	u32 tl = lower_32_bits(m->top), th = upper_32_bits(m->top);
	u32 w = m->window;

	if (tl >= w - 1) {
		if (seq >= tl - w + 1)
			return (u64)th << 32 | seq;
		return (u64)(th + 1) << 32 | seq;
	}
	if (seq >= tl - w + 1 && th > 0)
		return (u64)(th - 1) << 32 | seq;
	return (u64)th << 32 | seq;
}

static const u32 espif_replay_windows[] = {
	1, 2, 31, 32, 33, 63, 64, 65, 128, 1000, 4096, ESPIF_REPLAY_MAX,
};

static void espif_replay_test_random(struct kunit *test)
{
	struct rnd_state rnd;
	unsigned int w, i;

	prandom_seed_state(&rnd, 0x65737069660aULL);
	for (w = 0; w < ARRAY_SIZE(espif_replay_windows); w++) {
		u32 window = espif_replay_windows[w];
		struct espif_replay_model m = { .window = window };
		unsigned int steps;
		struct espif_replay r;
		bool esn = w & 1;
		u64 seq;

		m.cap = window + 1;
		m.seen = kunit_kmalloc_array(test, m.cap, sizeof(u64),
					     GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, m.seen);
		KUNIT_ASSERT_EQ(test, espif_replay_init(&r, window, esn,
							GFP_KERNEL), 0);
		/*
		 * Start near the 2^32 wrap so that ESN crosses it, and far
		 * enough from 0 that the stream never goes below it.
		 */
		seq = esn ? 0xffffffffULL - 3 * window : 3ULL * window + 1;
		espif_model_accept(&m, seq);
		KUNIT_ASSERT_TRUE(test, espif_replay_advance(&r, seq));
		/* The model is quadratic: fewer steps for the big windows. */
		steps = window > 1000 ? 3000 : 20000;
		for (i = 0; i < steps; i++) {
			u32 span = 2 * window + 2, pick = prandom_u32_state(&rnd);
			u64 full;
			bool ok;

			/* Mostly near the top, sometimes far ahead. */
			if (pick % 64 == 0)
				seq = m.top + (pick >> 8) % (4 * window + 1) + 1;
			else
				seq = m.top + (pick >> 6) % span - window - 1;
			if (!esn)
				seq = lower_32_bits(seq);
			full = espif_replay_infer(&r, lower_32_bits(seq));
			if (esn) {
				KUNIT_ASSERT_EQ_MSG(test, full,
						    espif_model_infer(&m, lower_32_bits(seq)),
						    "window %u, top %llu, step %u",
						    window, m.top, i);
			} else {
				KUNIT_ASSERT_EQ(test, full, seq);
			}
			ok = espif_model_check(&m, full);
			KUNIT_ASSERT_EQ_MSG(test, espif_replay_check(&r, full), ok,
					    "window %u, top %llu, seq %llu",
					    window, m.top, full);
			/* Half the accepted packets "fail authentication". */
			if (pick & 1)
				continue;
			KUNIT_ASSERT_EQ(test, espif_replay_advance(&r, full), ok);
			if (ok)
				espif_model_accept(&m, full);
			KUNIT_ASSERT_EQ(test, r.top, m.top);
		}
		espif_replay_destroy(&r);
	}
}

static struct kunit_case espif_replay_test_cases[] = {
	KUNIT_CASE_PARAM(espif_replay_test_table, espif_replay_gen_params),
	KUNIT_CASE(espif_replay_test_bad_init),
	KUNIT_CASE_SLOW(espif_replay_test_random),
	{}
};

static struct kunit_suite espif_replay_test_suite = {
	.name = "espif_replay",
	.test_cases = espif_replay_test_cases,
};

kunit_test_suite(espif_replay_test_suite);
