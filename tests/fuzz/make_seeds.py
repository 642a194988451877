#!/usr/bin/env python3
"""Writes the committed seed corpus (seeds/<target>/) from tests/fixtures.

Each seed is a 4-byte control prefix (see src/lib.rs: options byte, three chunk-size bytes)
followed by a fixture file, or a small variant of one made here. Run from tests/fuzz/:
    python3 make_seeds.py
"""
import gzip
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")


def fixture(*p):
    with open(os.path.join(ROOT, *p), "rb") as f:
        return f.read()


def write(target, name, ctl, payload):
    d = os.path.join("seeds", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes(ctl) + payload)


# ---- csv: (ctl, payload); ctl[0] = options (0 = all guessed), ctl[1..3] = chunk sizes.
seed001 = fixture("ingest", "seed001.csv")
write("csv", "seed001.csv", [0, 7, 40, 3], seed001)
write("csv", "seed001_crlf_nolabel.csv", [0, 0, 0, 0], fixture("ingest", "seed001_crlf_nolabel.csv"))
write("csv", "zeek_conn.log", [0, 13, 99, 1], fixture("ingest", "zeek_conn.log"))
write("csv", "zeek_conn.ndjson", [0, 5, 17, 2], fixture("ingest", "zeek_conn.json"))
write("csv", "seed000.json", [0, 63, 255, 0], fixture("ingest", "seed000.json"))
write("csv", "nslkdd_small.txt", [0, 20, 80, 1], fixture("ingest", "nslkdd_small.txt"))
write("csv", "semicolon.csv", [0x18, 3, 3, 3], fixture("ingest", "generic_semicolon.csv"))
write("csv", "latin1.csv", [0, 1, 2, 0], fixture("ingest", "latin1.csv"))
write("csv", "cic2017.csv", [0x21, 9, 60, 0], fixture("ingest", "cic2017.csv"))
write("csv", "seed001.csv.gz", [0, 11, 30, 0], gzip.compress(seed001, mtime=0))
write("csv", "seed004_utf16le.csv", [0, 4, 4, 4],
      b"\xff\xfe" + fixture("ingest", "seed004.csv").decode("utf-8").encode("utf-16-le"))

# ---- pcap: ctl[0] bit 0 = tiny flow timeouts/table.
hs = fixture("pcap", "handshake.pcap")
write("pcap", "handshake_le_us.pcap", [0, 16, 40, 0], hs)
# The same records with the nanosecond magic (timestamps then read as ns).
write("pcap", "handshake_le_ns.pcap", [1, 24, 15, 1], b"\x4d\x3c\xb2\xa1" + hs[4:])


def records(cap):
    """(ts_s, ts_frac, incl, orig, frame) of a little-endian classic pcap."""
    out, pos = [], 24
    while pos + 16 <= len(cap):
        s, f, incl, orig = struct.unpack_from("<IIII", cap, pos)
        out.append((s, f, incl, orig, cap[pos + 16:pos + 16 + incl]))
        pos += 16 + incl
    return out


def pcap(recs, link, be=False, strip=0, pre=b""):
    e = ">" if be else "<"
    b = struct.pack(e + "IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, link)
    for s, f, _incl, orig, frame in recs:
        fr = pre + frame[strip:]
        b += struct.pack(e + "IIII", s, f, len(fr), orig - strip + len(pre)) + fr
    return b


recs = records(hs)
write("pcap", "handshake_be.pcap", [0, 2, 200, 3], pcap(recs, 1, be=True))
# Raw IPv4 (linktype 101) and BSD loopback (0, AF_INET = 2 in host order): the Ethernet header
# stripped.
write("pcap", "handshake_raw.pcap", [1, 50, 7, 2], pcap(recs[:4], 101, strip=14))
write("pcap", "handshake_loop.pcap", [0, 3, 90, 0], pcap(recs[:4], 0, strip=14, pre=b"\x02\0\0\0"))
write("pcap", "sample_le.pcapng", [0, 31, 64, 1], fixture("pcap", "sample_le.pcapng"))
write("pcap", "sample_be.pcapng", [1, 8, 100, 0], fixture("pcap", "sample_be.pcapng"))
# Every capture variant of tests/fixtures/captures (modified pcap, LOOP, DLT_RAW 12, MPLS, PPPoE,
# fragments, multi-section pcapng with if_tsoffset, SLL/SLL2), with varied chunk sizes.
for i, name in enumerate(sorted(os.listdir(os.path.join(ROOT, "captures")))):
    write("pcap", "cap_" + name, [i % 2, (i * 7) % 64, (i * 37) % 256, i % 16], fixture("captures", name))
