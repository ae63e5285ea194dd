"""Disassembly of compiled functions, annotated with the bytecode they came from.

    python -m pyjion_x64.dis module:function     # or, from Python:
    pyjion_x64.dis.dis(f)                         # prints; dis_text(f) returns the text

Uses binutils' objdump (Debian package binutils) to decode the machine code that
pyjion_x64.native(f) returns; each bytecode instruction's stencil is headed by its offset
and name, and helper calls are named.
"""
import importlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pyjion_x64

_LINE = re.compile(r"^\s*([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s*(.*)$")


def _objdump(code, address):
    objdump = shutil.which("objdump")
    if objdump is None:
        raise RuntimeError("pyjion_x64.dis needs objdump (Debian package binutils)")
    with tempfile.NamedTemporaryFile(suffix=".bin", delete=False) as f:
        f.write(code)
        path = f.name
    try:
        out = subprocess.run([objdump, "-D", "-b", "binary", "-mi386:x86-64", "-M", "intel",
                              "--adjust-vma=%#x" % address, path],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    rows = []
    for line in out.splitlines():
        m = _LINE.match(line)
        if m and m.group(2).strip():  # skip the byte-only continuation lines
            rows.append((int(m.group(1), 16) - address, m.group(2).strip()))
    return rows


def dis_text(func):
    """The annotated disassembly of a compiled function or code object, as a string."""
    native = pyjion_x64.native(func)
    if native is None:
        reason = pyjion_x64.info(func)["reason"]
        return "not compiled: %s\n" % reason
    code, address, notes = native
    by_offset = {}
    for offset, text in notes:
        by_offset.setdefault(offset, []).append(text)
    lines = []
    for offset, text in _objdump(code, address):
        for note in by_offset.pop(offset, ()):
            lines.append(("; " + note) if note.startswith("call ") else ("\n# " + note))
        lines.append("  %06x  %s" % (offset, text))
    return "\n".join(lines).lstrip("\n") + "\n"


def dis(func, file=None):
    (file or sys.stdout).write(dis_text(func))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or ":" not in argv[0]:
        sys.exit("usage: python -m pyjion_x64.dis module:function")
    module_name, _, attr = argv[0].partition(":")
    obj = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    pyjion_x64.jit(obj)
    print("note: the function must have run once under the JIT to be compiled")
    dis(obj)


if __name__ == "__main__":
    main()
