// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Known answers and malformed inputs for ikev2_pld.c (RFC 7296 3,
 * RFC 7383 2.5).  KTAP output; exit status 1 on any failure.  Built and
 * run with ASan and UBSan by `make -C ikehelper test`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../ikev2.h"

struct pld_case {
	const char *name;
	const char *hex;	/* a whole message, or "chain:" TYPE BYTES */
	int ret;
	unsigned int npld;
	uint8_t last_type;	/* type of the last payload parsed */
	uint8_t inner_next;
	uint8_t unsupported_critical;
};

/* Header: SPIi, SPIr, next, version, exchange, flags, msgid, length. */
#define H(next, len) "1122334455667788" "0000000000000000" next "20" "22" "08" \
	"00000000" len

static const struct pld_case cases[] = {
	{ "header_only", H("00", "0000001c"), 0, 0, 0, 0, 0 },
	{ "short_header", "112233", -EBADMSG, 0, 0, 0, 0 },
	{ "length_mismatch", H("00", "0000001d"), -EBADMSG, 0, 0, 0, 0 },
	{ "major_version_3", "1122334455667788" "0000000000000000" "00" "30"
	  "22" "08" "00000000" "0000001c", -EPROTONOSUPPORT, 0, 0, 0, 0 },
	{ "nonce", H("28", "00000030") "00000014" "000102030405060708090a0b0c0d0e0f",
	  0, 1, IKEV2_PLD_NONCE, 0, 0 },
	{ "payload_past_end", H("28", "00000030") "00000015" "000102030405060708090a0b0c0d0e0f",
	  -EBADMSG, 0, 0, 0, 0 },
	{ "payload_length_3", H("28", "00000020") "00000003",
	  -EBADMSG, 0, 0, 0, 0 },
	{ "trailing_bytes", H("28", "00000031") "00000014" "000102030405060708090a0b0c0d0e0f" "00",
	  -EBADMSG, 1, IKEV2_PLD_NONCE, 0, 0 },
	{ "unknown_skipped", H("63", "00000024") "28000004" "00000004",
	  0, 1, IKEV2_PLD_NONCE, 0, 0 },
	{ "unknown_noncritical", H("63", "00000020") "00000004",
	  0, 0, 0, 0, 0 },
	{ "unknown_critical", H("63", "00000020") "00800004",
	  -EBADMSG, 0, 0, 0, 0x63 },
	{ "sk_ends_chain", H("2e", "00000030") "23000014" "000102030405060708090a0b0c0d0e0f",
	  0, 1, IKEV2_PLD_SK, IKEV2_PLD_IDI, 0 },
	{ "skf", H("35", "00000030") "23000014" "00010003" "0102030405060708090a0b0c",
	  0, 1, IKEV2_PLD_SKF, IKEV2_PLD_IDI, 0 },
};

static int unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int b;

	while (s[0] && s[1] && n < max) {
		if (sscanf(s, "%2x", &b) != 1)
			return -1;
		out[n++] = (uint8_t)b;
		s += 2;
	}
	return (int)n;
}

static int fails;
static unsigned int test_no;

static void check(int ok, const char *name, const char *what)
{
	if (!ok) {
		printf("# %s: %s\n", name, what);
		fails++;
	}
}

static void run_msg_case(const struct pld_case *c)
{
	static struct ikev2_msg msg;
	uint8_t buf[512];
	int len, ret, before = fails;

	len = unhex(c->hex, buf, sizeof(buf));
	ret = ikev2_msg_parse(buf, (size_t)len, &msg);
	check(ret == c->ret, c->name, "return value");
	check(msg.npld == c->npld, c->name, "payload count");
	if (c->npld)
		check(msg.pld[msg.npld - 1].type == c->last_type, c->name,
		      "last payload type");
	check(msg.inner_next == c->inner_next, c->name, "SK next payload");
	check(msg.unsupported_critical == c->unsupported_critical, c->name,
	      "unsupported critical payload");
	printf("%sok %u %s\n", fails == before ? "" : "not ", ++test_no, c->name);
}

/* An SA payload: ESP, SPI 11223344, AES-GCM-16 128 bits, no ESN. */
static const char sa_esp[] =
	"00000020" "01030402" "11223344"
	"0300000c" "01000014" "800e0080"
	"00000008" "05000000";

struct sa_case {
	const char *name;
	const char *hex;
	int ret;
	unsigned int nprop, nxforms;
	uint16_t keylen;
};

