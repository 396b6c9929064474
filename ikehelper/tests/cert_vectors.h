/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * X.509 test vectors for cred_test and exchange_test, made once with the
 * OpenSSL 3.0 CLI by the script below (run in an empty directory; each
 * file became one string).  Leaves are valid for 36500 days from when
 * they were made; tests reach "not yet valid" and "expired" through
 * cred_verify_peer's time argument, as the 3.0 CLI cannot backdate.
 * a and b: subject O=Example, CN=<who>.example (DER order), SAN
 * DNS:<who>.example, email:<who>@example.org, IP:10.0.0.1 (a) or
 * IP:10.0.0.2 and IP:fd00::2 (b), KU critical digitalSignature, EKU
 * serverAuth and clientAuth, basicConstraints critical CA:FALSE.
 *
 * CERTREQ hashes (RFC 7296 3.7), SHA-1 of the DER SubjectPublicKeyInfo:
 *   CV_CA_PEM   ba0b8c0eb9446fbaac02536b3e0b128a4a2297eb
 *   CV_CA2_PEM  fa09790da429c55d10160bab0ea1fb093088f061
 *
 * #!/bin/sh
 * # Remakes the vectors of ikehelper/tests/cert_vectors.h (OpenSSL 3.0 CLI).
 * set -e
 * D=36500
 * ca() {	# name CN [issuer]
 * 	printf '%s\n' '[req]' 'distinguished_name = dn' 'prompt = no' \
 * 		'[dn]' "CN = $2" '[v3]' \
 * 		'basicConstraints = critical, CA:TRUE' \
 * 		'keyUsage = critical, keyCertSign, cRLSign' \
 * 		'subjectKeyIdentifier = hash' > $1.cnf
 * 	openssl genpkey -quiet -algorithm EC \
 * 		-pkeyopt ec_paramgen_curve:P-256 -out $1.key
 * 	if [ -z "$3" ]; then
 * 		openssl req -x509 -new -config $1.cnf -extensions v3 \
 * 			-key $1.key -sha256 -days $D -out $1.pem
 * 	else
 * 		echo 'authorityKeyIdentifier = keyid' >> $1.cnf
 * 		openssl req -new -config $1.cnf -key $1.key -out $1.csr
 * 		openssl x509 -req -in $1.csr -CA $3.pem -CAkey $3.key \
 * 			-set_serial 0x$(openssl rand -hex 8) -sha256 \
 * 			-days $D -extfile $1.cnf -extensions v3 -out $1.pem
 * 	fi
 * }
 * leaf() {	# name keytype subject issuer ext-lines...
 * 	n=$1 t=$2 s=$3 i=$4
 * 	shift 4
 * 	printf '%s\n' "$@" > $n.ext
 * 	case $t in
 * 	rsa) openssl genpkey -quiet -algorithm RSA \
 * 		-pkeyopt rsa_keygen_bits:2048 -out $n.key ;;
 * 	ecdsa) openssl genpkey -quiet -algorithm EC \
 * 		-pkeyopt ec_paramgen_curve:P-256 -out $n.key ;;
 * 	ed25519) openssl genpkey -quiet -algorithm ED25519 -out $n.key ;;
 * 	esac
 * 	openssl req -new -key $n.key -subj "$s" -out $n.csr
 * 	openssl x509 -req -in $n.csr -CA $i.pem -CAkey $i.key \
 * 		-set_serial 0x$(openssl rand -hex 8) -sha256 -days $D \
 * 		-extfile $n.ext -out $n.pem
 * }
 * ee() {	# name keytype who issuer SAN [KU] [EKU]
 * 	leaf $1 $2 "/O=Example/CN=$3.example" $4 \
 * 		'basicConstraints = critical, CA:FALSE' \
 * 		"keyUsage = ${6:-critical, digitalSignature}" \
 * 		"extendedKeyUsage = ${7:-serverAuth, clientAuth}" \
 * 		"subjectAltName = $5" \
 * 		'subjectKeyIdentifier = hash' \
 * 		'authorityKeyIdentifier = keyid'
 * }
 * ca ca 'ikehelper test CA'
 * ca ca2 'other CA'
 * ca int 'ikehelper test intermediate CA' ca
 * A='DNS:a.example, email:a@example.org, IP:10.0.0.1'
 * B='DNS:b.example, email:b@example.org, IP:10.0.0.2, IP:fd00::2'
 * for t in rsa ecdsa ed25519; do
 * 	ee a-$t $t a ca "$A"
 * 	ee b-$t $t b ca "$B"
 * done
 * ee c-ecdsa ecdsa c ca2 'DNS:c.example'
 * ee d-ecdsa ecdsa d int 'DNS:d.example'
 * leaf nosan-ecdsa ecdsa /CN=nosan.example ca \
 * 	'basicConstraints = critical, CA:FALSE' \
 * 	'keyUsage = critical, digitalSignature'
 * leaf notca ecdsa /CN=notca.example ca 'basicConstraints = critical, CA:FALSE'
 * ee e-ecdsa ecdsa e notca 'DNS:e.example'
 * ee codesign-ecdsa ecdsa codesign ca 'DNS:codesign.example' '' \
 * 	'critical, codeSigning'
 * ee kuenc-ecdsa ecdsa kuenc ca 'DNS:kuenc.example' 'critical, keyAgreement'
 * ee ikeeku-ecdsa ecdsa ikeeku ca 'DNS:ikeeku.example' '' 'critical, ipsecIKE'
 * openssl pkey -in a-ecdsa.key -aes256 -passout pass:ikehelper -out enc.key
 * openssl verify -CAfile ca.pem a-rsa.pem a-ecdsa.pem a-ed25519.pem \
 * 	b-rsa.pem b-ecdsa.pem b-ed25519.pem
 * openssl verify -CAfile ca.pem -untrusted int.pem d-ecdsa.pem
 * openssl verify -CAfile ca2.pem c-ecdsa.pem
 * for f in ca ca2; do
 * 	openssl x509 -in $f.pem -pubkey -noout |
 * 		openssl pkey -pubin -outform DER | openssl dgst -sha1 -r
 * done
 */
#ifndef IKEHELPER_CERT_VECTORS_H
#define IKEHELPER_CERT_VECTORS_H

