#!/usr/bin/env python3.11
"""Prints a frontend-fuzzer input (a reproducer or a corpus file) in readable form: the
header, the bytecode disassembled unit by unit, the exception table entries, the names, the
localsplus kinds and the constants. For triage; the format is documented at the top of
fuzz_frontend.cc.

    /usr/bin/python3.11 fuzz/frontend/show_input.py crash-<sha1>
"""
import dis
import struct
import sys


def sections(data):
    pos = 16
    while pos < len(data):
        tag = data[pos]
        size = int.from_bytes(data[pos + 1:pos + 3].ljust(2, b"\0"), "little")
        yield chr(tag), data[pos + 3:pos + 3 + size]
        pos += 3 + size


def varint(data, pos):
    b = data[pos]
    value = b & 63
    pos += 1
    while b & 64:
        b = data[pos]
        value = (value << 6) | (b & 63)
        pos += 1
    return value, pos


def exception_entries(table):
    pos = 0
    try:
        while pos < len(table):
            start, pos = varint(table, pos)
            size, pos = varint(table, pos)
            target, pos = varint(table, pos)
            dl, pos = varint(table, pos)
            yield f"  units [{start}, {start + size}) -> {target}, depth {dl >> 1}" + \
                (", lasti" if dl & 1 else "")
    except IndexError:
        yield f"  (truncated at byte {pos})"


def main(path):
    data = open(path, "rb").read()
    head = data[:16].ljust(16, b"\0")
    flags, stacksize, firstline = struct.unpack_from("<IIH", head, 4)
    print(f"argcount {head[0]} posonly {head[1]} kwonly {head[2]} "
          f"flags {flags & 0x7fffffff:#x} stacksize {stacksize & 0x7fffffff} line {firstline}")
    parts = {}
    for tag, payload in sections(data):
        parts[tag] = parts.get(tag, b"") + payload
    code = parts.get("C", b"")
    code = code[:len(code) // 2 * 2]
    print(f"code: {len(code) // 2} units")
    for unit in range(len(code) // 2):
        op, arg = code[2 * unit], code[2 * unit + 1]
        print(f"  {unit:5d}  {dis.opname[op]:<28} {arg}")
    print("exception table:")
    for line in exception_entries(parts.get("X", b"")):
        print(line)
    print("names:", parts.get("N", b"").split(b"\0"))
    print("kinds:", parts.get("V", b"").hex(" "))
    print("consts (raw):", parts.get("K", b"")[:200])


if __name__ == "__main__":
    main(sys.argv[1])
