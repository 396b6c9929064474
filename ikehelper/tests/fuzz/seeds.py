#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpus of pld_fuzz: IKEv2 messages built field by field
from RFC 7296 section 3 (and RFC 7383 2.5), the shapes strongSwan and the
native clients send (landscape.md section 4).  Usage: seeds.py DIR.

Next to them in corpus/pld/, strongswan-*: every IKE message of two real
exchanges between ikehelper and strongSwan 5.9 (ike.sh initiator_psk and
responder_psk, saved with `ESPIF_VM_ARTIFACTS=DIR make vm-test TEST=ike`),
the non-ESP marker removed.
"""
import os
import struct
import sys


def pld(ptype_next, body, critical=0):
    return struct.pack('!BBH', ptype_next, critical, 4 + len(body)) + body


def chain(items):
    """items: [(type, body)]; returns (first type, bytes)."""
    out = b''
    for i, (_, body) in enumerate(items):
        nxt = items[i + 1][0] if i + 1 < len(items) else 0
        out += pld(nxt, body)
    return (items[0][0] if items else 0), out


def hdr(first, exch, flags, msgid, body, spi_r=0):
    return struct.pack('!QQBBBBII', 0x1122334455667788, spi_r, first, 0x20,
                       exch, flags, msgid, 28 + len(body)) + body


def xform(last, ttype, tid, keylen=None):
    attrs = struct.pack('!HH', 0x800e, keylen) if keylen else b''
    return struct.pack('!BBHBBH', 0 if last else 3, 0, 8 + len(attrs),
                       ttype, 0, tid) + attrs


def proposal(last, num, proto, spi, xforms):
    body = b''.join(xform(i + 1 == len(xforms), *x) for i, x in enumerate(xforms))
    return struct.pack('!BBHBBBB', 0 if last else 2, 0, 8 + len(spi) + len(body),
                       num, proto, len(spi), len(xforms)) + spi + body


def sa(props):
    return b''.join(proposal(i + 1 == len(props), i + 1, *p) for i, p in enumerate(props))


def notify(ntype, data=b'', proto=0, spi=b''):
    return struct.pack('!BBH', proto, len(spi), ntype) + spi + data


def ts(entries):
    body = b''
    for fam, lo, hi in entries:
        alen = 4 if fam == 4 else 16
        body += struct.pack('!BBHHH', 7 if fam == 4 else 8, 0, 8 + 2 * alen,
                            0, 65535) + lo.rjust(alen, b'\0') + hi.rjust(alen, b'\xff')
    return struct.pack('!BBH', len(entries), 0, 0) + body


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    ike_props = [
        (1, b'', [(1, 20, 256), (2, 5), (4, 19)]),              # AES-GCM-16-256/SHA256/P-256
        (1, b'', [(1, 12, 256), (3, 12), (2, 5), (4, 14)]),     # Windows: AES-CBC-256/SHA256/MODP2048
        (1, b'', [(1, 28), (2, 7), (4, 31)]),                   # ChaCha20-Poly1305/SHA512/X25519
    ]
    seeds = {}
    first, body = chain([
        (33, sa(ike_props)),
        (34, struct.pack('!HH', 19, 0) + bytes(64)),
        (40, bytes(range(32))),
        (41, notify(16388, bytes(20))),   # NAT_DETECTION_SOURCE_IP
        (41, notify(16389, bytes(20))),   # NAT_DETECTION_DESTINATION_IP
        (41, notify(16430)),              # IKEV2_FRAGMENTATION_SUPPORTED
        (43, b'strongSwan'),
    ])
    seeds['ike_sa_init_req'] = hdr(first, 34, 0x08, 0, body)
    first, body = chain([(41, notify(16390, b'\x00\x01' + bytes(16)))])  # COOKIE
    seeds['ike_sa_init_cookie'] = hdr(first, 34, 0x20, 0, body)
    # IKE_AUTH: an SK payload whose first inner payload is IDi (35).
    sk = pld(35, bytes(16) + bytes(80) + bytes(16))
    seeds['ike_auth_sk'] = hdr(46, 35, 0x08, 1, sk, 0x99)
    # RFC 7383: fragment 1 of 3.
    skf = pld(35, struct.pack('!HH', 1, 3) + bytes(16) + bytes(64) + bytes(16))
    seeds['ike_auth_skf'] = hdr(53, 35, 0x08, 1, skf, 0x99)
    # Decrypted IKE_AUTH body, as a bare chain (first byte = first type).
    esp_props = [(3, b'\x11\x22\x33\x44', [(1, 20, 128), (5, 0)])]
    first, body = chain([
        (35, struct.pack('!BBBB', 2, 0, 0, 0) + b'client.example'),
        (39, struct.pack('!BBBB', 2, 0, 0, 0) + bytes(32)),
        (33, sa(esp_props)),
        (44, ts([(4, b'\x0a\x00\x00\x00', b'\x0a\x00\x00\xff'), (6, b'\x20\x01', b'\x20\x01')])),
        (45, ts([(4, b'', b'')])),
        (41, notify(16393)),              # USE_TRANSPORT_MODE
    ])
    seeds['ike_auth_inner'] = bytes([first]) + body
    first, body = chain([(42, struct.pack('!BBH', 3, 4, 2) + bytes(8))])
    seeds['informational_delete'] = bytes([first]) + body
    first, body = chain([(42, struct.pack('!BBH', 1, 0, 0))])
    seeds['informational_delete_ike'] = hdr(first, 37, 0x08, 2, body, 0x99)
    for name, data in seeds.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