/* root CA: EC P-256, CN=ikehelper test CA */
#define CV_CA_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIBfjCCASSgAwIBAgIULnSGLG0pgrIi0ksY9OZdqZAQEScwCgYIKoZIzj0EAwIw\n" \
	"HDEaMBgGA1UEAwwRaWtlaGVscGVyIHRlc3QgQ0EwIBcNMjYxMTI1MDA1MzQzWhgP\n" \
	"MjEyNjExMDEwMDUzNDNaMBwxGjAYBgNVBAMMEWlrZWhlbHBlciB0ZXN0IENBMFkw\n" \
	"EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEggmhFQFO/fevTJUi+Q/NmKo90A5pJasG\n" \
	"+qMTnisubER9VLGZJuDr2PJumGtmNtQo+/JCCWDC+HqlHrkJSZr9b6NCMEAwDwYD\n" \
	"VR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwHQYDVR0OBBYEFOaf4hsYZfA+\n" \
	"wQdkKXiEDXVnyINSMAoGCCqGSM49BAMCA0gAMEUCIBVhQPZf56SKRHAChPTw9Qmf\n" \
	"32ChrC42TeZmhzjGLslzAiEAjk5xpEltczLOisVjvpixc+lq7nLDeUz6OIJK68WW\n" \
	"pjk=\n" \
	"-----END CERTIFICATE-----\n"

#define CV_CA_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgcvghwlKGOKVoTuDL\n" \
	"61IO3ts+fID1BRzHFyqnnmHwhZGhRANCAASCCaEVAU79969MlSL5D82Yqj3QDmkl\n" \
	"qwb6oxOeKy5sRH1UsZkm4OvY8m6Ya2Y21Cj78kIJYML4eqUeuQlJmv1v\n" \
	"-----END PRIVATE KEY-----\n"

/* a second root, CN=other CA */
#define CV_CA2_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIBbDCCARKgAwIBAgIUBF9nJ6VluHG6ti7iuviPQIzI4WYwCgYIKoZIzj0EAwIw\n" \
	"EzERMA8GA1UEAwwIb3RoZXIgQ0EwIBcNMjYxMTI1MDA1MzQzWhgPMjEyNjExMDEw\n" \
	"MDUzNDNaMBMxETAPBgNVBAMMCG90aGVyIENBMFkwEwYHKoZIzj0CAQYIKoZIzj0D\n" \
	"AQcDQgAEz1i66huci5rtfmHeKPoZu8C+5IZEqfKhZxdQowacrv5Uc4ooDPadykR/\n" \
	"LeEbaGs3pe1sYSPTD3wP6LudA4EKqqNCMEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNV\n" \
	"HQ8BAf8EBAMCAQYwHQYDVR0OBBYEFLx2xlKwh0HQ2TJ9MbncVn43grOzMAoGCCqG\n" \
	"SM49BAMCA0gAMEUCIDmeY1c8+dCil1NdE00z085l3n3S4ah2KaoXn/J5QGHSAiEA\n" \
	"rBOLcCuwNgyeih7RE2qtE5jtcgB+q3jUOVaHIWmgOR8=\n" \
	"-----END CERTIFICATE-----\n"

/* an intermediate CA under CV_CA */
#define CV_INT_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIBojCCAUegAwIBAgIJALDEmG9B1fcPMAoGCCqGSM49BAMCMBwxGjAYBgNVBAMM\n" \
	"EWlrZWhlbHBlciB0ZXN0IENBMCAXDTI2MTEyNTAwNTM0M1oYDzIxMjYxMTAxMDA1\n" \
	"MzQzWjApMScwJQYDVQQDDB5pa2VoZWxwZXIgdGVzdCBpbnRlcm1lZGlhdGUgQ0Ew\n" \
	"WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARVNJF05YiqASL33ti+Yh0hFS699Aq6\n" \
	"8EqCapykBdSJLWGyODa3ACxqGTxvYd6tH6uvwVqthQ1wTzkya81Mone3o2MwYTAP\n" \
	"BgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQU+v2IomcY\n" \
	"raewwUEi3jHAsu6+mFIwHwYDVR0jBBgwFoAU5p/iGxhl8D7BB2QpeIQNdWfIg1Iw\n" \
	"CgYIKoZIzj0EAwIDSQAwRgIhAI2GGce8PCOOycNUKbcWSkCQsFGp18rNCAOickhX\n" \
	"++ncAiEA9G44KJv//VyiFM1K2N+HCSm1oSQ48fa4EOFnx5v97jY=\n" \
	"-----END CERTIFICATE-----\n"

/* a.example and b.example under CV_CA: RSA-2048, P-256, Ed25519 */
#define CV_A_RSA_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIICsTCCAlegAwIBAgIIEkSVmU9PGM0wCgYIKoZIzj0EAwIwHDEaMBgGA1UEAwwR\n" \
	"aWtlaGVscGVyIHRlc3QgQ0EwIBcNMjYxMTI1MDA1MzQzWhgPMjEyNjExMDEwMDUz\n" \
	"NDNaMCYxEDAOBgNVBAoMB0V4YW1wbGUxEjAQBgNVBAMMCWEuZXhhbXBsZTCCASIw\n" \
	"DQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBANjCTil2u3F/h0e2ccCPssFXd6AK\n" \
	"Hj8coAYpRj1he5Kbug6rIYofnNxIQDwL1ax+4+TLjrc37EWmMnVlO6CuRgwa/PTU\n" \
	"foWft0O0HJJ+oTY+gvYwoYaWSrDUyvS83bhKwyrm7pyaQ6RGlogj2d8waJjlM9sA\n" \
	"8sK1JJZ1sDiTckmbBsiMSY0U0BWud9UPsIVU3SzEfgwRiTRb1z+ab3FV0Vr+CPyf\n" \
	"dGjsAYheUFposyhHWXAygS8xvu0bxIcdfo1h6TmVegKTEBZSNWemQQx1UagbrY5O\n" \
	"+gPi90MyBVi7id16F0O94TB/Ti5m6YjQwpWOqNu+kC/G8GP6yrELc471EKkCAwEA\n" \
	"AaOBqzCBqDAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDAdBgNVHSUEFjAU\n" \
	"BggrBgEFBQcDAQYIKwYBBQUHAwIwKQYDVR0RBCIwIIIJYS5leGFtcGxlgQ1hQGV4\n" \
	"YW1wbGUub3JnhwQKAAABMB0GA1UdDgQWBBTyW0LrIeYBloGcp0LC7wioy8uwBTAf\n" \
	"BgNVHSMEGDAWgBTmn+IbGGXwPsEHZCl4hA11Z8iDUjAKBggqhkjOPQQDAgNIADBF\n" \
	"AiEA8IhJg2of2xa/xEGs5PQfBqSF7FhXmUNNXH4F9z8QW4gCIHu7hpcH/JRJYt36\n" \
	"18PbvePkoIpfkjGvYmYMjsqem3hN\n" \
	"-----END CERTIFICATE-----\n"

