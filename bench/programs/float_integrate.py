"""Float loops with local variables: a fixed-step RK4 solver for a
predator-prey system and a two-body orbit, plus composite Simpson and
trapezoid quadrature of a few smooth functions."""

import math

N = 460000
EXPECTED = (1.981906517, 1.023250689, 13.676031811, -2.012635934, -1.165128761, -0.28, 1.0, 2.50662827, 0.141666667, 0.141666667, 2.0)


def lotka_volterra(t, x, y):
    alpha, beta, delta, gamma = 1.1, 0.4, 0.1, 0.4
    return alpha * x - beta * x * y, delta * x * y - gamma * y


def rk4_predator_prey(x, y, dt, steps):
    t = 0.0
    peak = 0.0
    for _ in range(steps):
        k1x, k1y = lotka_volterra(t, x, y)
        k2x, k2y = lotka_volterra(t + dt / 2, x + dt / 2 * k1x, y + dt / 2 * k1y)
        k3x, k3y = lotka_volterra(t + dt / 2, x + dt / 2 * k2x, y + dt / 2 * k2y)
        k4x, k4y = lotka_volterra(t + dt, x + dt * k3x, y + dt * k3y)
        x += dt / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
        y += dt / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y)
        t += dt
        if x > peak:
            peak = x
    return x, y, peak


def orbit(steps, dt):
    # planar Kepler problem, inlined RK4 on (px, py, vx, vy)
    px, py, vx, vy = 1.0, 0.0, 0.0, 1.2
    mu = 1.0
    min_r = 10.0
    for _ in range(steps):
        r3 = (px * px + py * py) ** 1.5
        ax1, ay1 = -mu * px / r3, -mu * py / r3
        qx, qy = px + 0.5 * dt * vx, py + 0.5 * dt * vy
        wx, wy = vx + 0.5 * dt * ax1, vy + 0.5 * dt * ay1
        r3 = (qx * qx + qy * qy) ** 1.5
        ax2, ay2 = -mu * qx / r3, -mu * qy / r3
        sx, sy = px + 0.5 * dt * wx, py + 0.5 * dt * wy
        ux, uy = vx + 0.5 * dt * ax2, vy + 0.5 * dt * ay2
        r3 = (sx * sx + sy * sy) ** 1.5
        ax3, ay3 = -mu * sx / r3, -mu * sy / r3
        ex, ey = px + dt * ux, py + dt * uy
        fx, fy = vx + dt * ax3, vy + dt * ay3
        r3 = (ex * ex + ey * ey) ** 1.5
        ax4, ay4 = -mu * ex / r3, -mu * ey / r3
        px += dt / 6.0 * (vx + 2.0 * wx + 2.0 * ux + fx)
        py += dt / 6.0 * (vy + 2.0 * wy + 2.0 * uy + fy)
        vx += dt / 6.0 * (ax1 + 2.0 * ax2 + 2.0 * ax3 + ax4)
        vy += dt / 6.0 * (ay1 + 2.0 * ay2 + 2.0 * ay3 + ay4)
        r = math.sqrt(px * px + py * py)
        if r < min_r:
            min_r = r
    energy = 0.5 * (vx * vx + vy * vy) - mu / math.sqrt(px * px + py * py)
    return px, py, energy, min_r


def simpson(f, a, b, n):
    h = (b - a) / n
    total = f(a) + f(b)
    for i in range(1, n):
        x = a + i * h
        if i % 2:
            total += 4.0 * f(x)
        else:
            total += 2.0 * f(x)
    return total * h / 3.0


def trapezoid(f, a, b, n):
    h = (b - a) / n
    total = 0.5 * (f(a) + f(b))
    x = a
    for _ in range(1, n):
        x += h
        total += f(x)
    return total * h


def gaussian(x):
    return math.exp(-0.5 * x * x)


def bump(x):
    return x * x * (1.0 - x) ** 3 + 0.25 * x


def main():
    x, y, peak = rk4_predator_prey(10.0, 5.0, 0.001, N)
    px, py, energy, min_r = orbit(N, 0.001)
    g = simpson(gaussian, -6.0, 6.0, N)
    if abs(g - math.sqrt(2.0 * math.pi)) > 1e-7:
        raise SystemExit("float_integrate: gaussian integral off")
    b1 = simpson(bump, 0.0, 1.0, N)
    b2 = trapezoid(bump, 0.0, 1.0, N)
    s = trapezoid(math.sin, 0.0, math.pi, N)
    result = tuple(round(v, 9) for v in (x, y, peak, px, py, energy, min_r, g, b1, b2, s))
    if result != EXPECTED:
        raise SystemExit(f"float_integrate: wrong result {result!r}")
    print(f"float_integrate: ok {result[0]:.6f} {result[5]:.6f}")


if __name__ == "__main__":
    main()
