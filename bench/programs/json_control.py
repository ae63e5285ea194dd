"""Mostly C-bound control: json.dumps/json.loads (C accelerated) of a large
generated document of nested records, with sort_keys and compact
separators, repeated round trips and a light Python-side summary."""

import json
import random
import zlib

N = 14
EXPECTED = (2950849635, 31561334, 604899805.43, 2408990)


def make_document(rng, count):
    tags = ["red", "green", "blue", "alpha", "beta", "gamma", "delta"]
    items = []
    for i in range(count):
        items.append({
            "id": i,
            "name": f"item-{i:05d}",
            "price": round(rng.uniform(0.5, 500.0), 2),
            "stock": rng.randrange(0, 1000),
            "tags": rng.sample(tags, rng.randrange(1, 4)),
            "dims": [round(rng.uniform(1, 100), 1) for _ in range(3)],
            "active": rng.random() < 0.8,
            "supplier": {"code": f"S{rng.randrange(300):03d}", "rating": rng.randrange(1, 6),
                         "note": None if rng.random() < 0.5 else "caf\u00e9 \u2013 ok"},
        })
    return {"version": 3, "generated": "fixed", "items": items}


def summarise(doc):
    total = 0.0
    stock = 0
    for item in doc["items"]:
        if item["active"]:
            total += item["price"] * item["stock"]
            stock += item["stock"]
    return round(total, 2), stock


def main():
    rng = random.Random(1234)
    doc = make_document(rng, 6000)
    crc = 0
    size = 0
    for i in range(N):
        text = json.dumps(doc, sort_keys=(i % 2 == 0), separators=(",", ":"))
        back = json.loads(text)
        if back != doc:
            raise SystemExit("json_control: round trip mismatch")
        pretty = json.dumps(back, ensure_ascii=False)
        again = json.loads(pretty)
        crc = zlib.crc32(text.encode(), crc)
        size += len(text) + len(pretty)
        doc = again
        doc["version"] += 1
    value, stock = summarise(doc)
    result = (crc, size, value, stock)
    if result != EXPECTED:
        raise SystemExit(f"json_control: wrong result {result!r}")
    print(f"json_control: ok {crc:08x} {size}")


if __name__ == "__main__":
    main()
