"""dataclasses with order=True and an enum-valued default: construction, sorting by the generated __lt__, and dataclasses.replace.

Drives the standard library's own pure-Python code (not written for this project):
bench/run.py --dir bench/stdlib runs these as it runs bench/programs."""
from dataclasses import dataclass, field, replace
import enum
class Color(enum.Enum):
    RED = 1; GREEN = 2; BLUE = 3
@dataclass(order=True)
class Item:
    name: str
    qty: int = 0
    color: Color = Color.RED
    tags: list = field(default_factory=list)
n = 0
for k in range(400):
    items = [Item("n%d" % i, i % 13, Color(i % 3 + 1)) for i in range(2000)]
    items.sort()
    n += sum(1 for it in items if it.color is Color.BLUE) + len({replace(it, qty=1).name for it in items[:300]})

result = n
if result != 386400:
    raise SystemExit("dataclasses_enum: wrong result %r" % (result,))
print("dataclasses_enum: ok", result)
