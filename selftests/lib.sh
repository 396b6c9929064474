# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared helpers for espif's selftests, sourced by every selftests/*.sh.
#
# A test script defines one shell function per case and a table of named
# cases, then calls `ktap_run_cases`:
#
#	CASES=(
#		"create_one	case_create_one"
#		"create_many	case_create_many"
#	)
#	ktap_run_cases
#
# Each case runs in a subshell with `set -e`: any failing command, or a
# failed `check`, fails the case; its output is then printed as KTAP
# diagnostics (always, when KTAP_SHOW_OUTPUT=1: the demo narrates).  A case
# that calls `skip REASON` is reported as skipped.
# Output is KTAP version 1; the exit status is 0 when nothing failed.

set -u
export LC_ALL=C

ESPIF_TOP=${ESPIF_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
ESPIF_KO=${ESPIF_KO:-$ESPIF_TOP/kmod/espif.ko}
ESPIF_IKEHELPER=${ESPIF_IKEHELPER:-$ESPIF_TOP/ikehelper/ikehelper}
# Sanitizer reports fail the case: abort on the first, leaks included.
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
readonly KSFT_SKIP=4

# --- assertions ----------------------------------------------------------

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit "$KSFT_SKIP"; }

# check_eq ACTUAL EXPECTED WHAT
check_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}

# expect_error PATTERN CMD...: CMD must fail and print PATTERN (ERE).
expect_error() {
	local pattern=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "'$*' succeeded; expected an error matching /$pattern/:"$'\n'"$out"
	fi
	echo "$out" | grep -Eq -- "$pattern" ||
		fail "'$*' failed without /$pattern/:"$'\n'"$out"
}

# dmesg_clean: no kernel warning, oops, or leaked reference since the mark.
dmesg_mark() { dmesg | wc -l > "$ESPIF_TMP/dmesg.mark"; }
dmesg_clean() {
	local from=0 bad
	[ -f "$ESPIF_TMP/dmesg.mark" ] && from=$(cat "$ESPIF_TMP/dmesg.mark")
	bad=$(dmesg | tail -n +"$((from + 1))" |
	      grep -E 'WARNING:|BUG:|Oops|general protection|refcount_t|unregister_netdevice: waiting|kmemleak|UBSAN|KASAN|list_(add|del) corruption' || true)
	[ -z "$bad" ] || fail "kernel log: $bad"
}

# --- the module and its interfaces ---------------------------------------

espif_loaded() { [ -d /sys/module/espif ]; }

espif_load() {
	espif_loaded && return 0
	insmod "$ESPIF_KO"
}

espif_unload() {
	espif_loaded || return 0
	# rmmod must finish even with interfaces alive: bound it so that a
	# leaked reference (unregister_netdevice waiting) fails the case.
	timeout 60 rmmod espif
}

# espif_links [NETNS]: names of the espif interfaces, one per line.
espif_links() {
	ip ${1:+-n "$1"} -j -d link show type espif |
		jq -r '.[] | .ifname'
}

espif_count() { espif_links "$@" | grep -c . || true; }

ifindex_of() { cat "/sys/class/net/$1/ifindex"; }

# --- network namespaces --------------------------------------------------

# ns_add NAME: create namespace espif-<pid>-NAME with lo up; print its name.
# cleanup_all removes every namespace of this script by that prefix.
ns_add() {
	local ns="espif-$$-$1"
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	echo "$ns"
}

# --- the generic netlink family, through the kernel's YNL CLI ------------

# ynl ARGS...: tools/net/ynl/cli.py with our spec; JSON output.
ynl() {
	[ -n "${ESPIF_YNL:-}" ] && [ -f "$ESPIF_YNL/cli.py" ] ||
		skip "ESPIF_YNL does not point at the kernel's tools/net/ynl"
	/usr/bin/python3 "$ESPIF_YNL/cli.py" \
		--spec "$ESPIF_TOP/uapi/espif.yaml" \
		--schema "$ESPIF_YNL/../../../Documentation/netlink/genetlink-legacy.yaml" \
		--output-json "$@"
}

ikehelper() { "$ESPIF_IKEHELPER" "$@"; }

# --- KTAP ----------------------------------------------------------------

cleanup_all() {
	local ns
	for ns in $(ip netns list | awk -v p="espif-$$-" 'index($1, p) == 1 { print $1 }'); do
		ip netns del "$ns"
	done
	ip -j link show type espif 2>/dev/null | jq -r '.[].ifname' |
		while read -r l; do ip link del "$l"; done
}

