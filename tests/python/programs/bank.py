"""A small bank ledger: classes, inheritance, super(), properties, dunder methods,
exceptions with custom types, with-statements, f-strings, sorting with keys."""
import functools


class InsufficientFunds(Exception):
    def __init__(self, account, amount):
        super().__init__(f"{account.owner} cannot withdraw {amount}")
        self.account = account
        self.amount = amount


class Account:
    interest = 0.01
    _next_id = 1

    def __init__(self, owner, balance=0):
        self.owner = owner
        self._balance = balance
        self.id = Account._next_id
        Account._next_id += 1
        self.history = []

    @property
    def balance(self):
        return self._balance

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError(f"deposit must be positive, not {amount!r}")
        self._balance += amount
        self.history.append(("deposit", amount))
        return self

    def withdraw(self, amount):
        if amount > self._balance:
            raise InsufficientFunds(self, amount)
        self._balance -= amount
        self.history.append(("withdraw", amount))
        return self

    def __repr__(self):
        return f"{type(self).__name__}({self.owner!r}, {self._balance})"

    def __lt__(self, other):
        return self._balance < other._balance

    def __eq__(self, other):
        return isinstance(other, Account) and self.id == other.id

    def __hash__(self):
        return hash(self.id)


class Savings(Account):
    interest = 0.03

    def __init__(self, owner, balance=0, limit=3):
        super().__init__(owner, balance)
        self.limit = limit

    def withdraw(self, amount):
        if len([h for h in self.history if h[0] == "withdraw"]) >= self.limit:
            raise PermissionError(f"withdrawal limit {self.limit} reached")
        return super().withdraw(amount)

    def add_interest(self):
        gained = round(self._balance * self.interest, 2)
        self.deposit(gained)
        return gained


class Transaction:
    def __init__(self, log):
        self.log = log

    def __enter__(self):
        self.log.append("begin")
        return self

    def __exit__(self, exc_type, exc, tb):
        self.log.append("rollback" if exc_type else "commit")
        return exc_type is InsufficientFunds


def transfer(src, dst, amount, log):
    with Transaction(log):
        src.withdraw(amount)
        dst.deposit(amount)
        return True
    return False


def main():
    log = []
    alice = Account("alice", 100)
    bob = Savings("bob", 50, limit=2)
    carol = Savings("carol", 20)
    print(alice, bob, carol)
    print(transfer(alice, bob, 30, log), transfer(alice, bob, 500, log))
    for amount in (10, 10, 10):
        try:
            bob.withdraw(amount)
        except PermissionError as e:
            print("refused:", e)
    try:
        carol.deposit(-5)
    except ValueError as e:
        print("error:", e)
    print("interest", bob.add_interest(), carol.add_interest())
    accounts = sorted([alice, bob, carol])
    print([a.owner for a in accounts], max(accounts).owner)
    totals = functools.reduce(lambda acc, a: acc + a.balance, accounts, 0)
    print(f"total={totals:.2f} log={log}")
    by_owner = {a.owner: a for a in accounts}
    print({k: v.balance for k, v in sorted(by_owner.items())})
    print(alice == by_owner["alice"], len({alice, bob, alice}))
    print(bob.history)


if __name__ == "__main__":
    main()
