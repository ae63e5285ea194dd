"""Attribute-heavy simulation with __slots__ classes: a hanging cloth made
of point masses joined by springs, integrated with Verlet steps; springs
read and write the slot attributes of the two nodes they connect."""

import math

N = 5600
EXPECTED = (-7898.4882, -7.584053, 1.323555, 5600)


class Node:
    __slots__ = ("x", "y", "px", "py", "fx", "fy", "inv_mass", "pinned")

    def __init__(self, x, y, pinned=False):
        self.x = x
        self.y = y
        self.px = x
        self.py = y
        self.fx = 0.0
        self.fy = 0.0
        self.pinned = pinned
        self.inv_mass = 0.0 if pinned else 1.0


class Spring:
    __slots__ = ("a", "b", "rest", "stiffness", "max_stretch", "broken")

    def __init__(self, a, b, stiffness):
        self.a = a
        self.b = b
        self.rest = math.hypot(b.x - a.x, b.y - a.y)
        self.stiffness = stiffness
        self.max_stretch = 0.0
        self.broken = False

    def apply(self):
        a = self.a
        b = self.b
        dx = b.x - a.x
        dy = b.y - a.y
        dist = math.sqrt(dx * dx + dy * dy)
        if dist == 0.0:
            return
        stretch = (dist - self.rest) / self.rest
        if stretch > self.max_stretch:
            self.max_stretch = stretch
        f = self.stiffness * (dist - self.rest) / dist
        a.fx += f * dx
        a.fy += f * dy
        b.fx -= f * dx
        b.fy -= f * dy


class Cloth:
    __slots__ = ("nodes", "springs", "gravity", "damping", "dt", "steps", "wind")

    def __init__(self, cols, rows, spacing):
        self.nodes = []
        self.springs = []
        self.gravity = -9.8
        self.damping = 0.99
        self.dt = 0.005
        self.steps = 0
        self.wind = 0.0
        grid = []
        for r in range(rows):
            row = []
            for c in range(cols):
                node = Node(c * spacing, -r * spacing, pinned=(r == 0 and c % 4 == 0))
                row.append(node)
                self.nodes.append(node)
            grid.append(row)
        for r in range(rows):
            for c in range(cols):
                if c + 1 < cols:
                    self.springs.append(Spring(grid[r][c], grid[r][c + 1], 400.0))
                if r + 1 < rows:
                    self.springs.append(Spring(grid[r][c], grid[r + 1][c], 400.0))
                if r + 1 < rows and c + 1 < cols:
                    self.springs.append(Spring(grid[r][c], grid[r + 1][c + 1], 150.0))

    def step(self):
        self.steps += 1
        self.wind = 2.0 * math.sin(self.steps * 0.01)
        for node in self.nodes:
            node.fx = self.wind
            node.fy = self.gravity
        for spring in self.springs:
            spring.apply()
        dt2 = self.dt * self.dt
        damping = self.damping
        for node in self.nodes:
            if node.pinned:
                continue
            x = node.x
            y = node.y
            node.x = x + (x - node.px) * damping + node.fx * node.inv_mass * dt2
            node.y = y + (y - node.py) * damping + node.fy * node.inv_mass * dt2
            node.px = x
            node.py = y

    def energy(self):
        total = 0.0
        for node in self.nodes:
            vx = (node.x - node.px) / self.dt
            vy = (node.y - node.py) / self.dt
            total += 0.5 * (vx * vx + vy * vy) - self.gravity * node.y
        return total


def main():
    cloth = Cloth(16, 12, 0.5)
    for _ in range(N):
        cloth.step()
    lowest = min(node.y for node in cloth.nodes)
    stretch = max(s.max_stretch for s in cloth.springs)
    result = (round(cloth.energy(), 4), round(lowest, 6), round(stretch, 6), cloth.steps)
    if result != EXPECTED:
        raise SystemExit(f"sim_slots: wrong result {result!r}")
    print(f"sim_slots: ok {result[0]:.4f}")


if __name__ == "__main__":
    main()
