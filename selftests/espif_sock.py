#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""UDP sockets for ESP in UDP (RFC 3948) in espif's selftests.

espif_sock.py attach IFNAME PORT [--family 4|6]
    Bind a UDP socket to PORT, hand it to the espif interface IFNAME with
    the genl request sock-attach {ifindex, sock-fd}, print "attached", then
    stay alive: the kernel detaches the socket when it is closed, so the
    process must live as long as the tunnel.

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
    p_xfrm = sub.add_parser('xfrm', help='a UDP_ENCAP_ESPINUDP socket')
    for p in (p_attach, p_xfrm):
        p.add_argument('port', type=int)
        p.add_argument('--family', type=int, choices=(4, 6), default=4)
    args = parser.parse_args()

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
