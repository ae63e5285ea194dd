#!/usr/bin/env python3.11
"""Writes the frontend fuzzer's seed corpus: a few dozen small real code objects from the
standard library (plus a few quickened ones), serialised in the harness's input format
(documented at the top of fuzz_frontend.cc), and the inputs of past findings.

    /usr/bin/python3.11 fuzz/frontend/make_corpus.py [OUTDIR]   # default fuzz/frontend/corpus

The same interpreter gives the same files, except for a few bytes of inline-cache content
(version tags) in the quickened seeds. Must run on CPython 3.11 (the bytecode the JIT
compiles).
"""
import os
import re
import struct
import sys

MAX_CODE_BYTES = 600          # only small code objects: the fuzzer mutates them quickly
PER_MODULE = 2
MODULES = [
    "bisect", "heapq", "textwrap", "string", "fnmatch", "posixpath", "colorsys", "copy",
    "functools", "operator", "base64", "json.encoder", "json.decoder", "contextlib", "shlex",
    "dataclasses", "enum", "random", "collections", "difflib", "ipaddress", "fractions",
]
CO_FAST_LOCAL, CO_FAST_CELL, CO_FAST_FREE = 0x20, 0x40, 0x80
CO_GENERATOR_LIKE = 0x20 | 0x80 | 0x100 | 0x200


def u16(n):
    return struct.pack("<H", n)


def section(tag, payload):
    assert len(payload) <= 0xFFFF, (tag, len(payload))
    return tag + u16(len(payload)) + payload


def localsplus_kinds(co):
    """co_localspluskinds, rebuilt as PyCode_NewWithPosOnlyArgs does (3.11 hides it)."""
    kinds = [CO_FAST_LOCAL] * len(co.co_varnames)
    for name in co.co_cellvars:
        if name in co.co_varnames:   # an argument that is also a cell: one merged slot
            kinds[co.co_varnames.index(name)] |= CO_FAST_CELL
        else:
            kinds.append(CO_FAST_CELL)
    kinds += [CO_FAST_FREE] * len(co.co_freevars)
    return bytes(kinds)