#define CV_A_RSA_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQDYwk4pdrtxf4dH\n" \
	"tnHAj7LBV3egCh4/HKAGKUY9YXuSm7oOqyGKH5zcSEA8C9WsfuPky463N+xFpjJ1\n" \
	"ZTugrkYMGvz01H6Fn7dDtBySfqE2PoL2MKGGlkqw1Mr0vN24SsMq5u6cmkOkRpaI\n" \
	"I9nfMGiY5TPbAPLCtSSWdbA4k3JJmwbIjEmNFNAVrnfVD7CFVN0sxH4MEYk0W9c/\n" \
	"mm9xVdFa/gj8n3Ro7AGIXlBaaLMoR1lwMoEvMb7tG8SHHX6NYek5lXoCkxAWUjVn\n" \
	"pkEMdVGoG62OTvoD4vdDMgVYu4ndehdDveEwf04uZumI0MKVjqjbvpAvxvBj+sqx\n" \
	"C3OO9RCpAgMBAAECggEACCTlz6pDwPASFsRQuhPUGy5Ugu16ZTPnwc+BcXs1C8VA\n" \
	"3H36zsAhEkg/LJpjuv1SBfXNfQ4TeSr1TKKi9saxgFEvxampvs7JUZiF9c2e9EUt\n" \
	"Qb+CRCantATswr0JZhweAOHIH5duuPCDhaY2MIv2tB7xf7YliOIKN8KAfmGw2rnQ\n" \
	"E7QJb22tN0AQWG8zqErQ/VEsXRGYwPyJNYpwZVrMCXqPW8anXZ5voIwnMkxV+MgD\n" \
	"wCdvc1cuwaMFcXteD06qUsWiqoX651WuUiTaiU2krSaxc7FAhC/qpwzqXc2cxjjd\n" \
	"hp5m6eO7ES5qQaOSOVa098FfGSIuJ4Js+NSYVgo/gQKBgQD1+x6fHF0fzawhyfwm\n" \
	"tvsc7YeWJwfxDMkkN+cqVW1QJ5Xm3geky9BcwNEuhmagHxWSJqY3wvoMs8AS6VIT\n" \
	"+whm1Be7WYFQ/Ft/PmKm7wTnluFtKgvwqIiKLoKS9WHoAqgqMfulZJpijF/E8XvY\n" \
	"BOy6iucoPRLHrcToVUHpuN5ggQKBgQDhlnv1ouhoM8+XZfMUK7AGfL344XfDa9Wv\n" \
	"KZPNHcJwWxkjFdHY99nLo1RXkejBwymj0VvGwy7jWmcvw6Gk51fltxhBdRxbxPoP\n" \
	"rhLjiWaXfsfn2gUGolQ+bhnTBsjnxnRVAnvBUl7ZeWfS1I8PTMOIGLD0UBZI5SRo\n" \
	"NmEGDAmcKQKBgCUrSApE7/FxU7RbYCW9ep55agaPaUzMYMx/QggMlpMJGEalgEQv\n" \
	"pBGP9UvxdSp25/yIqI8+gChRNRHmfceVJETdgaSGttq092J329JbxcL08qVbOCiq\n" \
	"Xs96jbKFL8EuPZj6qoroc8e2bHZHAy62N8tMV/elmuPfZySwVWBq1feBAoGACF4r\n" \
	"pPXxBwR8+9G1TZc9RVBVP6klZyNV3tR8/gvPjZljelCx4wl2k74wP7tS1fUmU0RN\n" \
	"0jalQ5uz3iq0kUhfk07SYIM2lRTebbx4SOZs3su+IJSOwSs+Ur6EyLYkt6w93nVk\n" \
	"H8ytZgXB2yk1UUz4p9C6p6Vc3kFZs1/pA29o39kCgYAmg/ccPqIovzHlk34ukXus\n" \
	"sFwjG8KzZLIHD78GIXw/ZQKqQ1YcUmnM1MzF/ue1XhekMUVHSm90TgkNPAn9/WEg\n" \
	"5bmeyoBxU9dS4uhq+oQLRS/AWDke5G+2vzKoLrLqiid3+fAjDNpIVtsGZGkxaxL6\n" \
	"qx8ad1MyQNeSBTcgAtd/Xg==\n" \
	"-----END PRIVATE KEY-----\n"

#define CV_B_RSA_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIICwzCCAmqgAwIBAgIJAOFME7oHC1lJMAoGCCqGSM49BAMCMBwxGjAYBgNVBAMM\n" \
	"EWlrZWhlbHBlciB0ZXN0IENBMCAXDTI2MTEyNTAwNTM0M1oYDzIxMjYxMTAxMDA1\n" \
	"MzQzWjAmMRAwDgYDVQQKDAdFeGFtcGxlMRIwEAYDVQQDDAliLmV4YW1wbGUwggEi\n" \
	"MA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCd78Rhd+5jwKe2Mb/Oqpn43LkC\n" \
	"OfyU7sV5muxBJcgorOqKRzP/pVOaoGCDNkmg3MDUKGy9IjjaYidT/OiczTAzEbLc\n" \
	"kzXFqrIqHmNw6Rc+IZ2AHiNk6N1GMeFOJ02BGUm/RoUTGHtu5lW+RQVtg/aFu/3U\n" \
	"WkB8sbe4T4E2ADt16/7Jd+aG3VeB6jDzDLsQtwzPGKmhDTdc72P6cy1hk3Xp8mpS\n" \
	"hMhXu/L86QzmBBHdEFwOJjdZLoC6wiRllweU9YFntG5DnkNENNNnyhNHSlbsK39l\n" \
	"xvde/ItRo+bbeBP9TDKVLSG9FPNwkey0UaIn5DCmJpDArdft4ur5E909GUjhAgMB\n" \
	"AAGjgb0wgbowDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCB4AwHQYDVR0lBBYw\n" \
	"FAYIKwYBBQUHAwEGCCsGAQUFBwMCMDsGA1UdEQQ0MDKCCWIuZXhhbXBsZYENYkBl\n" \
	"eGFtcGxlLm9yZ4cECgAAAocQ/QAAAAAAAAAAAAAAAAAAAjAdBgNVHQ4EFgQUKvyd\n" \
	"Em4WinDJbdhRJxBNMWOsRDUwHwYDVR0jBBgwFoAU5p/iGxhl8D7BB2QpeIQNdWfI\n" \
	"g1IwCgYIKoZIzj0EAwIDRwAwRAIgeR3xGcxoFkPLofkEmV39boX5KCRno1KfyptA\n" \
	"wnnsnqACIE8bqLf18owrz6uUb80kNl5fNdoKDHQnf5gsXm0mervk\n" \
	"-----END CERTIFICATE-----\n"

