"""Agent simulation (boids): each agent looks up its neighbours through a
coarse spatial grid and reads their position/velocity attributes to steer
by separation, alignment and cohesion; world wraps around at the edges."""

import math
import random

N = 250
EXPECTED = (1288734, -0.002622, 0.070197)

WIDTH = 200.0
HEIGHT = 200.0
CELL = 20.0


class Boid:
    def __init__(self, ident, x, y, vx, vy):
        self.ident = ident
        self.x = x
        self.y = y
        self.vx = vx
        self.vy = vy
        self.neighbours_seen = 0

    def cell(self):
        return int(self.x // CELL), int(self.y // CELL)


class Flock:
    def __init__(self, rng, count):
        self.boids = [Boid(i, rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT),
                           rng.uniform(-1, 1), rng.uniform(-1, 1)) for i in range(count)]
        self.radius = 15.0
        self.separation_distance = 5.0
        self.max_speed = 2.5
        self.cols = int(WIDTH // CELL)
        self.rows = int(HEIGHT // CELL)

    def build_grid(self):
        grid = {}
        for boid in self.boids:
            grid.setdefault(boid.cell(), []).append(boid)
        return grid

    def neighbours(self, boid, grid):
        cx, cy = boid.cell()
        r2 = self.radius * self.radius
        found = []
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                key = ((cx + dx) % self.cols, (cy + dy) % self.rows)
                for other in grid.get(key, ()):
                    if other is boid:
                        continue
                    ox = other.x - boid.x
                    oy = other.y - boid.y
                    if ox > WIDTH / 2:
                        ox -= WIDTH
                    elif ox < -WIDTH / 2:
                        ox += WIDTH
                    if oy > HEIGHT / 2:
                        oy -= HEIGHT
                    elif oy < -HEIGHT / 2:
                        oy += HEIGHT
                    if ox * ox + oy * oy < r2:
                        found.append((other, ox, oy))
        return found

    def steer(self, boid, near):
        if not near:
            return 0.0, 0.0
        sep_x = sep_y = 0.0
        ali_x = ali_y = 0.0
        coh_x = coh_y = 0.0
        for other, ox, oy in near:
            d2 = ox * ox + oy * oy
            if d2 < self.separation_distance ** 2 and d2 > 0.0:
                sep_x -= ox / d2
                sep_y -= oy / d2
            ali_x += other.vx
            ali_y += other.vy
            coh_x += ox
            coh_y += oy
        n = len(near)
        boid.neighbours_seen += n
        ax = 0.05 * (ali_x / n - boid.vx) + 0.01 * (coh_x / n) + 0.6 * sep_x
        ay = 0.05 * (ali_y / n - boid.vy) + 0.01 * (coh_y / n) + 0.6 * sep_y
        return ax, ay

    def step(self):
        grid = self.build_grid()
        updates = []
        for boid in self.boids:
            updates.append(self.steer(boid, self.neighbours(boid, grid)))
        for boid, (ax, ay) in zip(self.boids, updates):
            boid.vx += ax
            boid.vy += ay
            speed = math.hypot(boid.vx, boid.vy)
            if speed > self.max_speed:
                boid.vx = boid.vx / speed * self.max_speed
                boid.vy = boid.vy / speed * self.max_speed
            boid.x = (boid.x + boid.vx) % WIDTH
            boid.y = (boid.y + boid.vy) % HEIGHT


def main():
    rng = random.Random(1234)
    flock = Flock(rng, 300)
    for _ in range(N):
        flock.step()
    seen = sum(b.neighbours_seen for b in flock.boids)
    mvx = sum(b.vx for b in flock.boids) / len(flock.boids)
    mvy = sum(b.vy for b in flock.boids) / len(flock.boids)
    result = (seen, round(mvx, 6), round(mvy, 6))
    if result != EXPECTED:
        raise SystemExit(f"sim_agents: wrong result {result!r}")
    print(f"sim_agents: ok {seen}")


if __name__ == "__main__":
    main()
