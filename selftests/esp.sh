#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ESP details against the kernel's own xfrm, at the edges the common
# traffic never reaches:
#  - the 32-bit sequence space runs out (RFC 4303 3.3.3): the SA sends its
#    last number, then refuses to wrap, reports seq-exhausted and drops;
#  - extended sequence numbers cross 2^32 both ways (RFC 4303 2.2.1 and
#    Appendix A): espif and xfrm agree on the high half they never send;
#  - asynchronous crypto: every transform wrapped in cryptd (espif's
#    force_async), so that each packet completes in a callback.
#
#   ns "a" (espif esp0)  --- ns "w" (bridge, capture) ---  ns "b" (xfrm)
#   192.168.1.1, fd01::1     10.99.0.1 <-> 10.99.0.2        192.168.2.1, fd02::1
#
#   (the topology of xfrm_lib.sh; SPI 0x2000 a -> b, 0x1000 b -> a)

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/xfrm_lib.sh"

U32_MAX=4294967295

# replace_pair SEQ_OUT SEQ_IN: replace the tunnel's SA pair on both sides
# by one that starts at these sequence numbers (a's out / b's in start at
# SEQ_OUT, b's out / a's in at SEQ_IN).
replace_pair() {
	local so=$1 si=$2 extra="" xflags=(flag af-unspec) a b
	a=$(outer_a) b=$(outer_b)
	[ "$T_ALG" = aes-cbc-hmac-sha256 ] && fail "replace_pair: AEADs only"
	if [ -n "$T_ESN" ]; then
		extra=', "esn": true, "replay-window": 128'
		xflags+=(esn)
	fi
	espif_sa_del out "$SPI_B"
	espif_sa_del in "$SPI_A"
	ip -n "$NS_B" xfrm state flush
	ynl_a_ok --multi sa-new "{\"ifindex\": $IDX, \"peer-id\": 1, \"spi\": $((SPI_A)),
			\"dir\": \"in\", \"alg\": \"$T_ALG\", \"key\": \"$K_BA\",
			\"seq\": $si$extra}" \
		--multi sa-new "{\"ifindex\": $IDX, \"peer-id\": 1, \"spi\": $((SPI_B)),
			\"dir\": \"out\", \"alg\": \"$T_ALG\", \"key\": \"$K_AB\",
			\"seq\": $so$extra}"
	# shellcheck disable=SC2046
	ip -n "$NS_B" xfrm state add src "$b" dst "$a" proto esp spi "$SPI_A" \
		reqid 1 mode tunnel $(xfrm_alg "$T_ALG" "$K_BA") \
		replay-window 128 replay-oseq "$((si & U32_MAX))" \
		replay-oseq-hi "$((si >> 32))" "${xflags[@]}"
	# shellcheck disable=SC2046
	ip -n "$NS_B" xfrm state add src "$a" dst "$b" proto esp spi "$SPI_B" \
		reqid 1 mode tunnel $(xfrm_alg "$T_ALG" "$K_AB") \
		replay-window 128 replay-seq "$((so & U32_MAX))" \
		replay-seq-hi "$((so >> 32))" "${xflags[@]}"
}

# a's outbound SA at 2^32 - 3: two more packets, then none.
case_seq_exhausted() {
	local before after sent

	tunnel_up aes-gcm 16 esp 4
	replace_pair $((U32_MAX - 2)) 0
	bg_start ntf ynl_ntf "$NS_A" 30
	bg_wait ntf '^ready$' 30
	cap_start
	before=$(dev_stats | jq -r '.["tx-no-sa"]')
	# Two echoes get through (seq 2^32-2 and 2^32-1), the rest cannot.
	ip netns exec "$NS_A" ping -4 -n -c 5 -i 0.2 -W 1 -I "$IN_A4" "$IN_B4" || true
	cap_stop
	after=$(dev_stats | jq -r '.["tx-no-sa"]')
	sent=$(cap_count "ip src $A4 and ip proto 50")
	check_eq "$sent" 2 "ESP packets a sent"
	check_eq "$(sa_field out "$SPI_B" seq)" "$U32_MAX" "last sequence number"
	check_eq "$(sa_field out "$SPI_B" packets)" 2 "packets on the SA"
	check_eq "$(sa_field out "$SPI_B" expire)" seq-exhausted "the SA's state"
	check_eq "$((after - before))" 3 "echoes dropped for want of a usable SA"
	wait_until 20 grep -q '"seq-exhausted"' "$(bg_out ntf)"
	check_eq "$(grep -c '"seq-exhausted"' "$(bg_out ntf)")" 1 \
		"seq-exhausted notifications (once)"
	dmesg_clean
}

# ESN across 2^32 both ways: 8 echoes each way from 2^32 - 4.
esn_wrap() {
	local start=$((U32_MAX - 3))

	tunnel_up "$1" "$2" esp 4 esn
	replace_pair "$start" "$start"
	ping_ok "$NS_A" 4 "$IN_A4" "$IN_B4" 8 0.1
	ping_ok "$NS_B" 4 "$IN_B4" "$IN_A4" 8 0.1
	[ "$(sa_field out "$SPI_B" seq)" -gt "$U32_MAX" ] ||
		fail "a's outbound SA did not pass 2^32: $(sa_get out "$SPI_B")"
	[ "$(sa_field in "$SPI_A" seq)" -gt "$U32_MAX" ] ||
		fail "a's inbound SA did not pass 2^32: $(sa_get in "$SPI_A")"
	check_eq "$(sa_field in "$SPI_A" auth-fails)" 0 "inbound authentication failures"
	check_eq "$(sa_field in "$SPI_A" replay-drops)" 0 "inbound replay drops"
	dmesg_clean
}

case_esn_wrap_gcm() { esn_wrap aes-gcm 16; }
case_esn_wrap_chacha() { esn_wrap chacha20-poly1305 32; }

# Every transform behind cryptd: the -EINPROGRESS completion path.
async_interop() {
	espif_load
	echo 1 > /sys/module/espif/parameters/force_async
	tunnel_up "$@"
	cap_start
	traffic_both_ways 4
	traffic_both_ways 6
	cap_stop
	wire_check > /dev/null
	echo 0 > /sys/module/espif/parameters/force_async
	check_eq "$(sa_field in "$SPI_A" auth-fails)" 0 "inbound authentication failures"
	dmesg_clean
}

case_async_cbc_esn() { async_interop aes-cbc-hmac-sha256 32 esp 4 esn; }

CASES=(
	"seq_exhausted		case_seq_exhausted"
	"esn_wrap_gcm		case_esn_wrap_gcm"
	"esn_wrap_chacha	case_esn_wrap_chacha"
	"async_cbc_esn		case_async_cbc_esn"
)
ktap_run_cases
