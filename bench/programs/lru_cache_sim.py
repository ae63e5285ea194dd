"""A hand-written LRU cache: a dict mapping keys to node objects in a
doubly linked list with sentinel head/tail, supporting get/put/delete and
eviction callbacks; driven by a skewed access trace of a simulated page
cache with write-backs, and cross-checked against collections.OrderedDict."""

import random
from collections import OrderedDict

N = 900000
EXPECTED = (525507219, 651506, 248494, 248494, 90679)


class _Node:
    __slots__ = ("key", "value", "prev", "next", "dirty")

    def __init__(self, key=None, value=None):
        self.key = key
        self.value = value
        self.prev = None
        self.next = None
        self.dirty = False


class LRUCache:
    def __init__(self, capacity, on_evict=None):
        self.capacity = capacity
        self.on_evict = on_evict
        self.map = {}
        self.head = _Node()
        self.tail = _Node()
        self.head.next = self.tail
        self.tail.prev = self.head
        self.hits = 0
        self.misses = 0

    def _unlink(self, node):
        node.prev.next = node.next
        node.next.prev = node.prev

    def _push_front(self, node):
        first = self.head.next
        node.prev = self.head
        node.next = first
        first.prev = node
        self.head.next = node

    def get(self, key, default=None):
        node = self.map.get(key)
        if node is None:
            self.misses += 1
            return default
        self.hits += 1
        self._unlink(node)
        self._push_front(node)
        return node.value

    def put(self, key, value, dirty=False):
        node = self.map.get(key)
        if node is not None:
            node.value = value
            node.dirty = node.dirty or dirty
            self._unlink(node)
            self._push_front(node)
            return
        if len(self.map) >= self.capacity:
            self._evict()
        node = _Node(key, value)
        node.dirty = dirty
        self.map[key] = node
        self._push_front(node)

    def _evict(self):
        victim = self.tail.prev
        self._unlink(victim)
        del self.map[victim.key]
        if self.on_evict is not None:
            self.on_evict(victim)

    def delete(self, key):
        node = self.map.pop(key, None)
        if node is not None:
            self._unlink(node)
        return node is not None

    def keys_mru(self):
        out = []
        node = self.head.next
        while node is not self.tail:
            out.append(node.key)
            node = node.next
        return out


class Disk:
    def __init__(self):
        self.pages = {}
        self.reads = 0
        self.writes = 0

    def read(self, page):
        self.reads += 1
        return self.pages.get(page, page * 7 % 1000)

    def write(self, page, value):
        self.writes += 1
        self.pages[page] = value


def skewed_page(rng, pages):
    # mostly a hot set, sometimes a long scan-like tail
    r = rng.random()
    if r < 0.7:
        return int(rng.paretovariate(1.2)) % 200
    if r < 0.95:
        return rng.randrange(pages)
    return 200 + rng.randrange(50)


def main():
    rng = random.Random(1234)
    disk = Disk()

    def write_back(node):
        if node.dirty:
            disk.write(node.key, node.value)

    cache = LRUCache(256, write_back)
    ref = OrderedDict()
    ref_hits = 0
    checksum = 0
    for step in range(N):
        page = skewed_page(rng, 5000)
        if page in ref:
            ref_hits += 1
            ref.move_to_end(page)
        else:
            ref[page] = True
            if len(ref) > 256:
                ref.popitem(last=False)
        value = cache.get(page)
        if value is None:
            value = disk.read(page)
            cache.put(page, value)
        if step % 3 == 0:
            cache.put(page, (value * 31 + step) % 100003, dirty=True)
        if step % 997 == 0:
            if cache.delete(page):
                del ref[page]
        checksum = (checksum * 33 + value) % 1000000007
    if cache.hits != ref_hits or cache.keys_mru() != list(reversed(ref)):
        raise SystemExit("lru_cache_sim: disagrees with OrderedDict model")
    result = (checksum, cache.hits, cache.misses, disk.reads, disk.writes)
    if result != EXPECTED:
        raise SystemExit(f"lru_cache_sim: wrong result {result!r}")
    print(f"lru_cache_sim: ok {checksum} {cache.hits}")


if __name__ == "__main__":
    main()
