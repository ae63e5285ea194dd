"""A tiny expression evaluator: a tokenizer, a recursive-descent parser building tuples,
an evaluator with an environment dict, error handling, recursion, while loops,
dictionaries of functions, string formatting and integer/float arithmetic."""
import operator

OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
       "%": operator.mod, "^": pow}
PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "%": 2, "^": 3}


class ParseError(Exception):
    pass


def tokenize(src):
    tokens, i = [], 0
    while i < len(src):
        c = src[i]
        if c.isspace():
            i += 1
        elif c.isdigit() or c == ".":
            j = i
            while j < len(src) and (src[j].isdigit() or src[j] == "."):
                j += 1
            text = src[i:j]
            tokens.append(("num", float(text) if "." in text else int(text)))
            i = j
        elif c.isalpha():
            j = i
            while j < len(src) and src[j].isalnum():
                j += 1
            tokens.append(("name", src[i:j]))
            i = j
        elif c in OPS or c in "()=":
            tokens.append(("op", c))
            i += 1
        else:
            raise ParseError(f"bad character {c!r} at {i}")
    return tokens


class Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, None)

    def take(self):
        tok = self.peek()
        self.pos += 1
        return tok

    def expr(self, min_prec=1):
        left = self.atom()
        while True:
            kind, op = self.peek()
            if kind != "op" or op not in PREC or PREC[op] < min_prec:
                return left
            self.take()
            right = self.expr(PREC[op] + (0 if op == "^" else 1))
            left = (op, left, right)

    def atom(self):
        kind, value = self.take()
        if kind == "num":
            return value
        if kind == "name":
            return ("var", value)
        if value == "(":
            inner = self.expr()
            if self.take() != ("op", ")"):
                raise ParseError("expected )")
            return inner
        if value == "-":
            return ("-", 0, self.atom())
        raise ParseError(f"unexpected {value!r}")


def evaluate(node, env):
    if isinstance(node, (int, float)):
        return node
    if node[0] == "var":
        try:
            return env[node[1]]
        except KeyError:
            raise NameError(f"undefined variable {node[1]}") from None
    op, a, b = node
    return OPS[op](evaluate(a, env), evaluate(b, env))


def run(line, env):
    tokens = tokenize(line)
    if len(tokens) > 2 and tokens[1] == ("op", "="):
        name = tokens[0][1]
        env[name] = evaluate(Parser(tokens[2:]).expr(), env)
        return f"{name} = {env[name]}"
    return evaluate(Parser(tokens).expr(), env)


def main():
    env = {}
    program = ["x = 6 * 7", "y = x / 4 + 2 ^ 3 ^ 2", "(x + y) * -2", "z + 1", "10 / (5 - 5)",
               "3 $ 4", "2 ^ 100 % 97", "x % 5 * (1.5 + y)", "(1 + 2"]
    for line in program:
        try:
            print(line, "=>", run(line, env))
        except (ParseError, NameError, ZeroDivisionError) as e:
            print(line, "=>", type(e).__name__, e)
    print(sorted(env.items()))


if __name__ == "__main__":
    main()
