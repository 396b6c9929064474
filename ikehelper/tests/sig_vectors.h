/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Vectors for tests/sig_test.c, made once with the OpenSSL 3.0 CLI in a
 * scratch directory and pasted here: the PEM files as C strings, the
 * signatures as hex (xxd -p).  Nothing is read from files at run time.
 *
 * Keys (PKCS#8, unencrypted):
 *   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem
 *   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.pem
 *   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256b.pem
 *   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.pem
 *   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out p521.pem
 *   openssl genpkey -algorithm ED25519 -out ed.pem
 *
 * The signed octets (24 bytes, no newline):
 *   printf 'IKEv2 signed octets test' > msg
 *
 * Deterministic signatures (sig_test wants sig_sign() to give these
 * exact bytes; re-running the commands reproduces them):
 *   openssl dgst -sha256 -sign rsa.pem -out rsa_sha256.sig msg
 *   openssl dgst -sha1 -sign rsa.pem -out rsa_sha1.sig msg
 *   openssl pkeyutl -sign -rawin -inkey ed.pem -in msg -out ed.sig
 *
 * Randomised signatures (sig_test only verifies these):
 *   openssl dgst -sha256 -sign rsa.pem -sigopt rsa_padding_mode:pss \
 *       -sigopt rsa_pss_saltlen:digest -out rsa_pss256.sig msg
 *     (MGF1 defaults to the signing digest: MGF1-SHA-256, salt 32)
 *   openssl dgst -sha256 -sign p256.pem -out p256.sig msg
 *     (DER Ecdsa-Sig-Value, both INTEGERs 33 bytes)
 *   until [ "$(xxd -s 3 -l 1 -p p256lz.sig)" = 1f ]; do
 *       openssl dgst -sha256 -sign p256.pem -out p256lz.sig msg; done
 *     (r is a 31-byte INTEGER: its 32-byte raw form starts with 00)
 *
 * The raw r | s forms of RFC 4754 (methods 9/10/11) were written by hand
 * from `openssl asn1parse -inform DER -in p256{,lz}.sig`: each INTEGER
 * without its sign byte, left-padded with zeros to 32 bytes.
 *
 * The CLI checked itself: `openssl dgst -sha256 -verify rsa.pub -sigopt
 * rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -signature
 * rsa_pss256.sig msg` and the same for p256.sig and p256lz.sig with
 * p256.pub (`openssl pkey -pubout`) say "Verified OK".
 */
#ifndef IKEHELPER_SIG_VECTORS_H
#define IKEHELPER_SIG_VECTORS_H

/* The octets every vector signs (the file msg). */
static const char sig_msg[] = "IKEv2 signed octets test";

/* The keys: rsa.pem, p256.pem, p256b.pem, p384.pem, p521.pem, ed.pem. */
static const char rsa_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQC31SusjNYLMjAk\n"
	"XJFOZe6nRJThnUp44PL6oCE1fAus0WEYZG4NZa6qjaeB3y7VPm+u/tVJbUyY+SLp\n"
	"lLJEOQoUTZAScXz4QaMkuxHT4rdZMkhjWZkBOCRrOyK94vajuUZzUDSAAG1gx61x\n"
	"36eL3eAqBE9KGw7nJXoDwRwYzVhk7toMqLBU8C+BD0CCvW2e9cCDxNG4dqI5dn8w\n"
	"XJtS4LDDblMsjNQiyDLDkECA+mMzWV0VG8kn+wQdwj/kaHloJPl/3818qwzOkvUU\n"
	"lQlkhIVxNaHvu4njAiFtpXRxpEBJnunvuMdiBVUk12xvk0t4s2RDGDayv3JvGqZY\n"
	"vWZfC31PAgMBAAECggEAEsssR9uuFj7vRQhhoo4xM9CDF/2om2sD7DNqsbkYyHYv\n"
	"YvsBdUUr8ivBMDnM4+gaKt3KmFMgPZNayl51Sxw5t5GmZPxNNmQfdaXaULsg23GU\n"
	"jPOf/MvsjTnid184r8xFM4zDkUJ57Cb9yGKBEn+AZ0tBf+X8RA1EyBV59d8oZkkI\n"
	"R7s11NmI5BcrzmQHO5fjkYIf6tS8APMAXZZANUKa4wkYA33LRRWdEXklwD85mOMo\n"
	"J5y4/ijhz8E4NKP1l0GD6D49yMhijsS0Rz2IuimeBy809HvPVegwg3sB7D9krQvJ\n"
	"HY6uNWpVLnU92UwBUe54z66PljA+28d+SErulaVMwQKBgQDyi0l7e3dtc5HGThJS\n"
	"3rTG5FxbduqaSAh8P31/izUqBS42bevswjZeVe5OY0onhUwCvxc/mAirh/OnMkUv\n"
	"Z+RJC1SZ+Q+74SU05wkvn5uxOHWvUODOb0Rp5XYus46JUjiiikfauh/frTjEM/F4\n"
	"lzMLZNitIwTClOsc5p5AxeBcGQKBgQDCCAorhjNN1dsET0SkeHRcJf3hgqFR2e5X\n"
	"5SfxT27/a7hHDsxbRQaDnO1SzsmvrZCZWfU7DCFrqlL0LGZzmjFI6w/wJpmB3gU/\n"
	"VuVCx2sJrv9eiNEcSM/2+LCrtmSK7tK1sUFmxJvYeYOX73L0vIXls1NH91u8YkXF\n"
	"q9jiolfRpwJ/dm2Mc77VkZvckfeM+unDW1olvoNSCgMiIYjevmg6jUn6RpllmTU7\n"
	"VtSeh6fzjViIxM6Ji4OwuBCp5/mjzoHr9b6SkJwMErDcefhVg+trGh13WSMkoaey\n"
	"wAJKsoL6FhMPlE3wx9wZtB3gmezC+x7YzbdwFRoEOP59zp7MptP3uQKBgQCbEQHP\n"
	"tvjZg8f9sbwSFZIo8tPrnhJ+78RjymgZmnoC93vWjiUT7B5AoPGp9EmLdRLS++nY\n"
	"vuEWwpB5Q+K9EMXCmNmr+61C9MUM0c13iRgqLQk56+3yxN4vaqEHGkVQI32SZ471\n"
	"KrvCTZq1mlAs912rLZ2pLi7KZ1+LksNKnKPCkQKBgQC15ZXZhanDIL2m1hDXl/gU\n"
	"qPCX/fkDQjPOGaGJgMpnkMW5VxXRIu81V0iLiCi08lAOVAg3Fx6Iz8nuhTRkTF/Y\n"
	"+DTPMNemVEEYe2oKwsyQo4t+6R1DeoPZ1YenQujj654wZGutjaii2bJCIJH4a/4T\n"
	"8Ptko169YKaoBJzzQDDkCw==\n"
	"-----END PRIVATE KEY-----\n";

static const char p256_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgRCeGW9KJjmFOZg9m\n"
	"WMYKW19grf2A9CjkHxBPq0M/8tShRANCAARCKdqnrdlz9hqmSNvZhZcSQkrF3JIB\n"
	"URtEsnE8kbEGi7TQCpLD9Wr8P+vkiqPYBzF5yxyYUS9MMFLXzghCJzCZ\n"
	"-----END PRIVATE KEY-----\n";

static const char p256b_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAicW0tgacCkS/2eL\n"
	"cPpn25EnirTIK/Zh9w9ON12p1amhRANCAARAP0GOBUkVmKuRPFM4UjHHC/vHKg4R\n"
	"8HuFm9+L/laVloI4bzeoXR7HBFnyA4HPHnVl3ZF1rbnJrJn4cuQr0Mnd\n"
	"-----END PRIVATE KEY-----\n";

static const char p384_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDBlMq8EfU8xzR2YYKmu\n"
	"5gGhRc62G8s6PWXhaImTWLVQSo1HXPgtWvzfw8hF1gVAJvShZANiAATlieQf12YM\n"
	"Ay1RgFoOpqbsffwffRY5791O2omROJhvTyUHVFWAROJFEtqTpLnZYcZt7iKRNURU\n"
	"C/mFIP2GfV8GcFsBji58qbjCy0QQbYkLZn6EkV84Q1FccaNa/1TMghU=\n"
	"-----END PRIVATE KEY-----\n";

static const char p521_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIHuAgEAMBAGByqGSM49AgEGBSuBBAAjBIHWMIHTAgEBBEIAKhdOW73UIeszrkB1\n"
	"piXsAeekEDopMTXynLvCFLcmVsNHvb3og/dPSIt10ESdlkL8w2s3SvMGfCpSZKiY\n"
	"g3DKpQuhgYkDgYYABACuOr/o8UTW5Ro+7p1iYs1L6/f3dim5AHJBFZv09gJeox1P\n"
	"6wC1Pz/PNqPHwlX1ixW6mNiGJBbX3kZgAaXUhPmJggFBcDoPkQoefI8rMO5GVgkv\n"
	"mhU0YC4F7ulTF82tHTMHOY6UwTC4kSt8u+ijuAiGr4zT7ElLd5Gly/dDijVwaCXr\n"
	"rg==\n"
	"-----END PRIVATE KEY-----\n";

static const char ed_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEIDJNkeA3xb82f8a4aXv0PO0KeNFpxu336yIsBA3Caj1W\n"
	"-----END PRIVATE KEY-----\n";

/* RSA PKCS#1 v1.5 SHA-256 over msg (rsa_sha256.sig). */
static const char rsa_sha256_sig[] =
	"31ec849ceb83fecafb06c58c9e005981498ac827d89919afb4d29dbb6af8364e"
	"76b51a4a215c1e2f6a37ae4c439fb407e920d3902e99821ba6f0ebd9b9dc0d21"
	"4932215b8d7881fb7cbaa81bfa43224211758a41874c0168832bc1e43d919c4c"
	"4c6f26ec8a2915f0b504294fd267a7143d9d5bec2021409112da264792c76b97"
	"59e4b7da4e8169d87fa9d9c77e7e5b5f54b0f76b9a24c52104f49325030f49a2"
	"47c96c76fe92a066fcd1fb3cd9779c3b0f8a1e5e02eebcfbe040ce93a946b328"
	"8fe79ff25074ea02943b11a67c74ead9d5d71c4e3501110755a0ac449c92734b"
	"6f57147d1e7407a006142c89f2f9cc8190df2cac5b9485d92987d2a57a3711ce";

/* RSA PKCS#1 v1.5 SHA-1 over msg (rsa_sha1.sig), what method 1 signs. */
static const char rsa_sha1_sig[] =
	"aa41610728fbb9d5190cd6cd5c4d3e7c69b554b34d74db65e90e21b3dde88d45"
	"76f9777066df634bcb0bc5ef8b1ee9f52b2a1aad66c8f8f72118726c2ee557f5"
	"454f6b83cc2f885ea345fdcac1564a5705c974d3629eaf9d5abbde0180267f42"
	"a486f135893d9806a7f30882e62dceb89fa5b4a38fca808e518b2b69c5c683aa"
	"2c5b078e2a4b157ab7635796d3b2f28be14a56453a6d54b2030565b7c912c85e"
	"4b7146f240b5d7a4ba02807953de61e47cfe0582e8f1ff5f9f38969bfbdc3f5c"
	"465e6ab73887fd334a6f0718b0af62aa7664392d4c6c9d689764ba53cdc8382d"
	"6c6efa14e42bb06905b7d5fd1b9e3b550d935c44e71f506c0f35cfc823b4c925";

/* Ed25519 over msg (ed.sig). */
static const char ed_sig[] =
	"e965d8a6dd2dcbbd8ef4bfa42b9a5b00721aba406d01372f455fd9c5b99c22e7"
	"7918b9df9d0c7463502f925bd7a65c317e61bd9799d52cb216b6acfc2e098509";

/* RSA-PSS SHA-256, MGF1-SHA-256, salt 32 over msg (rsa_pss256.sig). */
static const char rsa_pss256_sig[] =
	"8cc16f0c8a9051da8fd2b1b4844ee279dbb4a247c0b280cc428bb68b519f2292"
	"93597b9a1b70034a235a74e88028552f888ef4e68ee4ca0fbb526df1e279c4f9"
	"70f7547ec352f76207cd39ca6360cc4e7acbb85c409a09b71c6c5befe9e64878"
	"d5d8f4c7785a10537062f3a9c5f262625440f28caf664de3acd84d8bce7f2b52"
	"3307616a00d04f6a6a0b947bb96b7c218a582b757fb5eb5cadbd7772fb47cf7f"
	"b33d40af117f98a2b595d1c68167df26a88fb40593612e521d358635547e85e2"
	"d571ba09e99f20a46e1005de393a0e5e93a87b75c1b10cb35d04e0f245efd806"
	"57907eb1c4a635498b983cf0f941b1c979e57b00e512c0300197ba0d32ea7567";

/* ECDSA P-256 SHA-256 over msg, DER (p256.sig), and as raw r | s. */
static const char p256_sig[] =
	"3046022100ca2535f30f1538e2de6d24d2aaaba15d479009406a1d19a012d589"
	"59b6733574022100fc5d5ab2dd26fda6c74ef25963cdb264a91b7833ec76aafc"
	"92ef5962a0e04fff";

static const char p256_raw[] =
	"ca2535f30f1538e2de6d24d2aaaba15d479009406a1d19a012d58959b6733574"
	"fc5d5ab2dd26fda6c74ef25963cdb264a91b7833ec76aafc92ef5962a0e04fff";

/* The same with a 31-byte r (p256lz.sig), and as raw r | s: r = 00 60 e2... */
static const char p256lz_sig[] =
	"3044021f60e26cb477942156d677e84dba6ec58cc564dc6757927ce60872cdbd"
	"f17c53022100d13ecf6462c85841271b22a348ba55df0637fba0596fd840e6b5"
	"0fd8be7e5289";

static const char p256lz_raw[] =
	"0060e26cb477942156d677e84dba6ec58cc564dc6757927ce60872cdbdf17c53"
	"d13ecf6462c85841271b22a348ba55df0637fba0596fd840e6b50fd8be7e5289";

#endif /* IKEHELPER_SIG_VECTORS_H */