ktap_run_cases() {
	local n=${#CASES[@]} i=0 entry name fn rc log t0
	local pass=0 failed=0 skipped=0

	ESPIF_TMP=$(mktemp -d)
	echo "KTAP version 1"
	echo "1..$n"
	for entry in "${CASES[@]}"; do
		i=$((i + 1))
		read -r name fn <<< "$entry"
		log="$ESPIF_TMP/$name.log"
		dmesg_mark
		t0=$SECONDS
		(set -e; "$fn") > "$log" 2>&1
		rc=$?
		echo "# $name: $((SECONDS - t0)) s"
		# Each case starts from a clean slate whatever it left.
		(cleanup_all) >/dev/null 2>&1
		if [ "${KTAP_SHOW_OUTPUT:-0}" = 1 ] ||
		   { [ "$rc" -ne 0 ] && [ "$rc" -ne "$KSFT_SKIP" ]; }; then
			sed 's/^/# /' "$log"
		fi
		if [ "$rc" -eq 0 ]; then
			echo "ok $i $name"
			pass=$((pass + 1))
		elif [ "$rc" -eq "$KSFT_SKIP" ]; then
			echo "ok $i $name # SKIP $(sed -n 's/^SKIP: //p' "$log" | tail -n 1)"
			skipped=$((skipped + 1))
		else
			echo "not ok $i $name"
			failed=$((failed + 1))
		fi
	done
	echo "# Totals: pass:$pass fail:$failed skip:$skipped"
	rm -rf "$ESPIF_TMP"
	[ "$failed" -eq 0 ]
}

# --- appended for the data-path tests (sa.sh, bench.sh) -------------------
# Two namespaces joined by a veth pair, the kernel's own xfrm as the
# reference peer, background helpers that the case's exit stops.

# in_ns NETNS CMD...: CMD inside NETNS ("" is the current namespace).
in_ns() {
	local ns=$1
	shift
	if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi
}

# ynl_ns NETNS ARGS...: ynl (above) inside NETNS ("": the current one);
# through NETNS's ynl_server when the case started one.
ynl_ns() {
	local ns=$1 dir resp
	shift
	[ -n "${ESPIF_YNL:-}" ] && [ -f "$ESPIF_YNL/cli.py" ] ||
		skip "ESPIF_YNL does not point at the kernel's tools/net/ynl"
	dir=${YNL_SERVER[${ns:-.}]:-}
	if [ -z "$dir" ]; then
		in_ns "$ns" /usr/bin/python3 "$ESPIF_YNL/cli.py" \
			--spec "$ESPIF_TOP/uapi/espif.yaml" \
			--schema "$ESPIF_YNL/../../../Documentation/netlink/genetlink-legacy.yaml" \
			--output-json "$@"
		return
	fi
	resp=$(flock "$dir/lock" timeout 60 bash -c \
		'printf "%s\0" "${@:2}" > "$1/in" && cat "$1/out"' - "$dir" "$@") ||
		fail "the ynl server of namespace '${ns:-.}' does not answer"
	[[ $resp == *@@rc=* ]] || fail "the ynl server of namespace '${ns:-.}' died"
	printf '%s' "${resp%@@rc=*}"
	return "${resp##*@@rc=}"
}

# ynl_server NETNS: keep one YNL (python, the parsed spec) running in NETNS
# for the rest of the case, and send it every ynl_ns NETNS request: the
# CLI takes seconds to start in the emulated VM, a request to it
# milliseconds.  ynl_ns's output and status stay the CLI's, for --do and
# --dump (--json, --output-json, --no-schema); call it from the case's
# shell, not in $(...).
declare -A YNL_SERVER=()
ynl_server() {
	local ns=$1 dir

	[ -n "${ESPIF_YNL:-}" ] && [ -f "$ESPIF_YNL/cli.py" ] ||
		skip "ESPIF_YNL does not point at the kernel's tools/net/ynl"
	dir=$(mktemp -d "$ESPIF_TMP/ynl.XXXXXX")
	mkfifo "$dir/in" "$dir/out"
	bg_start "ynl-${dir##*.}" ynl_server_py "$ns" "$dir"
	bg_wait "ynl-${dir##*.}" '^ready' 60
	YNL_SERVER[${ns:-.}]=$dir
}
ynl_server_py() {
	in_ns "$1" /usr/bin/python3 - "$ESPIF_YNL" "$ESPIF_TOP/uapi/espif.yaml" "$2" <<'PY'
import json, sys, traceback
ynl_dir, spec, fifo = sys.argv[1:4]
sys.path.insert(0, ynl_dir)
from lib import YnlFamily, NlError
fam = YnlFamily(spec, '')   # no schema check: the CLI and make regen do it
enc = lambda o: o.hex() if isinstance(o, bytes) else list(o)
print('ready', flush=True)
while True:
    with open(fifo + '/in', 'rb') as f:
        args = f.read().decode().split('\0')[:-1]
    rc = 0
    try:
        mode = op = None
        attrs = {}
        it = iter(args)
        for a in it:
            if a in ('--do', '--dump'):
                mode, op = a[2:], next(it)
            elif a == '--json':
                attrs = json.loads(next(it))
            elif a not in ('--output-json', '--no-schema'):
                raise Exception(f'ynl server: {a} is not supported')
        if mode == 'do':
            reply = fam.do(op, attrs)
        else:
            reply = fam.dump(op, attrs)
        out = json.dumps(reply, default=enc) + '\n'
    except NlError as e:
        out, rc = f'{e}\n', 1
    except Exception:
        out, rc = traceback.format_exc(), 1
    with open(fifo + '/out', 'w') as f:
        f.write(f'{out}@@rc={rc}')
PY
}

# ynl_ntf NETNS SECONDS: subscribe to espif's "notify" group in NETNS, print
# "ready", then every notification as a JSON line {"name": OP, "msg": {...}}
# for SECONDS.  (cli.py --subscribe says nothing once subscribed, so a test
# could not tell when to start.)  Run it with bg_start.
ynl_ntf() {
	[ -n "${ESPIF_YNL:-}" ] && [ -f "$ESPIF_YNL/cli.py" ] ||
		skip "ESPIF_YNL does not point at the kernel's tools/net/ynl"
	in_ns "$1" /usr/bin/python3 - "$2" "$ESPIF_YNL" "$ESPIF_TOP/uapi/espif.yaml" <<'PY'
import json, sys, time
secs, ynl_dir, spec = float(sys.argv[1]), sys.argv[2], sys.argv[3]
sys.path.insert(0, ynl_dir)
from lib import YnlFamily
fam = YnlFamily(spec, '')   # no schema check: the CLI and make regen do it
fam.ntf_subscribe('notify')
print('ready', flush=True)
end = time.time() + secs
while time.time() < end:
    fam.check_ntf()
    for m in fam.async_msg_queue:
        print(json.dumps(m, default=lambda o: o.hex() if isinstance(o, bytes) else list(o)), flush=True)
    fam.async_msg_queue.clear()
    time.sleep(0.05)
PY
}

# bg_start NAME CMD...: run CMD in the background, output to bg_out NAME;
# every process so started is killed when the case exits.
BG_PIDS=()
bg_out() { echo "$ESPIF_TMP/bg-$1.out"; }
bg_start() {
	local name=$1
	shift
	"$@" > "$(bg_out "$name")" 2>&1 &
	BG_PIDS+=("$!")
	trap bg_stop EXIT
}
bg_stop() {
	local pid
	for pid in "${BG_PIDS[@]}"; do
		bg_kill_tree "$pid"
		wait "$pid" 2>/dev/null || true
	done
	BG_PIDS=()
}
# A function run in the background is a shell with the command its child.
bg_kill_tree() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		bg_kill_tree "$c"
	done
	kill "$1" 2>/dev/null || true
}

