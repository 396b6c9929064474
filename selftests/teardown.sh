#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tearing espif down under load: with a tunnel to the kernel's own IPsec
# (xfrm) busy both ways (ping floods and iperf3 --bidir), delete the
# interface, close its UDP socket, or rmmod the module.  Each finishes
# (bounded in time: a leaked reference would hang it), b keeps sending ESP
# at a for a while after, the module unloads afterwards, and the kernel log
# stays clean.
#
#   ns "a" (espif)                          ns "b" (xfrm)
#   +-----------------------------+         +-------------------------------+
#   | esp0 192.168.1.1/32 fd01::1 |         | dummy0 192.168.2.1/32 fd02::1 |
#   |  SA pair, peer 1            |         |  iperf3 -c --bidir, ping -i   |
#   | iperf3 -s, ping -i 0.005    |         |  0.005, xfrm states+policies  |
#   | [espif_sock.py attach 4500] |         | [espif_sock.py xfrm 4500]     |
#   | va 10.99.0.1/24 fd00:99::1  |         | vb 10.99.0.2/24 fd00:99::2    |
#   +-------------|---------------+         +--------------|----------------+
#                 +------- wa -- ns "w", br0 -- wb --------+
#
#   ip -n a link del esp0 | kill espif_sock.py | rmmod espif, mid-traffic
#   [...]: ESP in UDP only

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/xfrm_lib.sh"

# load_start: traffic both ways through the tunnel, until the case ends;
# returns once espif has counted some of it each way.
load_start() {
	bg_start iperf_s ip netns exec "$NS_A" iperf3 -s -B "$IN_A4"
	wait_until 30 listening "$NS_A" 5201
	bg_start iperf_c ip netns exec "$NS_B" iperf3 -c "$IN_A4" -B "$IN_B4" \
		--bidir -b 10M -t 600
	bg_start ping_ab ip netns exec "$NS_A" ping -4 -n -q -i 0.005 -I "$IN_A4" "$IN_B4"
	bg_start ping_ba ip netns exec "$NS_B" ping -6 -n -q -i 0.005 -I "$IN_B6" "$IN_A6"
	sleep 2
	[ "$(sa_field out "$SPI_B" packets)" -gt 100 ] || fail "no traffic a -> b"
	[ "$(sa_field in "$SPI_A" packets)" -gt 100 ] || fail "no traffic b -> a"
}

# b_sent: packets b's xfrm has sent to a so far.
b_sent() {
	ip -n "$NS_B" -s xfrm state get src "$(outer_b)" dst "$(outer_a)" \
		proto esp spi "$SPI_A" |
		awk '/lifetime current:/ { getline; sub(/\(.*/, "", $2); print $2 }'
}

# b_still_sends: b's xfrm goes on sending ESP at a after the teardown (its
# pings and iperf3 do not stop), which a receives without an espif
# interface (or module) to take it.
b_still_sends() {
	local before after
	before=$(b_sent)
	sleep 2
	after=$(b_sent)
	echo "b -> a after the teardown: $((after - before)) packets"
	[ "$after" -gt "$before" ] || fail "b stopped sending"
}

# dellink TRANSPORT OUTER: ip link del esp0 under load.
dellink() {
	tunnel_up aes-gcm 16 "$1" "$2"
	load_start
	timeout 30 ip -n "$NS_A" link del esp0 || fail "ip link del esp0 did not finish"
	check_eq "$(espif_count "$NS_A")" 0 "espif interfaces in a after the delete"
	b_still_sends
	bg_stop
	espif_unload || fail "rmmod after the delete did not finish"
	dmesg_clean
}

case_dellink_esp_4() { dellink esp 4; }
case_dellink_udp_6() { dellink udp 6; }

# case_sock_close: the attached UDP socket is closed (its process killed)
# under load: the interface lets go of it (dev-get stops listing its port),
# stays usable (deleted later), and the module unloads.
case_sock_close() {
	local ports

	tunnel_up chacha20-poly1305 32 udp 4
	ports=$(ynl_a --do dev-get --json "{\"ifindex\": $IDX}" |
		jq -c '[.["sock-port"] // empty] | flatten')
	check_eq "$ports" "[$NATT_PORT]" "sock-port with the socket attached"
	load_start
	kill "$SOCK_A_PID"
	wait "$SOCK_A_PID" 2>/dev/null || true
	sleep 1
	ports=$(ynl_a --do dev-get --json "{\"ifindex\": $IDX}" |
		jq -c '[.["sock-port"] // empty] | flatten')
	check_eq "$ports" "[]" "sock-port after the socket was closed"
	b_still_sends
	timeout 30 ip -n "$NS_A" link del esp0 || fail "ip link del esp0 did not finish"
	bg_stop
	espif_unload || fail "rmmod did not finish"
	dmesg_clean
}

# rmmod TRANSPORT OUTER: rmmod espif under load, esp0 alive with its SAs
# (and its UDP socket, still open in espif_sock.py).
rmmod_loaded() {
	tunnel_up aes-cbc-hmac-sha256 16 "$1" "$2"
	load_start
	espif_unload || fail "rmmod under load did not finish"
	! espif_loaded || fail "espif still loaded"
	! ip -n "$NS_A" link show esp0 2>/dev/null || fail "esp0 outlived rmmod"
	# ESP in UDP keeps arriving at the socket espif had.
	b_still_sends
	bg_stop
	dmesg_clean
}

case_rmmod_esp_4() { rmmod_loaded esp 4; }
case_rmmod_udp_4() { rmmod_loaded udp 4; }

CASES=(
	"dellink_esp_4	case_dellink_esp_4"
	"dellink_udp_6	case_dellink_udp_6"
	"sock_close	case_sock_close"
	"rmmod_esp_4	case_rmmod_esp_4"
	"rmmod_udp_4	case_rmmod_udp_4"
)
ktap_run_cases
