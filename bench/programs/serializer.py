"""A pure-Python binary serializer: nested dicts/lists/tuples of ints, strs,
floats, bools and None are encoded with one-byte tags, zigzag varints and
length prefixes into a bytearray, then decoded back by a cursor-based
reader; the round trip is checked for equality."""

import random
import struct
import zlib

N = 360
EXPECTED = (4035897455, 4804200)

T_NONE, T_TRUE, T_FALSE, T_INT, T_FLOAT, T_STR, T_LIST, T_DICT, T_TUPLE, T_BYTES = range(10)
_DOUBLE = struct.Struct(">d")


class Encoder:
    def __init__(self):
        self.out = bytearray()

    def varint(self, n):
        out = self.out
        while n >= 0x80:
            out.append((n & 0x7F) | 0x80)
            n >>= 7
        out.append(n)

    def encode(self, value):
        out = self.out
        if value is None:
            out.append(T_NONE)
        elif value is True:
            out.append(T_TRUE)
        elif value is False:
            out.append(T_FALSE)
        elif isinstance(value, int):
            out.append(T_INT)
            self.varint(value * 2 if value >= 0 else -value * 2 - 1)
        elif isinstance(value, float):
            out.append(T_FLOAT)
            out += _DOUBLE.pack(value)
        elif isinstance(value, str):
            data = value.encode("utf-8")
            out.append(T_STR)
            self.varint(len(data))
            out += data
        elif isinstance(value, bytes):
            out.append(T_BYTES)
            self.varint(len(value))
            out += value
        elif isinstance(value, (list, tuple)):
            out.append(T_LIST if isinstance(value, list) else T_TUPLE)
            self.varint(len(value))
            for item in value:
                self.encode(item)
        elif isinstance(value, dict):
            out.append(T_DICT)
            self.varint(len(value))
            for key, item in value.items():
                self.encode(key)
                self.encode(item)
        else:
            raise TypeError(f"cannot encode {type(value).__name__}")
        return self


class Decoder:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def varint(self):
        data = self.data
        shift = 0
        result = 0
        while True:
            b = data[self.pos]
            self.pos += 1
            result |= (b & 0x7F) << shift
            if b < 0x80:
                return result
            shift += 7

    def decode(self):
        tag = self.data[self.pos]
        self.pos += 1
        if tag == T_INT:
            z = self.varint()
            return z >> 1 if not z & 1 else -((z + 1) >> 1)
        if tag == T_STR:
            n = self.varint()
            start = self.pos
            self.pos += n
            return self.data[start:self.pos].decode("utf-8")
        if tag == T_LIST or tag == T_TUPLE:
            n = self.varint()
            items = [self.decode() for _ in range(n)]
            return items if tag == T_LIST else tuple(items)
        if tag == T_DICT:
            n = self.varint()
            result = {}
            for _ in range(n):
                key = self.decode()
                result[key] = self.decode()
            return result
        if tag == T_FLOAT:
            (value,) = _DOUBLE.unpack_from(self.data, self.pos)
            self.pos += 8
            return value
        if tag == T_NONE:
            return None
        if tag == T_TRUE:
            return True
        if tag == T_FALSE:
            return False
        if tag == T_BYTES:
            n = self.varint()
            start = self.pos
            self.pos += n
            return bytes(self.data[start:self.pos])
        raise ValueError(f"bad tag {tag} at {self.pos - 1}")


def dumps(value):
    return bytes(Encoder().encode(value).out)


def loads(data):
    dec = Decoder(data)
    value = dec.decode()
    if dec.pos != len(data):
        raise ValueError("trailing data")
    return value


def make_value(rng, depth):
    r = rng.random()
    if depth <= 0 or r < 0.35:
        k = rng.randrange(7)
        if k == 0:
            return rng.randrange(-1000, 1000)
        if k == 1:
            return rng.randrange(-(1 << 40), 1 << 40)
        if k == 2:
            return round(rng.uniform(-1e6, 1e6), 3)
        if k == 3:
            return "".join(rng.choice("abcdefgh\u00e9\u4e2d ") for _ in range(rng.randrange(12)))
        if k == 4:
            return rng.choice([None, True, False])
        if k == 5:
            return bytes(rng.randrange(256) for _ in range(rng.randrange(6)))
        return rng.randrange(1 << 70)
    if r < 0.6:
        return [make_value(rng, depth - 1) for _ in range(rng.randrange(6))]
    if r < 0.7:
        return tuple(make_value(rng, depth - 1) for _ in range(rng.randrange(4)))
    return {f"k{rng.randrange(50)}": make_value(rng, depth - 1) for _ in range(rng.randrange(6))}


def main():
    rng = random.Random(1234)
    docs = [make_value(rng, 6) for _ in range(60)]
    crc = 0
    total = 0
    for _ in range(N):
        for doc in docs:
            blob = dumps(doc)
            back = loads(blob)
            if back != doc:
                raise SystemExit("serializer: round trip mismatch")
            crc = zlib.crc32(blob, crc)
            total += len(blob)
    result = (crc, total)
    if result != EXPECTED:
        raise SystemExit(f"serializer: wrong result {result!r}")
    print(f"serializer: ok {crc:08x} {total}")


if __name__ == "__main__":
    main()
