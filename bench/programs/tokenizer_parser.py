"""A hand-written lexer and recursive-descent parser for a tiny expression
language (let-assignments, + - * / %, comparisons, ternary `?:`, calls,
parentheses) building an AST of node objects, then evaluating it and
pretty-printing it back to source to check the round trip."""

import random
import zlib
from collections import namedtuple

N = 340
EXPECTED = (1557957668, 625044478)

KEYWORDS = {"let"}
SINGLE = set("+-*/%(),?:;=<>")


class Token:
    __slots__ = ("kind", "text", "pos")

    def __init__(self, kind, text, pos):
        self.kind = kind
        self.text = text
        self.pos = pos


def tokenize(src):
    tokens = []
    i = 0
    n = len(src)
    while i < n:
        ch = src[i]
        if ch.isspace():
            i += 1
        elif ch.isdigit():
            j = i
            while j < n and src[j].isdigit():
                j += 1
            tokens.append(Token("num", src[i:j], i))
            i = j
        elif ch.isalpha() or ch == "_":
            j = i
            while j < n and (src[j].isalnum() or src[j] == "_"):
                j += 1
            word = src[i:j]
            tokens.append(Token("kw" if word in KEYWORDS else "name", word, i))
            i = j
        elif src.startswith(("==", "<=", ">=", "!="), i):
            tokens.append(Token("op", src[i:i + 2], i))
            i += 2
        elif ch in SINGLE:
            tokens.append(Token("op", ch, i))
            i += 1
        else:
            raise SyntaxError(f"bad character {ch!r} at {i}")
    tokens.append(Token("eof", "", n))
    return tokens


Num = namedtuple("Num", "value")
Var = namedtuple("Var", "name")
BinOp = namedtuple("BinOp", "op left right")
Neg = namedtuple("Neg", "operand")
Cond = namedtuple("Cond", "test then other")
Call = namedtuple("Call", "func args")
Let = namedtuple("Let", "name expr")


PRECEDENCE = {"==": 1, "!=": 1, "<": 2, ">": 2, "<=": 2, ">=": 2,
              "+": 3, "-": 3, "*": 4, "/": 4, "%": 4}


class Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0

    def peek(self):
        return self.tokens[self.pos]

    def advance(self):
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def expect(self, text):
        tok = self.advance()
        if tok.text != text:
            raise SyntaxError(f"expected {text!r} at {tok.pos}, got {tok.text!r}")
        return tok

    def program(self):
        stmts = []
        while self.peek().kind != "eof":
            stmts.append(self.statement())
            self.expect(";")
        return stmts

    def statement(self):
        if self.peek().kind == "kw":
            self.advance()
            name = self.advance().text
            self.expect("=")
            return Let(name, self.expression())
        return self.expression()

    def expression(self):
        test = self.binary(1)
        if self.peek().text == "?":
            self.advance()
            then = self.expression()
            self.expect(":")
            return Cond(test, then, self.expression())
        return test

    def binary(self, min_prec):
        left = self.unary()
        while True:
            tok = self.peek()
            prec = PRECEDENCE.get(tok.text) if tok.kind == "op" else None
            if prec is None or prec < min_prec:
                return left
            self.advance()
            left = BinOp(tok.text, left, self.binary(prec + 1))

    def unary(self):
        if self.peek().text == "-":
            self.advance()
            return Neg(self.unary())
        return self.primary()

    def primary(self):
        tok = self.advance()
        if tok.kind == "num":
            return Num(int(tok.text))
        if tok.kind == "name":
            if self.peek().text == "(":
                self.advance()
                args = []
                if self.peek().text != ")":
                    args.append(self.expression())
                    while self.peek().text == ",":
                        self.advance()
                        args.append(self.expression())
                self.expect(")")
                return Call(tok.text, args)
            return Var(tok.text)
        if tok.text == "(":
            node = self.expression()
            self.expect(")")
            return node
        raise SyntaxError(f"unexpected {tok.text!r} at {tok.pos}")


