#!/usr/bin/env python3
"""Writes a corpus of hostile and malformed input files for netsift (issue 17).

    python3 tests/hostile/gen.py OUT_DIR

Python 3 standard library only; nothing large is committed: a run writes about 40 MB, most of
it the 10 MB line and the 100,000-column CSV, in well under a second or two. Each file name says
what it is; `expect.tsv` lists, per file, what a correct reader must say: `ok` (loads),
`refused` (an error naming the file), or `refused-at` (an error naming the file and a line, byte or
column). The native runner (`tests/engine/hostile.rs`) reads that list.

The gzip bombs are multi-member files: one compressed member of 16 MiB repeated, so a 2 GB
expansion costs seconds to write, not minutes.
"""

import gzip
import io
import json
import os
import struct
import sys
import zlib

SPAN = '<span style="fill:url(https://evil.example/p.svg#g);cursor:url(https://evil.example/c.cur)">'
LINK = '<a href="https://evil.example/phish">x</a>'
IMG = "<img src=https://evil.example/m.png>"
ESC = "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07\x1b[2J\x1b[31m"


def member(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def bomb(unit: bytes, total: int) -> bytes:
    block = unit * ((16 << 20) // len(unit))
    m = member(block)
    return m * (total // len(block))


def csv_cell(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def pcap(packets):
    """A classic little-endian microsecond pcap (Ethernet) of the given frames."""
    out = io.BytesIO()
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, frame in enumerate(packets):
        out.write(struct.pack("<IIII", 1_700_000_000 + i, 0, len(frame), len(frame)))
        out.write(frame)
    return out.getvalue()


def udp_frame(i: int) -> bytes:
    payload = b"x" * 32
    udp = struct.pack(">HHHH", 40000 + i % 5, 53, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1 + i % 3]), bytes([10, 0, 1, 1]))
    eth = b"\x00\x11\x22\x33\x44\x55" + b"\x66\x77\x88\x99\xaa\xbb" + b"\x08\x00"
    return eth + ip + udp


def flows_csv(rows=60, extra_header="", extra=lambda i: ""):
    lines = ["timestamp,src_ip,dst_ip,dst_port,protocol,bytes,packets" + extra_header]
    for i in range(rows):
        lines.append(f"{1_700_000_000 + i * 5},10.0.0.{i % 7},10.0.1.{i % 3},{[80, 443, 53][i % 3]},"
                     f"tcp,{500 + (i * 37) % 300},{3 + i % 4}" + extra(i))
    return "\n".join(lines) + "\n"


def main(out_dir: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    expect = []

    def put(name: str, data, what: str) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
        expect.append((name, what))

    # Decompression bombs.
    put("bomb-2gb-csv.csv.gz", member(b"a,b\n") + bomb(b"0,0\n", 2 << 30), "refused")
    put("bomb-ndjson.json.gz", bomb(b'{"a":1}\n', 1 << 30), "refused")
    put("gzip-trailing-garbage.csv.gz", member(flows_csv().encode()) + b"GARBAGE\x00\x01", "ok")
    put("gzip-truncated.csv.gz", member(flows_csv().encode())[:-12], "refused")
    put("gzip-corrupt.csv.gz", member(flows_csv().encode())[:30] + b"\xff" * 40, "refused")

    # JSON.
    keys = "\n".join(json.dumps({f"k{r}_{j}": j for j in range(1000)}) for r in range(130))
    put("ndjson-130k-keys.json", keys + "\n", "refused")
    good = [json.dumps({"ts": 1_700_000_000 + i, "src_ip": f"10.0.0.{i % 5}", "bytes": 100 + i})
            for i in range(80)]
    put("ndjson-bad-first-line.json", '{"ts": 1, "src_ip": ,}\n' + "\n".join(good) + "\n", "ok")
    put("ndjson-unterminated-first-line.json", '{"ts": "1\n' + "\n".join(good) + "\n", "ok")
    put("json-array-of-numbers.json", "[1,2,3]\n", "refused")
    put("json-null.json", "null\n", "refused")
    put("json-deep.json", "[" * 100_000 + "]" * 100_000, "refused")

    # Lines and columns.
    put("line-10mb.csv", "a,b\n1," + "9" * (10 << 20) + "\n2,3\n", "refused-at")
    put("columns-100k.csv", ",".join(f"c{i}" for i in range(100_000)) + "\n" +
        ",".join("1" for _ in range(100_000)) + "\n", "refused-at")
    # Read up to the end of the file inside the quote: one bad row, counted (issue 17 wants the
    # line where the quote opens named; not done yet).
    put("unterminated-quote.csv", 'a,b,c\n1,2,3\n4,"five,6\n' + "7,8,9\n" * 80, "ok")

    # Cells.
    put("huge-cells.csv", flows_csv(extra_header=",rate", extra=lambda i: ",1e300" if i == 7 else f",{i % 9}.5"), "ok")
    put("huge-cells-1e154.csv", flows_csv(extra_header=",rate", extra=lambda i: ",1e154" if i % 20 == 3 else f",{i % 9}.5"), "ok")
    put("inf-nan-cells.csv", flows_csv(extra_header=",rate",
                                       extra=lambda i: [",inf", ",-inf", ",NaN", ",1e999"][i % 4] if i % 5 == 0 else f",{i}"), "ok")
    put("hostile-strings.csv", flows_csv(extra_header="," + csv_cell("kind" + LINK) + "," + csv_cell("esc" + ESC),
                                         extra=lambda i: "," + csv_cell([SPAN, LINK, IMG][i % 3]) + ","
                                         + csv_cell(ESC if i % 30 == 0 else "plain")), "ok")
    # Control characters in most cells: read as a binary file, refused with the byte offset.
    put("control-characters.csv", flows_csv(extra_header=",esc", extra=lambda i: "," + csv_cell(ESC)), "refused-at")
    put("only-header.csv", "a,b,c\n", "refused-at")
    put("empty.csv", "", "refused")
    put("nul-bytes.csv", b"a,b\n\x00\x00\x00\x00" * 1000, "refused")

    # Captures and things that pretend to be one.
    frames = [udp_frame(i) for i in range(40)]
    cap = pcap(frames)
    put("capture.pcap.gz", member(cap), "ok")
    put("capture-truncated.pcap", cap[: len(cap) - 20], "ok")
    put("capture-bad-length.pcap", cap[:24] + struct.pack("<IIII", 1, 0, 0x7FFFFFF0, 0x7FFFFFF0) + cap[40:], "refused-at")
    put("bad-magic.pcap", b"\xd4\xc3\xb2\xa0" + cap[4:], "refused")
    put("truncated-header.pcapng", b"\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x4d\x3c", "refused")
    put("zip-renamed.pcap", b"PK\x03\x04" + zlib.compress(b"not a capture" * 50), "refused")
    put("png-renamed.pcap", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "refused")

    with open(os.path.join(out_dir, "expect.tsv"), "w") as f:
        for name, what in expect:
            f.write(f"{name}\t{what}\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
