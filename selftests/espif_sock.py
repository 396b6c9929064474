#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""UDP sockets for ESP in UDP (RFC 3948) in espif's selftests.

espif_sock.py attach IFNAME PORT [--family 4|6]
    Bind a UDP socket to PORT, hand it to the espif interface IFNAME with
    the genl request sock-attach {ifindex, sock-fd}, print "attached", then
    stay alive: the kernel detaches the socket when it is closed, so the
    process must live as long as the tunnel.

espif_sock.py refusals IFNAME OTHER_NETNS_PATH
    Try sock-attach on IFNAME with sockets it must refuse, and two it must
    take, and print one line per case: "NAME ERRNO EXTACK-MESSAGE" (ERRNO
    0 when accepted).  OTHER_NETNS_PATH (/run/netns/...) holds the socket
    of the other-namespace case.

espif_sock.py xfrm PORT [--family 4|6]
    Bind a UDP socket to PORT and make it a UDP_ENCAP_ESPINUDP socket, so
    that the kernel's own xfrm decapsulates the ESP arriving on it (the
    reference side of the interoperability tests), print "ready", then
    stay alive.

In both modes every datagram that reaches the socket (what the kernel
passes up: non-ESP packets, IKE with its 4-byte zero non-ESP marker) is
printed as one line "rx SRCADDR SRCPORT HEXPAYLOAD".  An IPv6 socket is
IPv6-only, so that an IPv4 and an IPv6 socket can share PORT.

The YNL library is the kernel's tools/net/ynl (ESPIF_YNL), the spec
uapi/espif.yaml (under ESPIF_TOP, by default this file's repository).
"""

import argparse
import os
import socket
import sys

UDP_ENCAP = 100
UDP_ENCAP_ESPINUDP = 2


def udp_socket(family, port):
    """A UDP socket of FAMILY (4 or 6) bound to PORT on every address."""
    if family == 6:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(('::', port))
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(('0.0.0.0', port))
    return sock


def ynl_family():
    """The espif family through the kernel's YNL library."""
    ynl_dir = os.environ.get('ESPIF_YNL', '')
    if not os.path.isfile(os.path.join(ynl_dir, 'cli.py')):
        sys.exit("espif_sock: ESPIF_YNL does not point at tools/net/ynl")
    sys.path.insert(0, ynl_dir)
    from lib import YnlFamily  # pylint: disable=import-outside-toplevel

    top = os.environ.get('ESPIF_TOP') or \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    spec = os.path.join(top, 'uapi', 'espif.yaml')
    # No JSON-schema check of the spec ('' rather than the schema's path):
    # genl.sh and `make check-regen` do it, and under TCG it takes seconds.
    return YnlFamily(spec, '')


def attach(sock, ifname):
    """Attach SOCK to the espif interface IFNAME (sock-attach)."""
    family = ynl_family()
    try:
        family.do('sock-attach', {'ifindex': socket.if_nametoindex(ifname),
                                  'sock-fd': sock.fileno()})
    except Exception as err:  # pylint: disable=broad-except
        sys.exit(f"espif_sock: sock-attach failed: {err}")


def refusals(ifname, other_ns):
    """sock-attach with every kind of socket; print the kernel's answers."""
    import ctypes  # pylint: disable=import-outside-toplevel

    family = ynl_family()
    ifindex = socket.if_nametoindex(ifname)

    def try_attach(name, fd):
        try:
            family.do('sock-attach', {'ifindex': ifindex, 'sock-fd': fd})
            print(f"{name} 0 -", flush=True)
        except Exception as err:  # pylint: disable=broad-except
            msg = getattr(err, 'nl_msg', None)
            code = -msg.error if msg is not None else -1
            ext = (msg.extack or {}).get('msg', '-') if msg is not None else str(err)
            print(f"{name} {code} {ext}", flush=True)

    keep = []
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    keep.append(tcp)
    try_attach('tcp_socket', tcp.fileno())
    with open('/dev/null', 'rb') as f:
        try_attach('not_a_socket', f.fileno())
    closed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    fd = closed.fileno()
    closed.close()
    try_attach('closed_fd', fd)
    unbound = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    keep.append(unbound)
    try_attach('unbound', unbound.fileno())
    xfrm = udp_socket(4, 4600)
    xfrm.setsockopt(socket.IPPROTO_UDP, UDP_ENCAP, UDP_ENCAP_ESPINUDP)
    keep.append(xfrm)
    try_attach('xfrm_encap', xfrm.fileno())
    # A socket made in another network namespace (setns(2) and back).
    libc = ctypes.CDLL(None, use_errno=True)
    here = os.open('/proc/self/ns/net', os.O_RDONLY)
    there = os.open(other_ns, os.O_RDONLY)
    if libc.setns(there, 0x40000000) != 0:
        sys.exit("espif_sock: setns failed")
    foreign = udp_socket(4, 4700)
    libc.setns(here, 0x40000000)
    keep.append(foreign)
    try_attach('other_netns', foreign.fileno())
    good = udp_socket(4, 4500)
    keep.append(good)
    try_attach('udp4', good.fileno())
    try_attach('udp4_again', good.fileno())
    second = udp_socket(4, 4501)
    keep.append(second)
    try_attach('second_udp4', second.fileno())
    good6 = udp_socket(6, 4500)
    keep.append(good6)
    try_attach('udp6', good6.fileno())


def serve(sock):
    """Print every datagram SOCK receives, forever."""
    while True:
        data, addr = sock.recvfrom(65535)
        print(f"rx {addr[0]} {addr[1]} {data.hex()}", flush=True)


def main():
    """Parse the command line and run the mode."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='mode', required=True)
    p_attach = sub.add_parser('attach', help='attach to an espif interface')
    p_attach.add_argument('ifname')
    p_ref = sub.add_parser('refusals', help='sock-attach refusals')
    p_ref.add_argument('ifname')
    p_ref.add_argument('other_ns')
    p_xfrm = sub.add_parser('xfrm', help='a UDP_ENCAP_ESPINUDP socket')
    for p in (p_attach, p_xfrm):
        p.add_argument('port', type=int)
        p.add_argument('--family', type=int, choices=(4, 6), default=4)
    args = parser.parse_args()

    if args.mode == 'refusals':
        refusals(args.ifname, args.other_ns)
        return
    sock = udp_socket(args.family, args.port)
    if args.mode == 'attach':
        attach(sock, args.ifname)
        print("attached", flush=True)
    else:
        sock.setsockopt(socket.IPPROTO_UDP, UDP_ENCAP, UDP_ENCAP_ESPINUDP)
        print("ready", flush=True)
    try:
        serve(sock)
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