# bg_wait NAME ERE [SECONDS]: wait until NAME's output has a line matching ERE.
bg_wait() {
	local out i
	out=$(bg_out "$1")
	for ((i = 0; i < ${3:-10} * 10; i++)); do
		grep -Eq -- "$2" "$out" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "no /$2/ from $1 in ${3:-10} s:"$'\n'"$(cat "$out")"
}

# esp_pair: namespaces A ("a") and B ("b") joined by a veth, va
# 10.99.0.1/24 - vb 10.99.0.2/24, and esp0 in A: 192.168.1.1/32, up, no
# IPv6 (its router solicitations and MLD reports would count as
# tx-no-peer); IDX is esp0's index.  The data-path suites start here.
esp_pair() {
	espif_load
	A=$(ns_add a)
	B=$(ns_add b)
	veth_link "$A" 10.99.0.1/24 "$B" 10.99.0.2/24
	ip -n "$A" link add esp0 type espif
	ip netns exec "$A" sysctl -qw net.ipv6.conf.esp0.disable_ipv6=1
	ip -n "$A" addr add 192.168.1.1/32 dev esp0
	ip -n "$A" link set esp0 up
	IDX=$(ip -n "$A" -j link show esp0 | jq '.[0].ifindex')
}

# veth_link NS_A ADDR_A NS_B ADDR_B: veth "va" in NS_A, "vb" in NS_B, up.
veth_link() {
	ip -n "$1" link add va type veth peer name vb netns "$3"
	ip -n "$1" addr add "$2" dev va
	ip -n "$3" addr add "$4" dev vb
	ip -n "$1" link set va up
	ip -n "$3" link set vb up
}

