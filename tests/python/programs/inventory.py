"""Inventory processing: json round-trips, nested data, dict/set operations, sorting,
decorators with arguments, functools.wraps, *args/**kwargs forwarding, global state,
try/finally ordering, string formatting and early returns inside loops and handlers."""
import functools
import json

CALLS = []


def traced(label):
    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            CALLS.append(f"{label}:{func.__name__}")
            try:
                return func(*args, **kwargs)
            finally:
                CALLS.append(f"/{label}")
        return wrapper
    return decorate


DATA = """{"items": [
  {"sku": "A1", "name": "widget", "qty": 10, "price": 2.5, "tags": ["small", "metal"]},
  {"sku": "B2", "name": "gadget", "qty": 0, "price": 12.0, "tags": ["large"]},
  {"sku": "C3", "name": "doohickey", "qty": 4, "price": 7.25, "tags": ["small", "wood"]},
  {"sku": "D4", "name": "gizmo", "qty": 2, "price": 99.99, "tags": []}
]}"""


@traced("load")
def load(text):
    return json.loads(text)["items"]


@traced("find")
def find(items, **criteria):
    for item in items:
        if all([item.get(k) == v for k, v in criteria.items()]):
            return item
    return None


@traced("value")
def stock_value(items, *, min_qty=1):
    total = 0.0
    for item in items:
        if item["qty"] < min_qty:
            continue
        total += item["qty"] * item["price"]
    return round(total, 2)


def first_expensive(items, limit):
    for item in items:
        try:
            if item["price"] > limit:
                return item["sku"]
        except KeyError:
            return None
    else:
        return "none"


def main():
    items = load(DATA)
    print(len(items), [i["sku"] for i in items])
    print(find(items, name="gadget")["sku"], find(items, qty=99))
    print(stock_value(items), stock_value(items, min_qty=5))
    tags = set()
    for item in items:
        tags |= set(item["tags"])
    print(sorted(tags), sorted([t for t in tags if t.startswith("s")]))
    by_tag = {}
    for item in items:
        for tag in item["tags"] or ["untagged"]:
            by_tag.setdefault(tag, []).append(item["name"])
    print(json.dumps(by_tag, sort_keys=True))
    print(first_expensive(items, 50), first_expensive(items, 500), first_expensive([{}], 1))
    restock = {i["sku"]: max(5 - i["qty"], 0) for i in items}
    print({k: v for k, v in restock.items() if v})
    print(CALLS)
    print("%-10s|%6.2f|%+d" % ("total", stock_value(items), -3))


if __name__ == "__main__":
    main()
