"""Discrete-event simulation with heapq: a multi-counter service desk where
small Event and Customer objects flow through arrival, start-of-service,
departure and periodic sampling events ordered by (time, sequence) on a
priority queue; collects waiting-time statistics."""

import heapq
import random

N = 800000
EXPECTED = (800000, (58564, 63125, 66147, 66955), 3.531614, 104.777179, 0.798002, 43, 25425)

ARRIVAL, START, DEPART, SAMPLE, BREAK_START, BREAK_END = range(6)


class Customer:
    __slots__ = ("ident", "arrived", "started", "priority", "work")

    def __init__(self, ident, arrived, priority, work):
        self.ident = ident
        self.arrived = arrived
        self.started = 0.0
        self.priority = priority
        self.work = work


class Event:
    __slots__ = ("time", "seq", "kind", "customer", "counter")

    def __init__(self, time, seq, kind, customer=None, counter=None):
        self.time = time
        self.seq = seq
        self.kind = kind
        self.customer = customer
        self.counter = counter

    def __lt__(self, other):
        if self.time != other.time:
            return self.time < other.time
        return self.seq < other.seq


class Counter:
    def __init__(self, ident, speed):
        self.ident = ident
        self.speed = speed
        self.busy = False
        self.on_break = False
        self.served = 0
        self.busy_time = 0.0


class Simulation:
    def __init__(self, rng, counters):
        self.rng = rng
        self.now = 0.0
        self.seq = 0
        self.events = []
        self.counters = [Counter(i, 0.8 + 0.1 * i) for i in range(counters)]
        self.waiting = []          # heap of (priority, arrival seq, customer)
        self.waits = []
        self.queue_samples = []
        self.next_id = 0

    def schedule(self, delay, kind, customer=None, counter=None):
        self.seq += 1
        heapq.heappush(self.events, Event(self.now + delay, self.seq, kind, customer, counter))

    def arrival(self):
        rng = self.rng
        self.next_id += 1
        c = Customer(self.next_id, self.now, rng.randrange(3), rng.expovariate(1.0 / 3.0))
        heapq.heappush(self.waiting, (c.priority, c.ident, c))
        self.schedule(rng.expovariate(1.0), ARRIVAL)
        self.dispatch()

    def dispatch(self):
        for counter in self.counters:
            if not self.waiting:
                return
            if not counter.busy and not counter.on_break:
                _, _, c = heapq.heappop(self.waiting)
                counter.busy = True
                self.schedule(0.0, START, c, counter)

    def start(self, c, counter):
        c.started = self.now
        self.waits.append(self.now - c.arrived)
        duration = c.work / counter.speed
        counter.busy_time += duration
        self.schedule(duration, DEPART, c, counter)

    def depart(self, c, counter):
        counter.busy = False
        counter.served += 1
        if counter.served % 25 == 0:
            counter.on_break = True
            self.schedule(5.0, BREAK_END, None, counter)
        self.dispatch()

    def run(self, max_events):
        self.schedule(0.0, ARRIVAL)
        self.schedule(10.0, SAMPLE)
        handled = 0
        while self.events and handled < max_events:
            ev = heapq.heappop(self.events)
            self.now = ev.time
            handled += 1
            kind = ev.kind
            if kind == ARRIVAL:
                self.arrival()
            elif kind == START:
                self.start(ev.customer, ev.counter)
            elif kind == DEPART:
                self.depart(ev.customer, ev.counter)
            elif kind == BREAK_END:
                ev.counter.on_break = False
                self.dispatch()
            elif kind == SAMPLE:
                self.queue_samples.append(len(self.waiting))
                self.schedule(10.0, SAMPLE)
        return handled


def main():
    rng = random.Random(1234)
    sim = Simulation(rng, 4)
    handled = sim.run(N)
    waits = sim.waits
    mean_wait = sum(waits) / len(waits)
    worst = max(waits)
    served = tuple(c.served for c in sim.counters)
    util = sum(c.busy_time for c in sim.counters) / (len(sim.counters) * sim.now)
    result = (handled, served, round(mean_wait, 6), round(worst, 6), round(util, 6),
              max(sim.queue_samples), len(sim.queue_samples))
    if result != EXPECTED:
        raise SystemExit(f"event_queue: wrong result {result!r}")
    print(f"event_queue: ok {handled} {result[2]:.6f}")


if __name__ == "__main__":
    main()
