"""Business-object style OO code: products, stock lines and orders with
__init__, methods calling other methods, __eq__/__hash__ used as dict keys,
classmethod/staticmethod factories and an occasional __repr__."""

import random
import zlib

N = 54
EXPECTED = (5319674600, 1533115666)


class Money:
    __slots__ = ("cents",)

    def __init__(self, cents):
        self.cents = int(cents)

    @classmethod
    def from_units(cls, units, cents=0):
        return cls(units * 100 + cents)

    def __add__(self, other):
        return Money(self.cents + other.cents)

    def __mul__(self, qty):
        return Money(self.cents * qty)

    def __eq__(self, other):
        return isinstance(other, Money) and self.cents == other.cents

    def __hash__(self):
        return hash(self.cents)

    def __repr__(self):
        return f"Money({self.cents // 100}.{self.cents % 100:02d})"

    def discounted(self, percent):
        return Money(self.cents * (100 - percent) // 100)


class Product:
    def __init__(self, sku, name, price, category):
        self.sku = sku
        self.name = name
        self.price = price
        self.category = category

    @staticmethod
    def make_sku(category, number):
        return f"{category[:3].upper()}-{number:05d}"

    @classmethod
    def create(cls, category, number, price_cents):
        sku = cls.make_sku(category, number)
        return cls(sku, f"{category} item {number}", Money(price_cents), category)

    def __eq__(self, other):
        return isinstance(other, Product) and self.sku == other.sku

    def __hash__(self):
        return hash(self.sku)

    def __repr__(self):
        return f"Product({self.sku!r}, {self.price!r})"


class StockLine:
    def __init__(self, product, quantity):
        self.product = product
        self.quantity = quantity
        self.reserved = 0

    def available(self):
        return self.quantity - self.reserved

    def can_reserve(self, qty):
        return self.available() >= qty

    def reserve(self, qty):
        if not self.can_reserve(qty):
            return False
        self.reserved += qty
        return True

    def commit(self, qty):
        self.reserved -= qty
        self.quantity -= qty

    def restock(self, qty):
        self.quantity += qty


class Inventory:
    def __init__(self):
        self.lines = {}
        self.low_stock_events = 0

    def add(self, product, qty):
        line = self.lines.get(product)
        if line is None:
            self.lines[product] = StockLine(product, qty)
        else:
            line.restock(qty)

    def line_for(self, product):
        return self.lines[product]

    def reserve(self, product, qty):
        return self.line_for(product).reserve(qty)

    def commit(self, product, qty):
        line = self.line_for(product)
        line.commit(qty)
        if line.available() < 5:
            self.low_stock_events += 1
            line.restock(20)

    def value(self):
        total = Money(0)
        for product, line in self.lines.items():
            total = total + product.price * line.quantity
        return total


class Order:
    next_id = 1

    def __init__(self, customer):
        self.order_id = Order.next_id
        Order.next_id += 1
        self.customer = customer
        self.items = []
        self.status = "open"

    @classmethod
    def for_customer(cls, customer, wanted):
        order = cls(customer)
        for product, qty in wanted:
            order.add_item(product, qty)
        return order

    def add_item(self, product, qty):
        for i, (p, q) in enumerate(self.items):
            if p == product:
                self.items[i] = (p, q + qty)
                return
        self.items.append((product, qty))

    def subtotal(self):
        total = Money(0)
        for product, qty in self.items:
            total = total + product.price * qty
        return total

    def total(self):
        sub = self.subtotal()
        if sub.cents > 50000:
            return sub.discounted(10)
        if len(self.items) >= 4:
            return sub.discounted(5)
        return sub

    def place(self, inventory):
        reserved = []
        for product, qty in self.items:
            if inventory.reserve(product, qty):
                reserved.append((product, qty))
            else:
                for p, q in reserved:
                    inventory.line_for(p).reserved -= q
                self.status = "rejected"
                return False
        for product, qty in reserved:
            inventory.commit(product, qty)
        self.status = "placed"
        return True


def build_catalog(rng):
    categories = ["garden", "kitchen", "office", "toys", "tools", "books"]
    catalog = []
    for number in range(300):
        category = categories[number % len(categories)]
        catalog.append(Product.create(category, number, rng.randrange(199, 9999)))
    return catalog


def simulate(rng, catalog):
    Order.next_id = 1
    inventory = Inventory()
    for product in catalog:
        inventory.add(product, rng.randrange(10, 60))
    revenue = Money(0)
    placed = rejected = 0
    per_customer = {}
    for _ in range(2000):
        customer = f"cust{rng.randrange(150)}"
        wanted = [(rng.choice(catalog), rng.randrange(1, 6)) for _ in range(rng.randrange(1, 7))]
        order = Order.for_customer(customer, wanted)
        if order.place(inventory):
            placed += 1
            total = order.total()
            revenue = revenue + total
            per_customer[customer] = per_customer.get(customer, Money(0)) + total
        else:
            rejected += 1
    best = max(per_customer.items(), key=lambda kv: (kv[1].cents, kv[0]))
    return revenue.cents, placed, rejected, inventory.low_stock_events, inventory.value().cents, repr(best[1])


def main():
    rng = random.Random(1234)
    catalog = build_catalog(rng)
    unique = {p: i for i, p in enumerate(catalog)}
    if len(unique) != len(catalog):
        raise SystemExit("oo_inventory: duplicate skus")
    crc = 0
    totals = 0
    for _ in range(N):
        res = simulate(rng, catalog)
        totals += res[0]
        crc = zlib.crc32(repr(res).encode(), crc)
    result = (totals, crc)
    if result != EXPECTED:
        raise SystemExit(f"oo_inventory: wrong result {result!r}")
    print(f"oo_inventory: ok {crc:08x}")


if __name__ == "__main__":
    main()
