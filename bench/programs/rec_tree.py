"""Recursive tree code: build complete binary trees and unbalanced binary
search trees of node objects, then walk them recursively for depth, sums,
in-order traversal, mirroring, path sums and structural equality."""

import random

N = 25
EXPECTED = 3357399472


class Node:
    __slots__ = ("key", "left", "right")

    def __init__(self, key, left=None, right=None):
        self.key = key
        self.left = left
        self.right = right


def build_complete(depth, key=1):
    if depth == 0:
        return None
    return Node(key, build_complete(depth - 1, 2 * key), build_complete(depth - 1, 2 * key + 1))


def insert(node, key):
    if node is None:
        return Node(key)
    if key < node.key:
        node.left = insert(node.left, key)
    elif key > node.key:
        node.right = insert(node.right, key)
    return node


def contains(node, key):
    if node is None:
        return False
    if key == node.key:
        return True
    return contains(node.left if key < node.key else node.right, key)


def depth(node):
    if node is None:
        return 0
    return 1 + max(depth(node.left), depth(node.right))


def total(node):
    if node is None:
        return 0
    return node.key + total(node.left) + total(node.right)


def inorder(node, out):
    if node is not None:
        inorder(node.left, out)
        out.append(node.key)
        inorder(node.right, out)
    return out


def mirror(node):
    if node is None:
        return None
    return Node(node.key, mirror(node.right), mirror(node.left))


def same(a, b):
    if a is None or b is None:
        return a is b
    return a.key == b.key and same(a.left, b.left) and same(a.right, b.right)


def count_paths(node, target, running=0):
    if node is None:
        return 0
    running += node.key
    if node.left is None and node.right is None:
        return 1 if running % target == 0 else 0
    return count_paths(node.left, target, running) + count_paths(node.right, target, running)


def main():
    rng = random.Random(1234)
    acc = 0
    for _ in range(N):
        tree = build_complete(14)
        m = mirror(tree)
        if not same(tree, mirror(m)) or same(tree, m):
            raise SystemExit("rec_tree: mirror check failed")
        acc += depth(tree) + total(tree) + count_paths(tree, 7)
        bst = None
        keys = [rng.randrange(1000000) for _ in range(6000)]
        for k in keys:
            bst = insert(bst, k)
        ordered = inorder(bst, [])
        if ordered != sorted(set(keys)):
            raise SystemExit("rec_tree: bst order broken")
        hits = sum(1 for k in range(0, 1000000, 997) if contains(bst, k))
        acc += depth(bst) * 1000 + hits + total(bst) % 100003
    result = acc
    if result != EXPECTED:
        raise SystemExit(f"rec_tree: wrong result {result!r}")
    print(f"rec_tree: ok {result}")


if __name__ == "__main__":
    main()
