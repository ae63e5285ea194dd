"""Class-heavy object-oriented code: a small shape hierarchy with
polymorphic method calls, @property getters/setters, and super() calls
in __init__ and in overridden methods."""

import math
import random

N = 6000
EXPECTED = (10247952.667, 13335142.949, 2400000, 146.300353, (('circle', 53), ('rectangle', 66), ('square', 34), ('triangle', 47)))


class Shape:
    kind = "shape"

    def __init__(self, name, x, y):
        self.name = name
        self._x = x
        self._y = y
        self.moves = 0

    @property
    def x(self):
        return self._x

    @x.setter
    def x(self, value):
        self._x = value
        self.moves += 1

    @property
    def y(self):
        return self._y

    @y.setter
    def y(self, value):
        self._y = value
        self.moves += 1

    def area(self):
        raise NotImplementedError

    def perimeter(self):
        raise NotImplementedError

    def move(self, dx, dy):
        self.x = self.x + dx
        self.y = self.y + dy

    def describe(self):
        return (self.kind, round(self.area(), 3), round(self.perimeter(), 3))

    def scale(self, factor):
        return factor


class Rectangle(Shape):
    kind = "rectangle"

    def __init__(self, name, x, y, width, height):
        super().__init__(name, x, y)
        self._width = width
        self._height = height

    @property
    def width(self):
        return self._width

    @width.setter
    def width(self, value):
        if value <= 0:
            raise ValueError("width must be positive")
        self._width = value

    @property
    def height(self):
        return self._height

    @height.setter
    def height(self, value):
        if value <= 0:
            raise ValueError("height must be positive")
        self._height = value

    def area(self):
        return self.width * self.height

    def perimeter(self):
        return 2.0 * (self.width + self.height)

    def scale(self, factor):
        factor = super().scale(factor)
        self.width = self.width * factor
        self.height = self.height * factor
        return factor


class Square(Rectangle):
    kind = "square"

    def __init__(self, name, x, y, side):
        super().__init__(name, x, y, side, side)

    @property
    def side(self):
        return self.width

    def scale(self, factor):
        # keep the square square even after rounding
        factor = super().scale(factor)
        self.height = self.width
        return factor


class Circle(Shape):
    kind = "circle"

    def __init__(self, name, x, y, radius):
        super().__init__(name, x, y)
        self.radius = radius

    @property
    def diameter(self):
        return 2.0 * self.radius

    @diameter.setter
    def diameter(self, value):
        self.radius = value / 2.0

    def area(self):
        return math.pi * self.radius * self.radius

    def perimeter(self):
        return math.pi * self.diameter

    def scale(self, factor):
        self.diameter = self.diameter * super().scale(factor)
        return factor


class Triangle(Shape):
    kind = "triangle"

    def __init__(self, name, x, y, a, b, c):
        super().__init__(name, x, y)
        self.sides = (a, b, c)

    def perimeter(self):
        a, b, c = self.sides
        return a + b + c

    def area(self):
        a, b, c = self.sides
        s = self.perimeter() / 2.0
        return math.sqrt(max(s * (s - a) * (s - b) * (s - c), 0.0))

    def scale(self, factor):
        factor = super().scale(factor)
        self.sides = tuple(side * factor for side in self.sides)
        return factor


def make_shapes(rng, count):
    shapes = []
    for i in range(count):
        k = rng.randrange(4)
        x, y = rng.uniform(-10, 10), rng.uniform(-10, 10)
        if k == 0:
            shapes.append(Rectangle(f"r{i}", x, y, rng.uniform(1, 5), rng.uniform(1, 5)))
        elif k == 1:
            shapes.append(Square(f"s{i}", x, y, rng.uniform(1, 5)))
        elif k == 2:
            shapes.append(Circle(f"c{i}", x, y, rng.uniform(0.5, 3)))
        else:
            a = rng.uniform(2, 4)
            b = rng.uniform(2, 4)
            c = rng.uniform(abs(a - b) + 0.1, a + b - 0.1)
            shapes.append(Triangle(f"t{i}", x, y, a, b, c))
    return shapes


def step(shapes, rnd):
    total_area = 0.0
    total_perim = 0.0
    for i, shape in enumerate(shapes):
        shape.move(0.01 * ((i + rnd) % 7 - 3), -0.01 * ((i * 3 + rnd) % 5 - 2))
        if (i + rnd) % 11 == 0:
            shape.scale(1.01 if rnd % 2 == 0 else 1 / 1.01)
        total_area += shape.area()
        total_perim += shape.perimeter()
    return total_area, total_perim


def main():
    rng = random.Random(1234)
    shapes = make_shapes(rng, 200)
    area = perim = 0.0
    for rnd in range(N):
        a, p = step(shapes, rnd)
        area += a
        perim += p
    kinds = {}
    for shape in shapes:
        kind, a, p = shape.describe()
        kinds[kind] = kinds.get(kind, 0) + 1
    moves = sum(s.moves for s in shapes)
    cx = sum(s.x for s in shapes)
    result = (round(area, 3), round(perim, 3), moves, round(cx, 6),
              tuple(sorted(kinds.items())))
    if result != EXPECTED:
        raise SystemExit(f"oo_shapes: wrong result {result!r}")
    print(f"oo_shapes: ok {result[0]:.3f}")


if __name__ == "__main__":
    main()
