"""Graph algorithms over a generated road-network-like graph stored as
dicts of adjacency lists: BFS with collections.deque, iterative DFS for
connected components, Dijkstra with heapq, and Kahn's topological sort
on a generated DAG."""

import heapq
import random
from collections import deque

N = 16
EXPECTED = 994721


def make_grid_graph(rng, width, height):
    graph = {}
    for y in range(height):
        for x in range(width):
            node = y * width + x
            graph.setdefault(node, [])
            for dx, dy in ((1, 0), (0, 1)):
                nx, ny = x + dx, y + dy
                if nx < width and ny < height and rng.random() < 0.85:
                    other = ny * width + nx
                    w = rng.randrange(1, 20)
                    graph[node].append((other, w))
                    graph.setdefault(other, []).append((node, w))
    for _ in range(width * height // 20):
        a = rng.randrange(width * height)
        b = rng.randrange(width * height)
        if a != b:
            w = rng.randrange(10, 60)
            graph[a].append((b, w))
            graph[b].append((a, w))
    return graph


def bfs(graph, start):
    dist = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        d = dist[node] + 1
        for nxt, _ in graph[node]:
            if nxt not in dist:
                dist[nxt] = d
                queue.append(nxt)
    return dist


def components(graph):
    seen = set()
    sizes = []
    for start in graph:
        if start in seen:
            continue
        stack = [start]
        seen.add(start)
        size = 0
        while stack:
            node = stack.pop()
            size += 1
            for nxt, _ in graph[node]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        sizes.append(size)
    return sorted(sizes, reverse=True)


def dijkstra(graph, source):
    dist = {source: 0}
    prev = {}
    heap = [(0, source)]
    while heap:
        d, node = heapq.heappop(heap)
        if d > dist[node]:
            continue
        for nxt, w in graph[node]:
            nd = d + w
            if nd < dist.get(nxt, 1 << 60):
                dist[nxt] = nd
                prev[nxt] = node
                heapq.heappush(heap, (nd, nxt))
    return dist, prev


def path_to(prev, target):
    path = [target]
    while path[-1] in prev:
        path.append(prev[path[-1]])
    path.reverse()
    return path


def make_dag(rng, nodes, edges):
    dag = {i: [] for i in range(nodes)}
    for _ in range(edges):
        a = rng.randrange(nodes - 1)
        b = rng.randrange(a + 1, nodes)
        dag[a].append(b)
    return dag


def topo_sort(dag):
    indegree = {n: 0 for n in dag}
    for n in dag:
        for m in dag[n]:
            indegree[m] += 1
    ready = [n for n in dag if indegree[n] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        n = heapq.heappop(ready)
        order.append(n)
        for m in dag[n]:
            indegree[m] -= 1
            if indegree[m] == 0:
                heapq.heappush(ready, m)
    return order


def main():
    rng = random.Random(1234)
    acc = 0
    for _ in range(N):
        graph = make_grid_graph(rng, 90, 90)
        levels = bfs(graph, 0)
        acc += len(levels) + max(levels.values())
        sizes = components(graph)
        acc += sizes[0] + len(sizes)
        for src in (0, 4000, 8099):
            dist, prev = dijkstra(graph, src)
            far = max(dist, key=lambda n: (dist[n], n))
            acc += dist[far] + len(path_to(prev, far))
        dag = make_dag(rng, 3000, 9000)
        order = topo_sort(dag)
        pos = {n: i for i, n in enumerate(order)}
        if any(pos[a] >= pos[b] for a in dag for b in dag[a]):
            raise SystemExit("graph_search: topological order violated")
        acc += sum(order[::97])
    result = acc
    if result != EXPECTED:
        raise SystemExit(f"graph_search: wrong result {result!r}")
    print(f"graph_search: ok {result}")


if __name__ == "__main__":
    main()
