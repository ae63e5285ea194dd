"""Geometry with abstract classes, class methods, static methods, __slots__, operator
overloading, dataclass-like __init__, math, error handling and assertions."""
import math


class Vector:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __add__(self, other):
        return Vector(self.x + other.x, self.y + other.y)

    def __sub__(self, other):
        return Vector(self.x - other.x, self.y - other.y)

    def __mul__(self, k):
        return Vector(self.x * k, self.y * k)

    __rmul__ = __mul__

    def __abs__(self):
        return math.hypot(self.x, self.y)

    def __iter__(self):
        return iter((self.x, self.y))

    def __repr__(self):
        return "Vector(%g, %g)" % (self.x, self.y)


class Shape:
    registry = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        Shape.registry[cls.__name__.lower()] = cls

    def area(self):
        raise NotImplementedError(type(self).__name__)

    @classmethod
    def create(cls, kind, *args, **kwargs):
        try:
            return cls.registry[kind](*args, **kwargs)
        except KeyError:
            raise ValueError("unknown shape %r" % kind) from None

    @staticmethod
    def total_area(shapes):
        return math.fsum([s.area() for s in shapes])


class Circle(Shape):
    def __init__(self, r):
        assert r >= 0, "negative radius"
        self.r = r

    def area(self):
        return math.pi * self.r ** 2


class Rect(Shape):
    def __init__(self, w, h=None):
        self.w, self.h = w, (w if h is None else h)

    def area(self):
        return self.w * self.h


class Polygon(Shape):
    def __init__(self, *points):
        self.points = [Vector(*p) for p in points]

    def area(self):
        pts = self.points
        s = 0.0
        for a, b in zip(pts, pts[1:] + pts[:1]):
            s += a.x * b.y - b.x * a.y
        return abs(s) / 2


def main():
    shapes = [Shape.create("circle", 1.5), Shape.create("rect", 2, 3),
              Shape.create("rect", w=4), Shape.create("polygon", (0, 0), (4, 0), (4, 3))]
    for s in shapes:
        print(type(s).__name__, round(s.area(), 4))
    print("total", round(Shape.total_area(shapes), 6))
    for bad in (("hexagon",), ("circle", -1)):
        try:
            Shape.create(*bad)
        except (ValueError, AssertionError) as e:
            print(type(e).__name__, e, e.__cause__, e.__suppress_context__)
    try:
        Shape().area()
    except NotImplementedError as e:
        print("abstract", e)
    v = Vector(3, 4)
    w = 2 * v - Vector(1, 1)
    x, y = w
    print(v, w, abs(v), x, y, sorted(Shape.registry))
    try:
        v.z = 1
    except AttributeError as e:
        print("slots:", e)


if __name__ == "__main__":
    main()
