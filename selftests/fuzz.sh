#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Random and mutated ESP at an espif interface with an SA installed
# (esp_fuzz.py): truncated, bit-flipped, random bytes, bad padding, wrong
# next header, broken inner header, dummy, spoofed, replayed, unknown SPI,
# IP-fragmented; over raw ESP and ESP in UDP at random.  Nothing may crash
# or warn (run it on the debug kernel: make check-debug), nothing but the
# valid controls may be delivered, and every drop counter must move by
# exactly what the sender's tally says.
#
#   ns "a"                                   ns "b"
#   +-------------------------------+         +---------------------------+
#   | esp0 192.168.1.1/32 (espif)   |         | esp_fuzz.py               |
#   |  peer 1: remote 10.99.0.2,    |         |  raw socket, proto 50     |
#   |  selector 192.168.2.0/24,     |         |  UDP socket :4500         |
#   |  SA in 0x2001 (AES-GCM-128)   |         |                           |
#   | [espif_sock.py attach 4500]   |         |                           |
#   |  va 10.99.0.1/24 =============+= veth ==+= vb 10.99.0.2/24          |
#   +-------------------------------+         +---------------------------+

source "$(dirname "$0")/lib.sh"

KEY=2122232425262728292a2b2c2d2e2f3031323334
SPI=8193	# 0x2001
A='' B='' IDX=''

yn() { ynl_ns "$A" "$@"; }

setup() {
	# Raw ESP espif does not know goes on to xfrm's ESP, which counts it
	# in XfrmInNoStates; without esp4 nobody would count it.
	modprobe -q esp4 2>/dev/null || true
	esp_pair
	ynl_server "$A"
	yn --do peer-new --json "{\"ifindex\": $IDX, \"id\": 1,
		\"remote\": \"0a630002\", \"port\": 4500,
		\"selector\": [{\"addr\": \"c0a80200\", \"prefix-len\": 24}]}" >/dev/null
	yn --do sa-new --json "{\"ifindex\": $IDX, \"peer-id\": 1,
		\"spi\": $SPI, \"dir\": \"in\", \"alg\": \"aes-gcm\",
		\"key\": \"$KEY\"}" >/dev/null
	bg_start sock_a ip netns exec "$A" /usr/bin/python3 \
		"$ESPIF_TOP/selftests/espif_sock.py" attach esp0 4500
	bg_wait sock_a '^attached'
}

# counters: one JSON object of every counter the tally names.
counters() {
	local sa dev nostates echos
	sa=$(yn --do sa-get --json "{\"ifindex\": $IDX, \"spi\": $SPI, \"dir\": \"in\"}")
	dev=$(yn --do dev-get --json "{\"ifindex\": $IDX}")
	nostates=$(ip netns exec "$A" awk '$1 == "XfrmInNoStates" { print $2 }' \
		/proc/net/xfrm_stat)
	echos=$(ip netns exec "$A" awk '$1 == "Icmp:" { if (!n++) { for (i = 2; i <= NF; i++) c[$i] = i } else print $c["InEchos"] }' \
		/proc/net/snmp)
	jq -n -S -c --argjson sa "$sa" --argjson dev "$dev" \
		--argjson nostates "${nostates:-0}" --argjson echos "$echos" '{
		"auth-fails": ($sa["auth-fails"] // 0),
		"replay-drops": ($sa["replay-drops"] // 0),
		"rx-malformed": ($dev.stats["rx-malformed"] // 0),
		"rx-no-sa": ($dev.stats["rx-no-sa"] // 0),
		"rx-spoofed": ($dev.stats["rx-spoofed"] // 0),
		"xfrm-nostates": $nostates,
		"delivered": $echos }'
}

# fuzz_case SEED COUNT: send, let the queue drain, compare the tally.
fuzz_case() {
	local before after want got end

	setup
	before=$(counters)
	want=$(ip netns exec "$B" /usr/bin/python3 "$ESPIF_TOP/selftests/esp_fuzz.py" \
		--key "$KEY" --spi "$SPI" --dst 10.99.0.1 --seed "$1" --count "$2" |
		tee /dev/stderr | tail -n 1 | jq -S -c .)
	# Async crypto may still hold a few packets: poll until it adds up.
	end=$((SECONDS + 20))
	while :; do
		after=$(counters)
		got=$(jq -n -S -c --argjson a "$after" --argjson b "$before" \
			'$a | with_entries(.value -= $b[.key])')
		[ "$got" = "$want" ] && break
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.5
	done
	echo "expected: $want"
	echo "counted:  $got"
	check_eq "$got" "$want" "counter increments"
	dmesg_clean
}

case_seed_1() { fuzz_case 1 400; }
case_seed_2() { fuzz_case 2 400; }
case_seed_3() { fuzz_case 3 400; }

CASES=(
	"seed_1		case_seed_1"
	"seed_2		case_seed_2"
	"seed_3		case_seed_3"
)
ktap_run_cases
