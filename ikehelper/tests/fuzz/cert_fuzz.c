// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness: what ikehelper does with a peer's certificates and
 * identity (cred.c), all of it attacker-controlled in IKE_AUTH (RFC 7296
 * 3.5, 3.6).  The input is split into up to four CERT payload bodies,
 * each preceded by a 16-bit length, exactly as ike.c hands them to
 * cred_verify_peer; the first chunk is also taken as an ID payload body
 * (compared, printed, checked against our certificate) and as identity
 * text from a configuration file.  Nothing may crash or leak, and a
 * verified peer must come with its key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../cred.h"
#include "../cert_vectors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cred *ours;

static void load_ours(void)
{
	static const char cert[] = CV_B_ECDSA_PEM, key[] = CV_B_ECDSA_KEY,
			  ca[] = CV_CA_PEM CV_CA2_PEM;
	char err[256];

	if (cred_load(cert, sizeof(cert) - 1, key, sizeof(key) - 1, ca,
		      sizeof(ca) - 1, &ours, err, sizeof(err)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *der[CRED_MAX_CERTS];
	size_t len[CRED_MAX_CERTS], off = 0, l;
	uint8_t id[CRED_ID_MAX];
	unsigned int n = 0;
	EVP_PKEY *key = NULL;
	char err[256], text[300], *s;
	int ret;

	if (!ours)
		load_ours();
	while (n < CRED_MAX_CERTS && off + 2 <= size) {
		l = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (l > size - off)
			l = size - off;
		der[n] = data + off;
		len[n++] = l;
		off += l;
	}
	/* 2100-01-01: inside the vectors' validity, fixed for reproducibility. */
	ret = cred_verify_peer(ours, der, len, n, 4102444800, n ? der[0] : NULL,
			       n ? len[0] : 0, &key, err, sizeof(err));
	if (!ret && !key)
		abort();
	EVP_PKEY_free(key);
	if (!n)
		return 0;

	cred_id_text(der[0], len[0], text, sizeof(text));
	if (cred_id_equal(der[0], len[0], der[0], len[0]) &&
	    len[0] < 4)
		abort();	/* an ID body has at least its 4-byte header */
	cred_check_own_id(ours, der[0], len[0], err, sizeof(err));

	s = malloc(len[0] + 1);
	if (!s)
		return 0;
	memcpy(s, der[0], len[0]);
	s[len[0]] = 0;
	ret = cred_id_encode(s, ours, id, sizeof(id));
	if (ret > (int)sizeof(id))
		abort();
	if (ret > 0 && !cred_id_equal(id, (size_t)ret, id, (size_t)ret))
		abort();	/* what we encode, we must recognise */
	free(s);
	return 0;
}