static const struct sa_case sa_cases[] = {
	{ "sa_esp_gcm", sa_esp, 0, 1, 2, 128 },
	{ "sa_empty", "", -EBADMSG, 0, 0, 0 },
	{ "sa_proposal_too_long", "00000021" "01030402" "11223344"
	  "0300000c" "01000014" "800e0080" "00000008" "05000000",
	  -EBADMSG, 0, 0, 0 },
	{ "sa_wrong_number", "00000020" "02030402" "11223344"
	  "0300000c" "01000014" "800e0080" "00000008" "05000000",
	  -EBADMSG, 0, 0, 0 },
	{ "sa_transform_count_high", "00000020" "01030403" "11223344"
	  "0300000c" "01000014" "800e0080" "00000008" "05000000",
	  -EBADMSG, 0, 0, 0 },
	{ "sa_last_flag_wrong", "00000020" "01030402" "11223344"
	  "0000000c" "01000014" "800e0080" "00000008" "05000000",
	  -EBADMSG, 0, 0, 0 },
	{ "sa_spi_too_big", "00000020" "01030902" "11223344"
	  "0300000c" "01000014" "800e0080" "00000008" "05000000",
	  -EBADMSG, 0, 0, 0 },
	{ "sa_tlv_attr_overrun", "00000020" "01030402" "11223344"
	  "0300000c" "01000014" "000e0080" "00000008" "05000000",
	  -EBADMSG, 0, 0, 0 },
};

static void run_sa_case(const struct sa_case *c)
{
	struct ikev2_buf b;
	struct ikev2_sa sa;
	uint8_t buf[512];
	int len, ret, before = fails;

	len = unhex(c->hex, buf, sizeof(buf));
	b.p = buf;
	b.len = (size_t)len;
	ret = ikev2_pld_sa(&b, &sa);
	check(ret == c->ret, c->name, "return value");
	if (!c->ret) {
		check(sa.nprop == c->nprop, c->name, "proposals");
		check(sa.prop[0].nxforms == c->nxforms, c->name, "transforms");
		check(sa.prop[0].xf[0].keylen == c->keylen, c->name, "key length");
		check(sa.prop[0].spi_size == 4 && sa.prop[0].spi[0] == 0x11,
		      c->name, "SPI");
	}
	printf("%sok %u %s\n", fails == before ? "" : "not ", ++test_no, c->name);
}

struct small_case {
	const char *name;
	int (*parse)(const struct ikev2_buf *b);
	const char *hex;
	int ret;
};

static int ts_parse(const struct ikev2_buf *b)
{
	struct ikev2_tss tss;

	return ikev2_pld_ts(b, &tss);
}

static int delete_parse(const struct ikev2_buf *b)
{
	struct ikev2_delete d;

	return ikev2_pld_delete(b, &d);
}

static int notify_parse(const struct ikev2_buf *b)
{
	struct ikev2_notify n;

	return ikev2_pld_notify(b, &n);
}

static int skf_parse(const struct ikev2_buf *b)
{
	struct ikev2_skf skf;

	return ikev2_pld_skf(b, &skf);
}

static const struct small_case small_cases[] = {
	{ "ts_v4", ts_parse, "01000000" "07000010" "0000ffff" "0a000000" "0a0000ff", 0 },
	{ "ts_v6", ts_parse, "01000000" "08000028" "0000ffff"
	  "20010db8000000000000000000000000" "20010db8ffffffffffffffffffffffff", 0 },
	{ "ts_zero_count", ts_parse, "00000000", -EBADMSG },
	{ "ts_v4_bad_length", ts_parse, "01000000" "07000011" "0000ffff" "0a000000" "0a0000ff00",
	  -EBADMSG },
	{ "ts_count_high", ts_parse, "02000000" "07000010" "0000ffff" "0a000000" "0a0000ff",
	  -EBADMSG },
	{ "ts_unknown_type_skipped", ts_parse, "02000000" "09000008" "00000000"
	  "07000010" "0000ffff" "0a000000" "0a0000ff", 0 },
	{ "delete_esp", delete_parse, "03040002" "1122334455667788", 0 },
	{ "delete_esp_short", delete_parse, "03040002" "11223344", -EBADMSG },
	{ "delete_ike", delete_parse, "01000000", 0 },
	{ "delete_ike_with_spi", delete_parse, "01040001" "11223344", -EBADMSG },
	{ "notify_spi_overrun", notify_parse, "03054000" "11223344", -EBADMSG },
	{ "notify_cookie", notify_parse, "00004006" "0102030405060708", 0 },
	{ "skf_zero", skf_parse, "00000003" "00", -EBADMSG },
	{ "skf_past_total", skf_parse, "00040003" "00", -EBADMSG },
	{ "skf_last", skf_parse, "00030003" "00", 0 },
};

static void run_small_case(const struct small_case *c)
{
	struct ikev2_buf b;
	uint8_t buf[512];
	int len, before = fails;

	len = unhex(c->hex, buf, sizeof(buf));
	b.p = buf;
	b.len = (size_t)len;
	check(c->parse(&b) == c->ret, c->name, "return value");
	printf("%sok %u %s\n", fails == before ? "" : "not ", ++test_no, c->name);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	size_t i;

	printf("KTAP version 1\n1..%zu\n",
	       N(cases) + N(sa_cases) + N(small_cases));
	for (i = 0; i < N(cases); i++)
		run_msg_case(&cases[i]);
	for (i = 0; i < N(sa_cases); i++)
		run_sa_case(&sa_cases[i]);
	for (i = 0; i < N(small_cases); i++)
		run_small_case(&small_cases[i]);
	printf("# pld_test: %u cases, %d failed checks\n", test_no, fails);
	return fails ? 1 : 0;
}
