#!/usr/bin/env python3
"""Writes a large synthetic classic pcap (Ethernet/IPv4/TCP+UDP) for the ingest benchmark.

    python3 tests/e2e/gen_pcap.py OUT.pcap SIZE_MB [SEED]

Deterministic for a seed: clients 10.0.x.y talk to 50 servers on a few ports; each flow is a
short TCP exchange (SYN, data both ways, FIN) or a UDP request/answer, packets 1 ms apart.
No checksums (readers do not need them). Not a test fixture: a load generator only.
"""
import random
import struct
import sys


def main():
    out, size_mb = sys.argv[1], float(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    target = int(size_mb * 1e6)
    eth = bytes.fromhex("020000000001020000000002") + b"\x08\x00"
    written = 0
    t_us = 1_735_689_600 * 1_000_000
    buf = bytearray()
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        written += 24
        flow = 0
        while written < target:
            flow += 1
            cip = bytes([10, 0, (flow >> 8) & 0xFF, flow & 0xFF])
            sip = bytes([192, 168, 1, rng.randrange(1, 51)])
            sport = 1024 + (flow * 7919) % 60000
            udp = rng.random() < 0.2
            dport = 53 if udp else rng.choice((80, 443, 22, 8080))
            n = 2 if udp else rng.randrange(6, 40)
            for i in range(n):
                to_server = i % 2 == 0
                payload = 0 if (not udp and i in (0, n - 1)) else rng.randrange(20, 400)
                src, dst = (cip, sip) if to_server else (sip, cip)
                sp, dp = (sport, dport) if to_server else (dport, sport)
                if udp:
                    l4 = struct.pack(">HHHH", sp, dp, 8 + payload, 0)
                    proto = 17
                else:
                    flags = 0x02 if i == 0 else (0x11 if i == n - 1 else 0x18)
                    l4 = struct.pack(">HHIIBBHHH", sp, dp, i, i, 0x50, flags, 65535, 0, 0)
                    proto = 6
                total = 20 + len(l4) + payload
                ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, flow & 0xFFFF, 0, 64, proto, 0, src, dst)
                frame = eth + ip + l4 + bytes(payload)
                t_us += 1000
                buf += struct.pack("<IIII", t_us // 1_000_000, t_us % 1_000_000, len(frame), len(frame))
                buf += frame
            if len(buf) > 1 << 22:
                f.write(buf)
                written += len(buf)
                buf = bytearray()
        f.write(buf)


if __name__ == "__main__":
    main()