#define CV_B_RSA_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCd78Rhd+5jwKe2\n" \
	"Mb/Oqpn43LkCOfyU7sV5muxBJcgorOqKRzP/pVOaoGCDNkmg3MDUKGy9IjjaYidT\n" \
	"/OiczTAzEbLckzXFqrIqHmNw6Rc+IZ2AHiNk6N1GMeFOJ02BGUm/RoUTGHtu5lW+\n" \
	"RQVtg/aFu/3UWkB8sbe4T4E2ADt16/7Jd+aG3VeB6jDzDLsQtwzPGKmhDTdc72P6\n" \
	"cy1hk3Xp8mpShMhXu/L86QzmBBHdEFwOJjdZLoC6wiRllweU9YFntG5DnkNENNNn\n" \
	"yhNHSlbsK39lxvde/ItRo+bbeBP9TDKVLSG9FPNwkey0UaIn5DCmJpDArdft4ur5\n" \
	"E909GUjhAgMBAAECggEACL3qPUjhoZTa05taVgqcXil9dhGWmPnEZXA9TnfUZef4\n" \
	"TXIWfzp7762b2fdpyOUfKT8ZkbhwtCnFqoDvsSosVk9O+qWNTuUdWnZ3I5tLRY2f\n" \
	"xaUlaWL4SHffVC+ZuyEWs2coW3+56VAHg/IXFFI/FXTr3lKmiiBeHm4MJVyK7gJt\n" \
	"NXmSr9YuMG8kiP1bfmE2juWzSyv0oXB+hB30eCK1AYo1xaYPgOs3H1Ey48tgugFM\n" \
	"HpjqIkqo3blPLder58n0t/+KlGzIdZsqBFDmCB4gx8R3TtzH1xRrSdEKwDXV4I68\n" \
	"XaN/l8/ngvkNbe0sXI6aGZrFf7kClNEWiNgWQDjxTwKBgQDX5/KdTkjxB/T/49D1\n" \
	"O728e+cSemlT13LIjD6JiLqp11ZcYWBGpq3HhS8n+RXUUCczaf2PygNV8aQ/fHew\n" \
	"nmjh9Ox4ImUoivhXy/Mrye5bhnC0m7aHF/30QsisX6AEArdymD+gNu7Mf3qvUYet\n" \
	"q7yE1rIeOPQ15Wa1xqSuI5oOjwKBgQC7Q/vn+ql/384YzwVBz2tczvVzGQCQUw3h\n" \
	"/qIgXXBySaP4x8OQsIu/8uwXdJ8puluDDSrlgcZF9sy+QwGljD4KVTp1g8BUG0CI\n" \
	"NQ6qud0QwLcC3vKAcrsY5Ne6+kSGgxg7JSDLo1Sr6Hn6GNJ5Ug+zauYYqDkQhp7n\n" \
	"iYwBhgXpjwKBgQCkoAxjG5UMjAeosdnbk4DZ3hPUCBiVwDqaZi0tC19hL3t/FxSk\n" \
	"6mSpNIk/TnLxn2g0kMWxRNSETKrzaYGN30uTtwAzne5KGqS/tRgmtGMV0I3ReMWV\n" \
	"fpq6C84deRB23mdobmRdUmWE8lLmqSDuMHufQmEwIDc9fTxysBNTYHwQSwKBgCCo\n" \
	"QXT6JLcVK5bt+2e3qWx89xcEZDHHGiOwSUvFn8d+iibnh3ZjI2vtDDkm8F7RjgXz\n" \
	"tOhjUlV/LcN8Yfwh0evxYwl9WXwRaJaYUh953FCAmynYAYhe+bvkpK6J2ItwrzgZ\n" \
	"SHfa2vhDyYnQ7FuV8QEEAm6IX7M/FtUgCpd1bPCHAoGAFr5hdWvwmUrfRtlqy3P5\n" \
	"3vDqEfc2XUns7V0vJeEDozHG7/DprJlmKXn5RExl1R3OdW6F0SgPVDk+I7kGUluj\n" \
	"nNNMPKyqB4yxb7uHHJAKbDaepeG/Rd3hN8XhkQ5l7knBv6u9AfjCQ3E2oBWiwIpJ\n" \
	"H1Ah8dQ0sfL/z+o8lFszeoA=\n" \
	"-----END PRIVATE KEY-----\n"

#define CV_A_ECDSA_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIB5zCCAY2gAwIBAgIJAIPlAsGNv3EeMAoGCCqGSM49BAMCMBwxGjAYBgNVBAMM\n" \
	"EWlrZWhlbHBlciB0ZXN0IENBMCAXDTI2MTEyNTAwNTM0M1oYDzIxMjYxMTAxMDA1\n" \
	"MzQzWjAmMRAwDgYDVQQKDAdFeGFtcGxlMRIwEAYDVQQDDAlhLmV4YW1wbGUwWTAT\n" \
	"BgcqhkjOPQIBBggqhkjOPQMBBwNCAATmSn7WjoKATBm9BSXuGRfip0gxljvrSzZ+\n" \
	"tq7R9YHd3FS6f1SLhqD4ZBER2oK6/CY8euZQ8jEEAKgRy8jDXidZo4GrMIGoMAwG\n" \
	"A1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeAMB0GA1UdJQQWMBQGCCsGAQUFBwMB\n" \
	"BggrBgEFBQcDAjApBgNVHREEIjAggglhLmV4YW1wbGWBDWFAZXhhbXBsZS5vcmeH\n" \
	"BAoAAAEwHQYDVR0OBBYEFOulBoC7gOiU1n7cLXZk5sekKP9nMB8GA1UdIwQYMBaA\n" \
	"FOaf4hsYZfA+wQdkKXiEDXVnyINSMAoGCCqGSM49BAMCA0gAMEUCIFTmizEMxjOt\n" \
	"HDXRfyuVcS3yzRT5mfGRvyph0fojkRp7AiEA+x2iTsgyOGu6skWmDwLrWuSmfSKq\n" \
	"GharB09eW2KWPrQ=\n" \
	"-----END CERTIFICATE-----\n"

