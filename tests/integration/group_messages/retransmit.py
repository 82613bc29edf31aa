#!/usr/bin/env python3
"""Sends one group MESSAGE to the IM server as the SIP/IP core would, then its
UDP retransmissions (the same datagram: same Via branch, CSeq, Call-ID), and
counts what each recipient got.

The IM server believes P-Asserted-Identity only from the core's address and
port, which the core itself holds, so the datagrams are written on a raw
socket with the core's source address (needs CAP_NET_RAW: the tests run as
root in their own network namespace). The Via names our own port, where the
IM server's replies arrive.

  retransmit.py CORE_HOST:PORT IM_HOST:PORT FROM_AOR GROUP_AOR GAPS_MS RECIPIENT_PORT...

GAPS_MS: comma-separated delays before each retransmission (e.g. "0,600").
Prints "replies CODE,CODE,..." and "port N: M" per recipient port.
"""
import select
import socket
import struct
import sys
import time
import uuid

REPLY_PORT = 5099


def addr(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def udp_datagram(src, dst, payload):
    """An IPv4 + UDP datagram from src to dst (UDP checksum 0: none, allowed in IPv4)."""
    udp = struct.pack("!HHHH", src[1], dst[1], 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, socket.IPPROTO_UDP, 0,
                     socket.inet_aton(src[0]), socket.inet_aton(dst[0]))
    return ip + udp


def answer(request):
    """A 200 OK to a MESSAGE copy (the headers a UAS copies, plus a To tag)."""
    head = request.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    keep = [h for h in head[1:] if h.split(b":", 1)[0].strip().lower() in (b"via", b"from", b"to", b"call-id", b"cseq")]
    keep = [h + b";tag=uas" if h.lower().startswith(b"to:") else h for h in keep]
    return b"SIP/2.0 200 OK\r\n" + b"\r\n".join(keep) + b"\r\nContent-Length: 0\r\n\r\n"


def main():
    core, im, sender, group, gaps = addr(sys.argv[1]), addr(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    ports = [int(p) for p in sys.argv[6:]]
    body = b"Hello group"
    branch = "z9hG4bK-retrans-" + uuid.uuid4().hex[:12]
    message = (
        f"MESSAGE {group} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{REPLY_PORT};branch={branch}\r\n"
        f"From: <{sender}>;tag=retrans\r\n"
        f"To: <{group}>\r\n"
        f"Call-ID: retrans-{uuid.uuid4().hex}@127.0.0.1\r\n"
        "CSeq: 1 MESSAGE\r\n"
        "Max-Forwards: 69\r\n"
        f"P-Asserted-Identity: <{sender}>\r\n"
        "Accept-Contact: *;+g.oma.sip-im\r\n"
        "Content-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body

    replies = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    replies.bind(("127.0.0.1", REPLY_PORT))
    recipients = {}
    for port in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", port))
        recipients[s] = port
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    datagram = udp_datagram(core, im, message)

    codes, got = [], {port: 0 for port in ports}
    sends = [0.0] + [float(g) / 1000 for g in gaps.split(",") if g]
    start = time.monotonic()
    due = [start + sum(sends[: i + 1]) for i in range(len(sends))]
    end = due[-1] + 2.5  # time for late copies of a second explosion
    while time.monotonic() < end:
        while due and time.monotonic() >= due[0]:
            raw.sendto(datagram, (im[0], 0))
            due.pop(0)
        wait = max(0.0, min([end] + due) - time.monotonic())
        readable, _, _ = select.select([replies] + list(recipients), [], [], wait)
        for s in readable:
            data, source = s.recvfrom(65535)
            if s is replies:
                if data.startswith(b"SIP/2.0 "):
                    codes.append(data.split(b" ", 2)[1].decode())
            elif data.startswith(b"MESSAGE "):
                got[recipients[s]] += 1
                s.sendto(answer(data), source)
    print("replies " + ",".join(codes))
    for port in ports:
        print(f"port {port}: {got[port]}")


main()