FUNCS = {"max": max, "min": min, "abs": abs}
BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b % 1000003,
    "/": lambda a, b: a // b if b else 0,
    "%": lambda a, b: a % b if b else 0,
    "<": lambda a, b: int(a < b),
    ">": lambda a, b: int(a > b),
    "<=": lambda a, b: int(a <= b),
    ">=": lambda a, b: int(a >= b),
    "==": lambda a, b: int(a == b),
    "!=": lambda a, b: int(a != b),
}


def evaluate(node, env):
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Var):
        return env.get(node.name, 0)
    if isinstance(node, BinOp):
        a = evaluate(node.left, env)
        b = evaluate(node.right, env)
        return BINARY[node.op](a, b)
    if isinstance(node, Neg):
        return -evaluate(node.operand, env)
    if isinstance(node, Cond):
        return evaluate(node.then, env) if evaluate(node.test, env) else evaluate(node.other, env)
    if isinstance(node, Call):
        return FUNCS[node.func](*[evaluate(a, env) for a in node.args])
    if isinstance(node, Let):
        env[node.name] = value = evaluate(node.expr, env)
        return value
    raise TypeError(node)


def unparse(node):
    if isinstance(node, Num):
        return str(node.value)
    if isinstance(node, Var):
        return node.name
    if isinstance(node, BinOp):
        return f"({unparse(node.left)} {node.op} {unparse(node.right)})"
    if isinstance(node, Neg):
        return f"-{unparse(node.operand)}"
    if isinstance(node, Cond):
        return f"({unparse(node.test)} ? {unparse(node.then)} : {unparse(node.other)})"
    if isinstance(node, Call):
        return f"{node.func}({', '.join(unparse(a) for a in node.args)})"
    return f"let {node.name} = {unparse(node.expr)}"


def gen_expr(rng, names, depth):
    r = rng.random()
    if depth <= 0 or r < 0.2:
        return str(rng.randrange(100)) if rng.random() < 0.5 or not names else rng.choice(names)
    if r < 0.3:
        return f"-{gen_expr(rng, names, depth - 1)}"
    if r < 0.4:
        return f"({gen_expr(rng, names, depth - 1)})"
    if r < 0.5:
        f = rng.choice(("max", "min", "abs"))
        if f == "abs":
            return f"abs({gen_expr(rng, names, depth - 1)})"
        return f"{f}({gen_expr(rng, names, depth - 1)}, {gen_expr(rng, names, depth - 1)})"
    if r < 0.55:
        return f"{gen_expr(rng, names, depth - 1)} < 50 ? {gen_expr(rng, names, depth - 1)} : 3"
    op = rng.choice(list(PRECEDENCE))
    return f"{gen_expr(rng, names, depth - 1)} {op} {gen_expr(rng, names, depth - 1)}"


def gen_program(rng, statements):
    names = []
    lines = []
    for i in range(statements):
        expr = gen_expr(rng, names, 4)
        if rng.random() < 0.7:
            name = f"v{i % 12}"
            lines.append(f"let {name} = {expr};")
            if name not in names:
                names.append(name)
        else:
            lines.append(expr + ";")
    return "\n".join(lines)


def main():
    rng = random.Random(1234)
    acc = 0
    crc = 0
    for _ in range(N):
        src = gen_program(rng, 60)
        stmts = Parser(tokenize(src)).program()
        env = {}
        values = [evaluate(s, env) for s in stmts]
        text = ";\n".join(unparse(s) for s in stmts) + ";"
        again = Parser(tokenize(text)).program()
        env2 = {}
        if [evaluate(s, env2) for s in again] != values or env2 != env:
            raise SystemExit("tokenizer_parser: round trip changed the meaning")
        acc += sum(v % 1000003 for v in values)
        crc = zlib.crc32(text.encode(), crc)
    result = (acc, crc)
    if result != EXPECTED:
        raise SystemExit(f"tokenizer_parser: wrong result {result!r}")
    print(f"tokenizer_parser: ok {acc} {crc:08x}")


if __name__ == "__main__":
    main()