#define CV_A_ECDSA_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgDssyJ0Z/lO5k63x2\n" \
	"4h/8lBy3O3RqwtaL89hJ2ofu3RGhRANCAATmSn7WjoKATBm9BSXuGRfip0gxljvr\n" \
	"SzZ+tq7R9YHd3FS6f1SLhqD4ZBER2oK6/CY8euZQ8jEEAKgRy8jDXidZ\n" \
	"-----END PRIVATE KEY-----\n"

#define CV_B_ECDSA_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIB+DCCAZ6gAwIBAgIIB0ekhBh0SRUwCgYIKoZIzj0EAwIwHDEaMBgGA1UEAwwR\n" \
	"aWtlaGVscGVyIHRlc3QgQ0EwIBcNMjYxMTI1MDA1MzQzWhgPMjEyNjExMDEwMDUz\n" \
	"NDNaMCYxEDAOBgNVBAoMB0V4YW1wbGUxEjAQBgNVBAMMCWIuZXhhbXBsZTBZMBMG\n" \
	"ByqGSM49AgEGCCqGSM49AwEHA0IABOq/wfhADUpg+n7kMNcJAGiTigVh+VOuVTng\n" \
	"jF6MHc3XPrlyjm9rS/TLnz+NGW12QrU9diMrL7vvNub4lX9yTt+jgb0wgbowDAYD\n" \
	"VR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCB4AwHQYDVR0lBBYwFAYIKwYBBQUHAwEG\n" \
	"CCsGAQUFBwMCMDsGA1UdEQQ0MDKCCWIuZXhhbXBsZYENYkBleGFtcGxlLm9yZ4cE\n" \
	"CgAAAocQ/QAAAAAAAAAAAAAAAAAAAjAdBgNVHQ4EFgQUmlM9hu+2jG6uyJ9Xtmbt\n" \
	"n2V/s6swHwYDVR0jBBgwFoAU5p/iGxhl8D7BB2QpeIQNdWfIg1IwCgYIKoZIzj0E\n" \
	"AwIDSAAwRQIgfdOZwOOnsgjJT/xDvXbBgJ5sXQpwEbY6iTsfPPWLpT0CIQDpzxK8\n" \
	"zJUgG/FKbtbck64rWGQwm4vPO9Si1d2gdUJWkA==\n" \
	"-----END CERTIFICATE-----\n"

#define CV_B_ECDSA_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgk2l/pGoBTvGC2Bzu\n" \
	"r9Jyv46S1JT/17bON6ScmVqX6c6hRANCAATqv8H4QA1KYPp+5DDXCQBok4oFYflT\n" \
	"rlU54IxejB3N1z65co5va0v0y58/jRltdkK1PXYjKy+77zbm+JV/ck7f\n" \
	"-----END PRIVATE KEY-----\n"

#define CV_A_ED25519_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIBuDCCAV6gAwIBAgIJANdw4Dy8WldIMAoGCCqGSM49BAMCMBwxGjAYBgNVBAMM\n" \
	"EWlrZWhlbHBlciB0ZXN0IENBMCAXDTI2MTEyNTAwNTM0M1oYDzIxMjYxMTAxMDA1\n" \
	"MzQzWjAmMRAwDgYDVQQKDAdFeGFtcGxlMRIwEAYDVQQDDAlhLmV4YW1wbGUwKjAF\n" \
	"BgMrZXADIQBzvnFwqz4Eqs6RZpx0LZw/HvF7GKhaZCbJsGxp90mXr6OBqzCBqDAM\n" \
	"BgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDAdBgNVHSUEFjAUBggrBgEFBQcD\n" \
	"AQYIKwYBBQUHAwIwKQYDVR0RBCIwIIIJYS5leGFtcGxlgQ1hQGV4YW1wbGUub3Jn\n" \
	"hwQKAAABMB0GA1UdDgQWBBTyGgZTGsulDX/KJ8pmXf1d7y2j6jAfBgNVHSMEGDAW\n" \
	"gBTmn+IbGGXwPsEHZCl4hA11Z8iDUjAKBggqhkjOPQQDAgNIADBFAiA7fvhh0FmX\n" \
	"Buc2eVr4e2WoO/a/s/PAL2m2DzJb6oqy1AIhAOEbTS1T9PwoN/VEGGJAsZUb7QUs\n" \
	"0FT92E8YYny1nPaH\n" \
	"-----END CERTIFICATE-----\n"

#define CV_A_ED25519_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MC4CAQAwBQYDK2VwBCIEIIL7pp4zXytsdHyMi/6SVBU7OtFRtpgwRtaMArXEai7f\n" \
	"-----END PRIVATE KEY-----\n"

#define CV_B_ED25519_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIByTCCAW+gAwIBAgIISJLEWWMQnKUwCgYIKoZIzj0EAwIwHDEaMBgGA1UEAwwR\n" \
	"aWtlaGVscGVyIHRlc3QgQ0EwIBcNMjYxMTI1MDA1MzQzWhgPMjEyNjExMDEwMDUz\n" \
	"NDNaMCYxEDAOBgNVBAoMB0V4YW1wbGUxEjAQBgNVBAMMCWIuZXhhbXBsZTAqMAUG\n" \
	"AytlcAMhADFF1qtx4z+24rAXrpVrf7yCURbOv8WjlWJXptjGWR0eo4G9MIG6MAwG\n" \
	"A1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeAMB0GA1UdJQQWMBQGCCsGAQUFBwMB\n" \
	"BggrBgEFBQcDAjA7BgNVHREENDAyggliLmV4YW1wbGWBDWJAZXhhbXBsZS5vcmeH\n" \
	"BAoAAAKHEP0AAAAAAAAAAAAAAAAAAAIwHQYDVR0OBBYEFPLeOs9oTQiHpgPS4nK7\n" \
	"GOnkbJ9qMB8GA1UdIwQYMBaAFOaf4hsYZfA+wQdkKXiEDXVnyINSMAoGCCqGSM49\n" \
	"BAMCA0gAMEUCIQDGJZoFge0YuYm0tp2lyi0TQES7+pcviAvdGs7F0qCibQIgTl4D\n" \
	"QARoJmNFDQP+AVLDjZLsv9GX9+h8O5Od/ra9MdU=\n" \
	"-----END CERTIFICATE-----\n"

