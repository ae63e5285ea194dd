"""Attribute-heavy simulation with plain classes (instance __dict__):
particles in a box under gravity and drag, bouncing off walls, with many
attribute reads and writes per step and a small emitter object."""

import random

N = 9000
EXPECTED = (4296.7408, 20.265982, 196970, 3419, 3819, 275897.34)


class Particle:
    def __init__(self, x, y, vx, vy, mass):
        self.x = x
        self.y = y
        self.vx = vx
        self.vy = vy
        self.mass = mass
        self.age = 0
        self.bounces = 0
        self.alive = True


class Box:
    def __init__(self, width, height):
        self.width = width
        self.height = height
        self.gravity = -9.81
        self.drag = 0.02
        self.restitution = 0.8


class Emitter:
    def __init__(self, rng, x, y):
        self.rng = rng
        self.x = x
        self.y = y
        self.emitted = 0

    def emit(self):
        rng = self.rng
        self.emitted += 1
        return Particle(self.x, self.y, rng.uniform(-3.0, 3.0),
                        rng.uniform(2.0, 8.0), rng.uniform(0.5, 2.0))


class World:
    def __init__(self, rng):
        self.box = Box(40.0, 30.0)
        self.emitter = Emitter(rng, 20.0, 5.0)
        self.particles = [self.emitter.emit() for _ in range(400)]
        self.time = 0.0
        self.dt = 0.01
        self.removed = 0
        self.energy_lost = 0.0

    def step(self):
        box = self.box
        dt = self.dt
        for p in self.particles:
            p.vy += box.gravity * dt
            p.vx -= box.drag * p.vx * dt / p.mass
            p.vy -= box.drag * p.vy * dt / p.mass
            p.x += p.vx * dt
            p.y += p.vy * dt
            if p.x < 0.0:
                p.x = -p.x
                p.vx = -p.vx * box.restitution
                p.bounces += 1
            elif p.x > box.width:
                p.x = 2.0 * box.width - p.x
                p.vx = -p.vx * box.restitution
                p.bounces += 1
            if p.y < 0.0:
                before = p.vy * p.vy
                p.y = -p.y
                p.vy = -p.vy * box.restitution
                p.bounces += 1
                self.energy_lost += 0.5 * p.mass * (before - p.vy * p.vy)
            elif p.y > box.height:
                p.y = 2.0 * box.height - p.y
                p.vy = -p.vy * box.restitution
                p.bounces += 1
            p.age += 1
            if p.bounces > 12:
                p.alive = False
        self.time += dt

    def recycle(self):
        survivors = []
        for p in self.particles:
            if p.alive:
                survivors.append(p)
            else:
                self.removed += 1
                survivors.append(self.emitter.emit())
        self.particles = survivors

    def kinetic_energy(self):
        total = 0.0
        for p in self.particles:
            total += 0.5 * p.mass * (p.vx * p.vx + p.vy * p.vy)
        return total


def main():
    rng = random.Random(1234)
    world = World(rng)
    for i in range(N):
        world.step()
        if i % 10 == 9:
            world.recycle()
    ke = world.kinetic_energy()
    cx = sum(p.x for p in world.particles) / len(world.particles)
    ages = sum(p.age for p in world.particles)
    result = (round(ke, 4), round(cx, 6), ages, world.removed,
              world.emitter.emitted, round(world.energy_lost, 3))
    if result != EXPECTED:
        raise SystemExit(f"sim_particles: wrong result {result!r}")
    print(f"sim_particles: ok {result[0]:.4f}")


if __name__ == "__main__":
    main()
