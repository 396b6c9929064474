#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Send random and mutated ESP at an espif interface; print what to expect.

esp_fuzz.py --key HEX --spi N --dst ADDR --count N --seed N

Every packet is ESP (RFC 4303) tunnel mode, AES-GCM-128 (RFC 4106) under
KEY (16 bytes + 4 of salt) and SPI, carrying an ICMP echo request from
192.168.2.1 to 192.168.1.1, sent from this namespace to DST over raw ESP
(IP protocol 50) or ESP in UDP 4500 -> 4500 (RFC 3948), at random.  Most
are broken on purpose, one way each, and the script keeps count of where
each must end up.  The last line printed is a JSON object of expected
increments: the SA's auth-fails and replay-drops, the interface's
rx-malformed, rx-no-sa and rx-spoofed, xfrm's XfrmInNoStates (raw ESP with
an SPI espif does not know goes on to xfrm), and "delivered", the echo
requests that must arrive (the valid controls; none of the others may).

Kinds of packet (picked at random):
  valid      a good packet (sometimes 3000 bytes, so IP-fragmented)
  flip       one bit flipped in IV, ciphertext or ICV -> auth-fails
  truncate   cut short -> rx-malformed when the length cannot be ESP,
             else auth-fails
  garbage    random bytes after a valid SPI: as truncate, by length
  padding    authentic, but the padding is not 1, 2, 3... -> rx-malformed
  nexthdr    authentic, next header neither 4, 41 nor 59 -> rx-malformed
  inner      authentic, next header 4 but no IPv4 header -> rx-malformed
  dummy      authentic, next header 59 (RFC 4303 2.6) -> dropped, counted
             nowhere
  spoofed    authentic, inner source outside the selectors -> rx-spoofed
  replay     an authentic packet sent before, again -> replay-drops
  badspi     an SPI nobody has: UDP -> rx-no-sa, raw -> XfrmInNoStates
"""

import argparse
import json
import os
import random
import socket
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

IP_MTU_DISCOVER = 10
IP_PMTUDISC_DONT = 0
KINDS = ['valid', 'flip', 'truncate', 'garbage', 'padding', 'nexthdr',
         'inner', 'dummy', 'spoofed', 'replay', 'badspi']


def csum(data):
    """The Internet checksum (RFC 1071)."""
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def echo(src, payload_len, ident):
    """An IPv4 ICMP echo request from SRC to 192.168.1.1."""
    icmp = struct.pack('!BBHHH', 8, 0, 0, ident, 1) + os.urandom(payload_len)
    icmp = icmp[:2] + struct.pack('!H', csum(icmp)) + icmp[4:]
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(icmp), ident, 0,
                      64, 1, 0, socket.inet_aton(src),
                      socket.inet_aton('192.168.1.1'))
    hdr = hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:]
    return hdr + icmp


class Esp:
    """Outbound ESP of one SA, as its peer would build it."""

    def __init__(self, key, spi):
        self.aead = AESGCM(key[:16])
        self.salt = key[16:]
        self.spi = spi
        self.seq = 0

    def seal(self, inner, nexthdr=4, padlen=None, pad=None, spi=None):
        """ESP packet of INNER; padding minimal unless PADLEN/PAD given."""
        self.seq += 1
        if padlen is None:
            padlen = (4 - (len(inner) + 2) % 4) % 4
        if pad is None:
            pad = bytes(range(1, padlen + 1))
        plain = inner + pad + bytes([padlen, nexthdr])
        iv = struct.pack('!Q', self.seq)
        head = struct.pack('!II', self.spi if spi is None else spi, self.seq)
        # RFC 4106 5: AAD = SPI || seq; nonce = salt || IV.
        ct = self.aead.encrypt(self.salt + iv, plain,
                               struct.pack('!II', self.spi, self.seq))
        return head + iv + ct


def expect_by_length(n):
    """Where a packet of N ESP bytes that is not authentic ends up."""
    elen = n - 8 - 8 - 16
    return 'rx-malformed' if n < 16 or elen < 2 or elen % 4 else 'auth-fails'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--key', required=True)
    ap.add_argument('--spi', type=int, required=True)
    ap.add_argument('--dst', required=True)
    ap.add_argument('--count', type=int, default=400)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()

    rnd = random.Random(args.seed)
    esp = Esp(bytes.fromhex(args.key), args.spi)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ESP)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(('0.0.0.0', 4500))
    for s in (raw, udp):
        s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)

    want = {k: 0 for k in ('auth-fails', 'replay-drops', 'rx-malformed',
                           'rx-no-sa', 'rx-spoofed', 'xfrm-nostates',
                           'delivered')}
    sent = []          # authentic packets, for the replays
    kinds = {k: 0 for k in KINDS}
    for i in range(args.count):
        kind = rnd.choice(KINDS)
        if kind == 'replay' and not sent:
            kind = 'flip'
        kinds[kind] += 1
        over_udp = rnd.random() < 0.5
        inner = echo('192.168.2.1', rnd.choice([0, 1, 2, 3, 56, 3000]),
                      i & 0xffff)
        if kind == 'valid':
            pkt = esp.seal(inner)
            want['delivered'] += 1
        elif kind == 'flip':
            pkt = bytearray(esp.seal(inner))
            pos = rnd.randrange(8, len(pkt))
            pkt[pos] ^= 1 << rnd.randrange(8)
            want['auth-fails'] += 1
        elif kind == 'truncate':
            pkt = esp.seal(inner)
            pkt = pkt[:rnd.randrange(9, len(pkt))]
            want[expect_by_length(len(pkt))] += 1
        elif kind == 'garbage':
            esp.seq += 1
            pkt = struct.pack('!II', esp.spi, esp.seq) + \
                os.urandom(rnd.randrange(1, 200))
            want[expect_by_length(len(pkt))] += 1
        elif kind == 'padding':
            padlen = 3 + 4 * rnd.randrange(0, 8) + \
                (4 - (len(inner) + 5) % 4) % 4
            pad = bytearray(range(1, padlen + 1))
            pad[rnd.randrange(padlen)] ^= 0x80
            pkt = esp.seal(inner, padlen=padlen, pad=bytes(pad))
            sent.append(pkt)
            want['rx-malformed'] += 1
        elif kind == 'nexthdr':
            nh = rnd.choice([0, 1, 6, 17, 50, 255])
            pkt = esp.seal(inner, nexthdr=nh)
            sent.append(pkt)
            want['rx-malformed'] += 1
        elif kind == 'inner':
            pkt = esp.seal(bytes([0x65]) + inner[1:], nexthdr=4)
            sent.append(pkt)
            want['rx-malformed'] += 1
        elif kind == 'dummy':
            pkt = esp.seal(os.urandom(rnd.randrange(0, 64)), nexthdr=59)
            sent.append(pkt)
        elif kind == 'spoofed':
            pkt = esp.seal(echo('192.168.3.1', 8, i & 0xffff))
            sent.append(pkt)
            want['rx-spoofed'] += 1
        elif kind == 'replay':
            pkt = rnd.choice(sent)
            want['replay-drops'] += 1
        else:  # badspi
            pkt = esp.seal(inner, spi=0x7777)
            want['xfrm-nostates' if not over_udp else 'rx-no-sa'] += 1
        if over_udp:
            udp.sendto(bytes(pkt), (args.dst, 4500))
        else:
            raw.sendto(bytes(pkt), (args.dst, 0))
    print('# kinds: ' + json.dumps(kinds, sort_keys=True))
    print(json.dumps(want, sort_keys=True))


if __name__ == '__main__':
    main()