#define CV_B_ED25519_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MC4CAQAwBQYDK2VwBCIEIDTgAW+2QknuecVk28rkMxvhDn3acmz8gQJF50YQEaTl\n" \
	"-----END PRIVATE KEY-----\n"

/* c.example under CV_CA2 */
#define CV_C_ECDSA_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIByTCCAW+gAwIBAgIJAMe4xEhBxkPZMAoGCCqGSM49BAMCMBMxETAPBgNVBAMM\n" \
	"CG90aGVyIENBMCAXDTI2MTEyNTAwNTM0M1oYDzIxMjYxMTAxMDA1MzQzWjAmMRAw\n" \
	"DgYDVQQKDAdFeGFtcGxlMRIwEAYDVQQDDAljLmV4YW1wbGUwWTATBgcqhkjOPQIB\n" \
	"BggqhkjOPQMBBwNCAAQ8sS4cOyByBAXMlq8NphJJuu+ECsKT66oF7V9kA3IbJQ9P\n" \
	"ROux5wXOCMMGGilGwrrOkEEfQjY/YrBJ0AVPDg9qo4GWMIGTMAwGA1UdEwEB/wQC\n" \
	"MAAwDgYDVR0PAQH/BAQDAgeAMB0GA1UdJQQWMBQGCCsGAQUFBwMBBggrBgEFBQcD\n" \
	"AjAUBgNVHREEDTALggljLmV4YW1wbGUwHQYDVR0OBBYEFDJqhk0rAvYU5fHXsGwQ\n" \
	"7oiC182LMB8GA1UdIwQYMBaAFLx2xlKwh0HQ2TJ9MbncVn43grOzMAoGCCqGSM49\n" \
	"BAMCA0gAMEUCIFzknRS+D82UKDbB1+ADIlbO+ASgIT7WnakyoX+vOXVJAiEAwzs5\n" \
	"qKnKX/5FBDQBRBh//94tTNbgE/yBB+P7TXZCqlM=\n" \
	"-----END CERTIFICATE-----\n"

#define CV_C_ECDSA_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgJHTBsKRUlSXVrqWK\n" \
	"T42JiO7TUAFShS+Ux98Rzt2gDu2hRANCAAQ8sS4cOyByBAXMlq8NphJJuu+ECsKT\n" \
	"66oF7V9kA3IbJQ9PROux5wXOCMMGGilGwrrOkEEfQjY/YrBJ0AVPDg9q\n" \
	"-----END PRIVATE KEY-----\n"

/* d.example under CV_INT */
#define CV_D_ECDSA_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIB3jCCAYSgAwIBAgIIbBEoWFLn+q0wCgYIKoZIzj0EAwIwKTEnMCUGA1UEAwwe\n" \
	"aWtlaGVscGVyIHRlc3QgaW50ZXJtZWRpYXRlIENBMCAXDTI2MTEyNTAwNTM0M1oY\n" \
	"DzIxMjYxMTAxMDA1MzQzWjAmMRAwDgYDVQQKDAdFeGFtcGxlMRIwEAYDVQQDDAlk\n" \
	"LmV4YW1wbGUwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQ2Xkpf+u1qCLWkxr5N\n" \
	"CXk9GniXe+ecJxAKlfkPDSFG2QPXbL+U6fekjc2dIEKzrcUjHFUahz7voUS41SE7\n" \
	"f0Qoo4GWMIGTMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeAMB0GA1UdJQQW\n" \
	"MBQGCCsGAQUFBwMBBggrBgEFBQcDAjAUBgNVHREEDTALgglkLmV4YW1wbGUwHQYD\n" \
	"VR0OBBYEFFsDxjLrekhCmJFp1QAAUDLAI7wTMB8GA1UdIwQYMBaAFPr9iKJnGK2n\n" \
	"sMFBIt4xwLLuvphSMAoGCCqGSM49BAMCA0gAMEUCIQCjoYyEz274Emj9FpGYbcCm\n" \
	"tQaUts/Pfan2wazRyJ8S+QIgGAo03PU35zyJzwW68FFRrJdCMJ7BhvJjR/cbi+0C\n" \
	"2d4=\n" \
	"-----END CERTIFICATE-----\n"

#define CV_D_ECDSA_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCW6bFH+t4xcCjuBB\n" \
	"bIfvgYRXuc8J7BRLo2whQiLyitChRANCAAQ2Xkpf+u1qCLWkxr5NCXk9GniXe+ec\n" \
	"JxAKlfkPDSFG2QPXbL+U6fekjc2dIEKzrcUjHFUahz7voUS41SE7f0Qo\n" \
	"-----END PRIVATE KEY-----\n"

/* CN=nosan.example, no subjectAltName */
#define CV_NOSAN_ECDSA_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIBjTCCATKgAwIBAgIINcJyWBPQ+JswCgYIKoZIzj0EAwIwHDEaMBgGA1UEAwwR\n" \
	"aWtlaGVscGVyIHRlc3QgQ0EwIBcNMjYxMTI1MDA1MzQ0WhgPMjEyNjExMDEwMDUz\n" \
	"NDRaMBgxFjAUBgNVBAMMDW5vc2FuLmV4YW1wbGUwWTATBgcqhkjOPQIBBggqhkjO\n" \
	"PQMBBwNCAAQxvU83ZEmkT5yXvAWLUiSsnOIkqVG8usyjfa7+VcoCC0PnQCp8Duc0\n" \
	"6r7gNWgfwe1xLM9Xs+28WuS+gsNCpYjVo2AwXjAMBgNVHRMBAf8EAjAAMA4GA1Ud\n" \
	"DwEB/wQEAwIHgDAdBgNVHQ4EFgQUboMcInredJzDQWkBxgI7GzxoYaswHwYDVR0j\n" \
	"BBgwFoAU5p/iGxhl8D7BB2QpeIQNdWfIg1IwCgYIKoZIzj0EAwIDSQAwRgIhAIcc\n" \
	"ekdszYpDHm1BOIhSbplxzOzEav4IRHX3/EpuAAf0AiEAmBJ8SiGahaW/qQ5Gy2ly\n" \
	"JLhCTuXKMzM7NyYpEkd5nvA=\n" \
	"-----END CERTIFICATE-----\n"

