"""Float objects and operator overloading: a small immutable 2-D vector
class with __add__/__sub__/__mul__/__truediv__/__neg__, used to evaluate
Bezier curves by de Casteljau, measure arc lengths and polygon centroids,
creating many short-lived temporaries."""

import math
import random

N = 850
EXPECTED = (36210.956257, 1283.001746, -1690.679881, 21240.093632)


class Vec:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __add__(self, other):
        return Vec(self.x + other.x, self.y + other.y)

    def __sub__(self, other):
        return Vec(self.x - other.x, self.y - other.y)

    def __mul__(self, k):
        return Vec(self.x * k, self.y * k)

    __rmul__ = __mul__

    def __truediv__(self, k):
        return Vec(self.x / k, self.y / k)

    def __neg__(self):
        return Vec(-self.x, -self.y)

    def dot(self, other):
        return self.x * other.x + self.y * other.y

    def cross(self, other):
        return self.x * other.y - self.y * other.x

    def length(self):
        return math.sqrt(self.x * self.x + self.y * self.y)

    def normalized(self):
        n = self.length()
        return self / n if n else Vec(0.0, 0.0)

    def lerp(self, other, t):
        return self + (other - self) * t

    def rotated(self, angle):
        c = math.cos(angle)
        s = math.sin(angle)
        return Vec(self.x * c - self.y * s, self.x * s + self.y * c)


def de_casteljau(points, t):
    pts = list(points)
    while len(pts) > 1:
        pts = [a.lerp(b, t) for a, b in zip(pts, pts[1:])]
    return pts[0]


def arc_length(points, samples):
    prev = de_casteljau(points, 0.0)
    total = 0.0
    for i in range(1, samples + 1):
        cur = de_casteljau(points, i / samples)
        total += (cur - prev).length()
        prev = cur
    return total


def polygon_centroid(poly):
    area = 0.0
    c = Vec(0.0, 0.0)
    for a, b in zip(poly, poly[1:] + poly[:1]):
        cr = a.cross(b)
        area += cr
        c = c + (a + b) * cr
    area *= 0.5
    return c / (6.0 * area), area


def offset_polyline(points, dist):
    out = []
    for i, p in enumerate(points):
        a = points[max(i - 1, 0)]
        b = points[min(i + 1, len(points) - 1)]
        tangent = (b - a).normalized()
        normal = Vec(-tangent.y, tangent.x)
        out.append(p + normal * dist)
    return out


def main():
    rng = random.Random(1234)
    total_len = 0.0
    cx = cy = 0.0
    area_sum = 0.0
    for _ in range(N):
        ctrl = [Vec(rng.uniform(-10, 10), rng.uniform(-10, 10)) for _ in range(6)]
        total_len += arc_length(ctrl, 60)
        curve = [de_casteljau(ctrl, i / 40) for i in range(41)]
        shifted = offset_polyline(curve, 0.5)
        total_len += sum((b - a).length() for a, b in zip(shifted, shifted[1:]))
        k = rng.randrange(5, 12)
        poly = [Vec(3.0, 0.0).rotated(2 * math.pi * i / k) * rng.uniform(0.8, 1.2)
                for i in range(k)]
        poly = [p + Vec(1.5, -2.0) for p in poly]
        c, area = polygon_centroid(poly)
        cx += c.x
        cy += c.y
        area_sum += area
        mid = -(-de_casteljau(ctrl, 0.5))
        total_len += mid.dot(Vec(0.001, 0.002))
    result = (round(total_len, 6), round(cx, 6), round(cy, 6), round(area_sum, 6))
    if result != EXPECTED:
        raise SystemExit(f"float_points: wrong result {result!r}")
    print(f"float_points: ok {result[0]:.6f}")


if __name__ == "__main__":
    main()
