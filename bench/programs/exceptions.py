"""Exceptions as control flow in hot loops: custom exception hierarchies
raised and caught, KeyError/IndexError/ValueError from lookups and
conversions handled inline, try/finally bookkeeping, re-raising with
context, and `with` blocks using a context-manager class."""

import random

N = 70000
EXPECTED = (23459551, 13991658, 10488764, 52500, 17500, (165561, 110866, 50336))


class ValidationError(Exception):
    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")
        self.field = field


class MissingField(ValidationError):
    pass


class OutOfRange(ValidationError):
    def __init__(self, field, value, lo, hi):
        super().__init__(field, f"{value} not in [{lo}, {hi}]")
        self.value = value


class Transaction:
    """Context manager that counts commits and rollbacks."""

    def __init__(self, ledger):
        self.ledger = ledger
        self.pending = []

    def __enter__(self):
        self.ledger["open"] += 1
        return self

    def add(self, amount):
        self.pending.append(amount)

    def __exit__(self, exc_type, exc, tb):
        self.ledger["open"] -= 1
        if exc_type is None:
            self.ledger["balance"] += sum(self.pending)
            self.ledger["commits"] += 1
            return False
        self.ledger["rollbacks"] += 1
        return issubclass(exc_type, ValidationError)


def validate(record):
    try:
        age = record["age"]
    except KeyError:
        raise MissingField("age", "required") from None
    try:
        age = int(age)
    except ValueError as exc:
        raise ValidationError("age", "not a number") from exc
    if not 0 <= age <= 120:
        raise OutOfRange("age", age, 0, 120)
    name = record.get("name")
    if not name:
        raise MissingField("name", "required")
    return age, name


def lookup_chain(table, keys):
    found = 0
    for k in keys:
        try:
            found += table[k]
        except KeyError:
            found -= 1
        except TypeError:
            found += 100
    return found


def safe_index(items, positions):
    total = 0
    for p in positions:
        try:
            total += items[p]
        except IndexError:
            total += 7
        finally:
            total += 1
    return total


def make_record(rng):
    r = {}
    if rng.random() < 0.9:
        choice = rng.random()
        r["age"] = "x" + str(rng.randrange(9)) if choice < 0.1 else str(rng.randrange(-20, 140))
    if rng.random() < 0.85:
        r["name"] = rng.choice(["al", "bo", "", "cy", "di"])
    return r


def main():
    rng = random.Random(1234)
    ledger = {"open": 0, "balance": 0, "commits": 0, "rollbacks": 0}
    errors = {"MissingField": 0, "OutOfRange": 0, "ValidationError": 0}
    total_age = 0
    table = {i: i * 3 for i in range(0, 200, 2)}
    items = list(range(50))
    acc = 0
    for i in range(N):
        batch = [make_record(rng) for _ in range(8)]
        with Transaction(ledger) as tx:
            for rec in batch:
                try:
                    age, name = validate(rec)
                except OutOfRange as exc:
                    errors["OutOfRange"] += 1
                    acc += exc.value % 11
                    continue
                except MissingField as exc:
                    errors["MissingField"] += 1
                    acc += len(exc.field)
                    continue
                except ValidationError as exc:
                    errors["ValidationError"] += 1
                    acc += exc.__cause__ is not None
                    continue
                total_age += age
                tx.add(age)
            if i % 4 == 0:
                raise ValidationError("batch", "spot check rejected")
        acc += lookup_chain(table, [i % 230, (i * 7) % 230, None if i % 9 == 0 else 4])
        acc += safe_index(items, [i % 60, -(i % 55), 3])
    if ledger["open"] != 0:
        raise SystemExit("exceptions: transaction left open")
    result = (acc, total_age, ledger["balance"], ledger["commits"], ledger["rollbacks"],
              tuple(errors.values()))
    if result != EXPECTED:
        raise SystemExit(f"exceptions: wrong result {result!r}")
    print(f"exceptions: ok {acc} {ledger['balance']}")


if __name__ == "__main__":
    main()