#define CV_NOSAN_ECDSA_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpgUu9N2AbwN7ACwm\n" \
	"tJ5h2nzBr5Lt2U92HE/i4FI9s+OhRANCAAQxvU83ZEmkT5yXvAWLUiSsnOIkqVG8\n" \
	"usyjfa7+VcoCC0PnQCp8Duc06r7gNWgfwe1xLM9Xs+28WuS+gsNCpYjV\n" \
	"-----END PRIVATE KEY-----\n"

/* CN=notca.example, CA:FALSE, yet it signed CV_E_ECDSA */
#define CV_NOTCA_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIBfDCCASKgAwIBAgIIXAsiKUAfKQcwCgYIKoZIzj0EAwIwHDEaMBgGA1UEAwwR\n" \
	"aWtlaGVscGVyIHRlc3QgQ0EwIBcNMjYxMTI1MDA1MzQ0WhgPMjEyNjExMDEwMDUz\n" \
	"NDRaMBgxFjAUBgNVBAMMDW5vdGNhLmV4YW1wbGUwWTATBgcqhkjOPQIBBggqhkjO\n" \
	"PQMBBwNCAARiBOhsFTrJvd/qFls9ajDsgF+Qu1HFXr8zzUmj6MbIo4taMmI3jPhk\n" \
	"BYb5u9zGDY0k4O6s2iECX2CAb/boUVcFo1AwTjAMBgNVHRMBAf8EAjAAMB0GA1Ud\n" \
	"DgQWBBTgXIQyIIASeVRpC8InW5TJ0gFxGzAfBgNVHSMEGDAWgBTmn+IbGGXwPsEH\n" \
	"ZCl4hA11Z8iDUjAKBggqhkjOPQQDAgNIADBFAiBM6u+TeyWYglrQc3FImLKOo75B\n" \
	"ZGpYEUmYmAbH3wn/TwIhAIgrOlk20JqnHJisDkcRtcH/5qDDZGhtvh3G6bncIrR4\n" \
	"-----END CERTIFICATE-----\n"

#define CV_NOTCA_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg5dxluC3/mk/smkvB\n" \
	"PQuIPUCxZcEE6W1GeBtEQXQfxBahRANCAARiBOhsFTrJvd/qFls9ajDsgF+Qu1HF\n" \
	"Xr8zzUmj6MbIo4taMmI3jPhkBYb5u9zGDY0k4O6s2iECX2CAb/boUVcF\n" \
	"-----END PRIVATE KEY-----\n"

/* e.example under CV_NOTCA: its chain must fail */
#define CV_E_ECDSA_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIBzTCCAXOgAwIBAgIIS4CfjYV/Q0owCgYIKoZIzj0EAwIwGDEWMBQGA1UEAwwN\n" \
	"bm90Y2EuZXhhbXBsZTAgFw0yNjExMjUwMDUzNDRaGA8yMTI2MTEwMTAwNTM0NFow\n" \
	"JjEQMA4GA1UECgwHRXhhbXBsZTESMBAGA1UEAwwJZS5leGFtcGxlMFkwEwYHKoZI\n" \
	"zj0CAQYIKoZIzj0DAQcDQgAEo9b5dPeFVtX156tYRlk3g53lU6VCJ19oRMTNrt++\n" \
	"8C9U7WOaGcaPRVoGZUUnvEe75RFTXC0ZgIiUszT89cRIYaOBljCBkzAMBgNVHRMB\n" \
	"Af8EAjAAMA4GA1UdDwEB/wQEAwIHgDAdBgNVHSUEFjAUBggrBgEFBQcDAQYIKwYB\n" \
	"BQUHAwIwFAYDVR0RBA0wC4IJZS5leGFtcGxlMB0GA1UdDgQWBBQ4utFcuYeLSVf9\n" \
	"bNpnJNWHUJnJQzAfBgNVHSMEGDAWgBTgXIQyIIASeVRpC8InW5TJ0gFxGzAKBggq\n" \
	"hkjOPQQDAgNIADBFAiBZov7sAIfTwOoG01JUK4H8FRy1Dvx9YypvO8er2KtZoAIh\n" \
	"AP0amzBtRWh+dsP3Umzm1/i+6hVLO5PLkDoKvSjR2tgW\n" \
	"-----END CERTIFICATE-----\n"

#define CV_E_ECDSA_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgNNIkyC85jvU8qoKi\n" \
	"okqUDJvCba9KpdlGvnFkw7441vWhRANCAASj1vl094VW1fXnq1hGWTeDneVTpUIn\n" \
	"X2hExM2u377wL1TtY5oZxo9FWgZlRSe8R7vlEVNcLRmAiJSzNPz1xEhh\n" \
	"-----END PRIVATE KEY-----\n"

/* codesign.example: critical EKU codeSigning only */
#define CV_CODESIGN_ECDSA_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIB2jCCAX+gAwIBAgIJAJkhcY7QZQHkMAoGCCqGSM49BAMCMBwxGjAYBgNVBAMM\n" \
	"EWlrZWhlbHBlciB0ZXN0IENBMCAXDTI2MTEyNTAwNTM0NFoYDzIxMjYxMTAxMDA1\n" \
	"MzQ0WjAtMRAwDgYDVQQKDAdFeGFtcGxlMRkwFwYDVQQDDBBjb2Rlc2lnbi5leGFt\n" \
	"cGxlMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEa0cjkiLDOFotCfl/xgMeCi6K\n" \
	"eGqjTew0nqcGRim8oWAuE12dgUci5Cu3SBzsRX9qWo3y19Mn/Z1QoSVCejjVmqOB\n" \
	"ljCBkzAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDAWBgNVHSUBAf8EDDAK\n" \
	"BggrBgEFBQcDAzAbBgNVHREEFDASghBjb2Rlc2lnbi5leGFtcGxlMB0GA1UdDgQW\n" \
	"BBRZWFAyCLfTpugdq4hPhpK4iR6h/DAfBgNVHSMEGDAWgBTmn+IbGGXwPsEHZCl4\n" \
	"hA11Z8iDUjAKBggqhkjOPQQDAgNJADBGAiEA0jKdkCm5SH44tMGEeAxNuwJTySPV\n" \
	"Ec9M3WWw3yRCJcICIQDem88uMi+EoQ7NNXtRQQvKj68UwRp4LIu82tehNUCjmQ==\n" \
	"-----END CERTIFICATE-----\n"