# xfrm_tunnel NETNS LOCAL REMOTE LOCAL_NET REMOTE_NET OUT_SPI OUT_KEY IN_SPI
#             IN_KEY [LPORT RPORT]
# The kernel's IPsec in NETNS: tunnel-mode ESP between outer addresses LOCAL
# and REMOTE, AES-GCM with a 16-byte ICV (rfc4106; KEY is hex: the AES key
# and the 4-byte salt, as espif's aes-gcm key), OUT_SPI for LOCAL_NET ->
# REMOTE_NET and IN_SPI back, a 128-packet replay window as espif's
# default; with the ports, ESP in UDP (RFC 3948).
xfrm_tunnel() {
	local ns=$1 l=$2 r=$3 ln=$4 rn=$5 ospi=$6 okey=$7 ispi=$8 ikey=$9
	local oe=() ie=()

	if [ $# -ge 11 ]; then
		oe=(encap espinudp "${10}" "${11}" 0.0.0.0)
		ie=(encap espinudp "${11}" "${10}" 0.0.0.0)
	fi
	ip -n "$ns" xfrm state add src "$l" dst "$r" proto esp spi "$ospi" \
		mode tunnel aead 'rfc4106(gcm(aes))' "0x$okey" 128 \
		replay-window 128 "${oe[@]}"
	ip -n "$ns" xfrm state add src "$r" dst "$l" proto esp spi "$ispi" \
		mode tunnel aead 'rfc4106(gcm(aes))' "0x$ikey" 128 \
		replay-window 128 "${ie[@]}"
	ip -n "$ns" xfrm policy add src "$ln" dst "$rn" dir out \
		tmpl src "$l" dst "$r" proto esp mode tunnel
	ip -n "$ns" xfrm policy add src "$rn" dst "$ln" dir in \
		tmpl src "$r" dst "$l" proto esp mode tunnel
}

# --- TCP through a tunnel (xfrm_lib.sh, ike_lib.sh; each has wait_until) --

sock_addr() { case "$1" in *:*) echo "[$1]" ;; *) echo "$1" ;; esac; }

listening() { ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .; }

# tcp_xfer FROM_NS TO_NS FAM SRC DST [KIB]: send KIB (default 256) random
# KiB over TCP from SRC to DST; what arrives must be what was sent.
tcp_xfer() {
	local from=$1 to=$2 fam=$3 src=$4 dst=$5 kib=${6:-256} port=5001 pid
	local in="$ESPIF_TMP/tcp.in" out="$ESPIF_TMP/tcp.out"
	head -c "$((kib * 1024))" /dev/urandom > "$in"
	rm -f "$out"
	bg_start tcp_rx ip netns exec "$to" timeout 120 socat -u \
		"TCP$fam-LISTEN:$port,bind=$(sock_addr "$dst"),reuseaddr" \
		"CREATE:$out"
	pid=${BG_PIDS[-1]}
	wait_until 30 listening "$to" "$port" ||
		fail "nothing listens on TCP $port in $to"
	in_ns "$from" timeout 120 socat -u "OPEN:$in" \
		"TCP$fam:$(sock_addr "$dst"):$port,bind=$(sock_addr "$src")" ||
		fail "TCP $src -> $dst: sender failed"
	wait "$pid" ||
		fail "TCP $src -> $dst: receiver failed: $(cat "$(bg_out tcp_rx)")"
	cmp -s "$in" "$out" ||
		fail "TCP $src -> $dst: the $(stat -c %s "$out") bytes received differ from the $((kib * 1024)) sent"
}