def const(value, depth=0):
    if value is None or depth > 4:
        return b"n"
    if value is True:
        return b"t"
    if value is False:
        return b"f"
    if value is Ellipsis:
        return b"."
    if isinstance(value, int):
        if -2**63 <= value < 2**63:
            return b"i" + struct.pack("<q", value)
        raw = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
        return b"I" + bytes([len(raw)]) + raw if len(raw) < 256 else b"n"
    if isinstance(value, float):
        return b"d" + struct.pack("<d", value)
    if isinstance(value, complex):
        return b"j" + struct.pack("<dd", value.real, value.imag)
    if isinstance(value, str):
        raw = value.encode("utf-8", "surrogatepass")[:0xFFFF]
        return b"s" + u16(len(raw)) + raw
    if isinstance(value, bytes):
        return b"b" + u16(len(value[:0xFFFF])) + value[:0xFFFF]
    if isinstance(value, (tuple, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, frozenset) else value
        items = list(items)[:255]
        tag = b"(" if isinstance(value, tuple) else b"{"
        return tag + bytes([len(items)]) + b"".join(const(v, depth + 1) for v in items)
    if hasattr(value, "co_code"):
        nested = serialise(value, depth + 1)
        return b"c" + u16(len(nested)) + nested if len(nested) <= 0xFFFF else b"n"
    return b"n"


def serialise(co, depth=0, quickened=False, clear_flags=0):
    code = co._co_code_adaptive if quickened else co.co_code
    out = bytes([co.co_argcount & 0xFF, co.co_posonlyargcount & 0xFF,
                 co.co_kwonlyargcount & 0xFF, 0])
    out += struct.pack("<IIHH", co.co_flags & ~clear_flags, co.co_stacksize,
                       co.co_firstlineno & 0xFFFF, 0)
    out += section(b"C", code)
    consts = b"".join(const(c, depth) for c in co.co_consts)
    out += section(b"K", consts)
    out += section(b"N", b"".join(n.encode("utf-8", "surrogatepass") + b"\0"
                                  for n in co.co_names))
    out += section(b"V", localsplus_kinds(co))
    out += section(b"X", co.co_exceptiontable)
    out += section(b"L", co.co_linetable)
    return out


def walk(co):
    yield co
    for c in co.co_consts:
        if hasattr(c, "co_code"):
            yield from walk(c)


def features(co):
    """Coarse traits, so the pick covers handlers, closures, calls with keywords, ..."""
    import dis
    ops = {i.opname for i in dis.get_instructions(co)}
    traits = set()
    if co.co_exceptiontable:
        traits.add("except")
    if co.co_cellvars or co.co_freevars:
        traits.add("closure")
    if co.co_flags & CO_GENERATOR_LIKE:
        traits.add("generator")
    for op in ("KW_NAMES", "FOR_ITER", "BUILD_MAP", "CALL_FUNCTION_EX", "BEFORE_WITH",
               "EXTENDED_ARG", "MAKE_FUNCTION", "FORMAT_VALUE", "UNPACK_SEQUENCE",
               "LOAD_NAME", "BINARY_SUBSCR", "STORE_ATTR", "COMPARE_OP", "JUMP_BACKWARD",
               "RAISE_VARARGS", "LIST_APPEND", "IMPORT_NAME", "MATCH_CLASS", "BUILD_SLICE"):
        if op in ops:
            traits.add(op)
    return traits


def pick_stdlib():
    import importlib.util
    picked, covered = [], set()
    for modname in MODULES:
        spec = importlib.util.find_spec(modname)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            continue
        with open(spec.origin, "rb") as f:
            top = compile(f.read(), spec.origin, "exec")
        candidates = [co for co in walk(top) if len(co.co_code) <= MAX_CODE_BYTES]
        # Prefer code objects that bring traits not seen yet, then the larger ones.
        candidates.sort(key=lambda co: (-len(features(co) - covered), -len(co.co_code),
                                        co.co_qualname))
        for co in candidates[:PER_MODULE]:
            covered |= features(co)
            picked.append((f"{modname}.{co.co_qualname}", co))
    return picked


def quickened():
    """A few functions run until CPython 3.11 has specialised them (adaptive bytecode)."""
    src = '''
def arith(a, b):
    x = a + b * 2 - 1
    return x if x < 10 ** 6 else -x
def floats(x, y):
    return (x * y + 0.5) - x / (y or 1.0)
def strings(s, t):
    return (s + t)[1:] + f"{len(s)}"
def loops(n):
    total = 0
    for i in range(n):
        if i % 3 == 0:
            continue
        total += i
    return total
def containers(xs, d):
    a, b = xs[0], xs[-1]
    d["k"] = a
    return [x * 2 for x in xs if x] + [d["k"], (a, b)[1]]
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y
    def norm(self):
        return abs(self.x) + abs(self.y)
def attrs(p):
    return p.norm() + p.x + len(str(p.y))
def calls(f, *args, **kw):
    try:
        return f(*args, **kw) + max(1, 2, key=lambda v: -v)
    except (TypeError, ValueError) as e:
        return str(e)
'''
    ns = {}
    exec(compile(src, "<fefuzz-quickened>", "exec"), ns)
    for _ in range(2000):
        ns["arith"](3, 4)
        ns["floats"](1.5, 2.5)
        ns["strings"]("ab", "cd")
        ns["loops"](10)
        ns["containers"]([1, 2, 3], {})
        ns["attrs"](ns["Point"](1, 2))
        ns["calls"](pow, 2, 3)
    names = ["arith", "floats", "strings", "loops", "containers", "attrs", "calls"]
    out = [(f"quickened.{n}", ns[n].__code__) for n in names]
    out.append(("quickened.Point.__init__", ns["Point"].__init__.__code__))
    return out


def hostile(code, stacksize, table=b"", consts=b"n"):
    """A hand-made input: no arguments, no locals, one None constant by default."""
    out = bytes(4) + struct.pack("<IIHH", 0, stacksize, 1, 0)
    return out + section(b"C", bytes(code)) + section(b"K", consts) + section(b"X", table)


def regressions():
    """The inputs of the bugs the fuzzer found (tests/cpp/test_frontend_regressions.cc), so
    every campaign starts from them."""
    import dis
    op = dis.opmap
    return [
        # Finding 1: a 2**28-item UNPACK_SEQUENCE in a huge frame (int overflow in the
        # emitter's frame offsets).
        ("regress-huge-stack", hostile(
            [op["RESUME"], 0, op["LOAD_CONST"], 0, op["EXTENDED_ARG"], 0x10,
             op["EXTENDED_ARG"], 0, op["EXTENDED_ARG"], 0, op["UNPACK_SEQUENCE"], 0, 0, 0,
             op["LOAD_CONST"], 0, op["RETURN_VALUE"], 0], 0x7FFFFFFF)),
        # Finding 2: a handler level above what a failing BINARY_OP leaves on the stack.
        ("regress-handler-level", hostile(
            [op["RESUME"], 0, op["LOAD_CONST"], 0, op["LOAD_CONST"], 0, op["BINARY_OP"], 0,
             0, 0, op["RETURN_VALUE"], 0, op["RETURN_VALUE"], 0], 2,
            table=bytes([0x80 | 3, 1, 6, 2]))),
        # Finding 3: a handler boundary between COMPARE_OP and its POP_JUMP.
        ("regress-compare-handler", hostile(
            [op["RESUME"], 0, op["LOAD_CONST"], 0, op["LOAD_CONST"], 0, op["COMPARE_OP"], 2,
             0, 0, 0, 0, op["POP_JUMP_FORWARD_IF_FALSE"], 2, op["LOAD_CONST"], 0,
             op["RETURN_VALUE"], 0, op["LOAD_CONST"], 0, op["RETURN_VALUE"], 0,
             op["RETURN_VALUE"], 0], 2, table=bytes([0x80 | 6, 1, 11, 0]))),
    ]


def main():
    assert sys.version_info[:2] == (3, 11), "the corpus must come from CPython 3.11"
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "corpus")
    os.makedirs(outdir, exist_ok=True)
    for old in os.listdir(outdir):
        if old.startswith(("seed-", "regress-")):
            os.remove(os.path.join(outdir, old))
    total = 0
    entries = [(n, co, False, 0) for n, co in pick_stdlib()]
    # Generator bodies with the generator flags cleared: the JIT refuses generator code
    # up front, so only this way do their opcodes (RETURN_GENERATOR, YIELD_VALUE, SEND,
    # ...) reach the frontend and the lowering.
    entries += [(n + ".noflags", co, False, CO_GENERATOR_LIKE) for n, co, _, _ in entries
                if co.co_flags & CO_GENERATOR_LIKE]
    entries += [(n, co, True, 0) for n, co in quickened()]
    for name, co, quick, clear in entries:
        data = serialise(co, quickened=quick, clear_flags=clear)
        fname = "seed-" + re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        with open(os.path.join(outdir, fname), "wb") as f:
            f.write(data)
        total += len(data)
    for fname, data in regressions():
        with open(os.path.join(outdir, fname), "wb") as f:
            f.write(data)
        total += len(data)
    print(f"{len(entries)} seeds and {len(regressions())} regression inputs, {total} bytes "
          f"in {outdir}")


if __name__ == "__main__":
    main()