#define CV_CODESIGN_ECDSA_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9YuFWsQ19HW8xqpD\n" \
	"ct0pmkVW7OTLLhcY1T1o2gzibeihRANCAARrRyOSIsM4Wi0J+X/GAx4KLop4aqNN\n" \
	"7DSepwZGKbyhYC4TXZ2BRyLkK7dIHOxFf2pajfLX0yf9nVChJUJ6ONWa\n" \
	"-----END PRIVATE KEY-----\n"

/* kuenc.example: critical KU keyAgreement only */
#define CV_KU_ENC_ECDSA_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIB2TCCAX+gAwIBAgIIakmiAqHAdaMwCgYIKoZIzj0EAwIwHDEaMBgGA1UEAwwR\n" \
	"aWtlaGVscGVyIHRlc3QgQ0EwIBcNMjYxMTI1MDA1MzQ0WhgPMjEyNjExMDEwMDUz\n" \
	"NDRaMCoxEDAOBgNVBAoMB0V4YW1wbGUxFjAUBgNVBAMMDWt1ZW5jLmV4YW1wbGUw\n" \
	"WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARSt26HSRqLo6pMTSC3AeJcswJSw9RU\n" \
	"UzWldBl0haPW9EwPqZfohlu5NOGrqhuT5TYSkG7kGqD3uj0gRbA7Em6Uo4GaMIGX\n" \
	"MAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgMIMB0GA1UdJQQWMBQGCCsGAQUF\n" \
	"BwMBBggrBgEFBQcDAjAYBgNVHREEETAPgg1rdWVuYy5leGFtcGxlMB0GA1UdDgQW\n" \
	"BBTcm7jBQiOMh8FxaqgNgMrZn9ehBjAfBgNVHSMEGDAWgBTmn+IbGGXwPsEHZCl4\n" \
	"hA11Z8iDUjAKBggqhkjOPQQDAgNIADBFAiEA2T+Lr7W5LaGcWRd0YY7Tp/RkVkuq\n" \
	"x/zHu3e16pZan0ECIHVCjVD/zI2QWKmVsds1Bce0HaqWDL7qFQiN6o1+0baR\n" \
	"-----END CERTIFICATE-----\n"

#define CV_KU_ENC_ECDSA_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgH7y7G0CC1stcEMqj\n" \
	"863mdnSgq54NUfXGYEL5R/d7686hRANCAARSt26HSRqLo6pMTSC3AeJcswJSw9RU\n" \
	"UzWldBl0haPW9EwPqZfohlu5NOGrqhuT5TYSkG7kGqD3uj0gRbA7Em6U\n" \
	"-----END PRIVATE KEY-----\n"

/* ikeeku.example: critical EKU ipsecIKE only (accepted) */
#define CV_IKEEKU_ECDSA_PEM \
	"-----BEGIN CERTIFICATE-----\n" \
	"MIIB1TCCAXugAwIBAgIJAPiTlK0JxMXCMAoGCCqGSM49BAMCMBwxGjAYBgNVBAMM\n" \
	"EWlrZWhlbHBlciB0ZXN0IENBMCAXDTI2MTEyNTAwNTM0NFoYDzIxMjYxMTAxMDA1\n" \
	"MzQ0WjArMRAwDgYDVQQKDAdFeGFtcGxlMRcwFQYDVQQDDA5pa2Vla3UuZXhhbXBs\n" \
	"ZTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABEOeCNcQ20Mc4L5rBVMuMTstN01q\n" \
	"zxSNpkqcIoTjdkKfxaddJBpmAlQ33APEPVwFwJbvPlgBQqU5FWBF6Ta8b5ijgZQw\n" \
	"gZEwDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCB4AwFgYDVR0lAQH/BAwwCgYI\n" \
	"KwYBBQUHAxEwGQYDVR0RBBIwEIIOaWtlZWt1LmV4YW1wbGUwHQYDVR0OBBYEFJvR\n" \
	"vB6lgf+JnSB9NOKCo/pcuK2eMB8GA1UdIwQYMBaAFOaf4hsYZfA+wQdkKXiEDXVn\n" \
	"yINSMAoGCCqGSM49BAMCA0gAMEUCIBYsuHg0uYrB8ERxyTL061oabFPBkNEwrhtR\n" \
	"xzg11GJCAiEAu/T6clMS5aqlfQHEg9RJsmcbEoPfZx1iDboGDKs92d8=\n" \
	"-----END CERTIFICATE-----\n"

#define CV_IKEEKU_ECDSA_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPSvxqbMcQMm3ftO+\n" \
	"dn9XN7JgHZYZqQklArPuvlBV4fmhRANCAARDngjXENtDHOC+awVTLjE7LTdNas8U\n" \
	"jaZKnCKE43ZCn8WnXSQaZgJUN9wDxD1cBcCW7z5YAUKlORVgRek2vG+Y\n" \
	"-----END PRIVATE KEY-----\n"

/* CV_A_ECDSA_KEY encrypted with AES-256, password "ikehelper" */
#define CV_ENC_KEY \
	"-----BEGIN ENCRYPTED PRIVATE KEY-----\n" \
	"MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAikxEpUc8SjIQICCAAw\n" \
	"DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEOEZq0Ky0+REetkIsUg3psoEgZAA\n" \
	"Eqh5RI4EtR+H2IuQ6zTUz6eOOA6xYmPwbpz5vW2M1kgMETpYMb+NZD123BWL2Zag\n" \
	"12bSnMji/eX1cH/QFtVPwlhsw7WRYpy3VtEtOMdqILMCSxybJcz7sk+5uA2fMQsJ\n" \
	"u2vNEHJaoJydSnblVk+0+Ked+QSVtiJUcaQ3iYCSC1LatTEHALqDKh8HUJkQ2SE=\n" \
	"-----END ENCRYPTED PRIVATE KEY-----\n"

#endif /* IKEHELPER_CERT_VECTORS_H */
