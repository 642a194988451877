// Packet captures through the worker's file path: a 24 MB capture written here (so it spans many
// of the reader's growing slices, 1 MiB doubling to 16 MiB, read on the helper thread) gives
// exactly its packets and flows; a length field damaged deep in the file (in a later slice) is
// reported with its byte offset; a committed fixture with MPLS, PPPoE, stacked VLAN tags, IPv4
// fragments, IPv6 extension headers and ICMPv6 (tests/fixtures/captures/encapsulations.pcap)
// gives every packet.

import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES, expect, expectEq, screenshot, statNumber } from "../helpers.mjs";

const PACKETS = 24_000;
const FLOWS = 480;
const PAYLOAD = 958; // 14 + 20 + 8 + 958 = 1000-byte frames

/** A little-endian microsecond pcap of `PACKETS` UDP frames, one per millisecond, spread over
 *  `FLOWS` source ports (so `FLOWS` flows, none idle long enough to split). */
function capture() {
  const frame = 14 + 20 + 8 + PAYLOAD;
  const buf = Buffer.alloc(24 + PACKETS * (16 + frame));
  buf.writeUInt32LE(0xa1b2c3d4, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(65535, 16);
  buf.writeUInt32LE(1, 20);
  let at = 24;
  for (let i = 0; i < PACKETS; i++) {
    const ms = 1_700_000_000_000 + i;
    buf.writeUInt32LE(Math.floor(ms / 1000), at);
    buf.writeUInt32LE((ms % 1000) * 1000, at + 4);
    buf.writeUInt32LE(frame, at + 8);
    buf.writeUInt32LE(frame, at + 12);
    const f = at + 16;
    buf.writeUInt16BE(0x0800, f + 12);
    const ip = f + 14;
    buf[ip] = 0x45;
    buf.writeUInt16BE(20 + 8 + PAYLOAD, ip + 2);
    buf[ip + 8] = 64;
    buf[ip + 9] = 17;
    buf.set([10, 0, 0, 5], ip + 12);
    buf.set([10, 0, 1, 9], ip + 16);
    const udp = ip + 20;
    buf.writeUInt16BE(20_000 + (i % FLOWS), udp);
    buf.writeUInt16BE(5353, udp + 2);
    buf.writeUInt16BE(8 + PAYLOAD, udp + 4);
    at += 16 + frame;
  }
  return buf;
}

async function load(page, path) {
  await page.setInputFiles("#ns-file", path);
  await page.waitForFunction(
    () => document.querySelector("#ns-dataset-facts") || document.querySelector(".ns-banner--error"),
    null,
    { timeout: 60_000 },
  );
}

export default function register(spec) {
  spec("captures: a 24 MB pcap in growing slices gives every packet and flow", async ({ page, log }) => {
    await page.goto("/");
    const dir = await mkdtemp(join(tmpdir(), "ns-captures-"));
    const bytes = capture();
    const path = join(dir, "slices.pcap");
    await writeFile(path, bytes);
    await load(page, path);
    const facts = await page.locator("#ns-dataset-facts").innerText();
    log(facts);
    expect(
      facts.includes(`: ${PACKETS} packets → ${FLOWS} bidirectional flows`),
      `all ${PACKETS} packets and ${FLOWS} flows: ${facts}`,
    );
    expectEq(await statNumber(page, "dataset-rows"), FLOWS, "one row per flow");
    const readMs = Number(await page.getAttribute("#ns-dataset-facts", "data-read-ms"));
    expect(Number.isFinite(readMs) && readMs >= 0, `read time reported (${readMs})`);
    await screenshot(page, "captures-slices");

    // Damage the captured-length field of the record that starts past the first 7 MiB (the
    // fourth slice: 1 + 2 + 4 MiB before it): the error names that field's byte offset.
    const rec = 16 + 14 + 20 + 8 + PAYLOAD;
    const k = Math.ceil((7 * 1024 * 1024 + 1 - 24) / rec);
    const off = 24 + k * rec;
    const broken = Buffer.from(bytes);
    broken.writeUInt32LE(0x7fffffff, off + 8);
    const badPath = join(dir, "broken.pcap");
    await writeFile(badPath, broken);
    await load(page, badPath);
    const banner = await page.locator(".ns-banner--error").innerText();
    log(banner);
    expect(banner.includes("broken.pcap"), `the error names the file: ${banner}`);
    expect(banner.includes(`byte ${off + 8}`), `the error names byte ${off + 8}: ${banner}`);
    expect(banner.includes("captured bytes"), `the error says what is wrong: ${banner}`);
  });

  spec("captures: MPLS, PPPoE, VLAN, fragments, IPv6 extension headers and ICMPv6 all read", async ({ page, log }) => {
    await page.goto("/");
    await load(page, join(FIXTURES, "captures/encapsulations.pcap"));
    const facts = await page.locator("#ns-dataset-facts").innerText();
    log(facts);
    // 8 frames, all IP: the three 192.168.1.10 → .1:22 SYNs are one flow, the two fragments one
    // UDP flow, then one UDP/IPv6, one TCP/IPv6 and one ICMPv6 flow.
    expect(/: 8 packets → 5 bidirectional flows/.test(facts), `8 packets, 5 flows: ${facts}`);
    expectEq(await statNumber(page, "dataset-rows"), 5, "rows");
    expectEq(await page.locator(".ns-banner--error").count(), 0, "no error");
  });
}
