"""Random, valid, deterministic Python programs for the differential program fuzzer.

    from gen import generate
    source = generate(seed)        # the same seed gives the same text, on any machine

A program is a module: a few exception classes and small classes (with and without
__slots__, properties, __getattr__, dunder methods, context managers), some globals,
the inline-cache prelude (gen_ics.py: receiver classes, callees, a module object), then
20-40 functions (2-4 of them made of gen_ics.py's polymorphic sites, classes mutated
after warm-up and monkey-patching, which the other functions contain too), then
CASES = [(name, function, args, kwargs), ...], the calls the runner makes one after the
other. The generator is type-directed (it knows roughly what each variable holds) so
that most operations succeed and a controlled minority raise ZeroDivisionError,
TypeError, KeyError, IndexError, AttributeError, OverflowError, ValueError,
UnboundLocalError, ... on purpose.

Constraints the runner relies on:
  - no generators, generator expressions, coroutines or async code (the JIT leaves
    them to the interpreter), and no `yield` anywhere;
  - nothing random at run time: no id(), hash() of identity-hashed objects, time,
    random, object addresses in sets or dict keys;
  - bounded work: loops run a handful of iterations, exponents and shifts are reduced
    modulo small constants, functions only call "leaf" functions defined before them.
"""
import random

from gen_ics import ICMixin   # inline-cache stress: polymorphic sites, mutated classes, monkey-patching

# ---------------------------------------------------------------------------------------------
# Types are small tuples: ('int',), ('list', elem), ('dict', key, value), ('set', elem),
# ('tuple', (t1, t2, ...)), ('obj', classname), ('func', nparams). ANY is "unknown".

INT, FLOAT, BOOL, COMPLEX, STR, BYTES, NONE = (('int',), ('float',), ('bool',), ('complex',),
                                               ('str',), ('bytes',), ('none',))
ANY = ('any',)
NOISY = ('noisy',)   # an N (prelude): says when it dies, hashes to 7, may raise
SCALARS = [INT, FLOAT, BOOL, COMPLEX, STR, BYTES, NONE]
KEYS = [INT, STR, BOOL, BYTES, NONE]
NUMERIC = [INT, FLOAT, BOOL, COMPLEX]

SMALL_INTS = [0, 1, 2, 3, -1, -2, 5, 7, 10, 100, 255, 256, 257, -5, -6]
BOUNDARY_INTS = [2**30 - 1, 2**30, -2**30, -2**30 - 1, 2**31 - 1, 2**31, -2**31, 2**32,
                 2**62, 2**62 - 1, -2**62, 2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64 - 1,
                 2**64, -2**64, 4611686018427387903, 3037000499, 3037000500, -3037000500]
HUGE_INTS = ['10 ** 30', '-(10 ** 25)', '2 ** 100', '(2 ** 127) - 1', '-(2 ** 200) + 7',
             '12345678901234567890123456789']
FLOATS = ['0.0', '-0.0', '1.5', '-2.25', '0.1', '3.0', '1e16', '1e308', '-1e308', '5e-324',
          "float('inf')", "float('-inf')", "float('nan')", '2.5', '1e-10', '9007199254740993.0',
          '-7.75', '100.0']
COMPLEXES = ['1j', '(2+3j)', '(-1.5-0.5j)', 'complex(0.0, -0.0)', '(1e308+1e308j)', '0j']
STRS = ["''", "'a'", "'abc'", "'Hello World'", "'x-y-z'", "'0'", "'12'", "' pad '",
        "'h\\xe9llo'", "'a\\nb'", "'\\u20ac5'", "'AbC'", "'aaa'", "'key'", "'-7'"]
BYTESES = ["b''", "b'ab'", "b'\\x00\\xff'", "b'xyz'", "b'12'"]
EXC_BUILTIN = ['ValueError', 'TypeError', 'KeyError', 'IndexError', 'ZeroDivisionError',
               'AttributeError', 'OverflowError', 'RuntimeError', 'LookupError',
               'ArithmeticError', 'NameError', 'UnboundLocalError', 'AssertionError']


def recv(src):
    """src usable before '.attr' or '[...]': literals and negations get parentheses."""
    if src[:1].isdigit() or src[:1] in '-+~' or src.startswith(('not ', 'lambda')):
        return '(%s)' % src
    return src


def is_t(t, name):
    return t[0] == name


def type_key(t):
    return t[0]


class Var:
    __slots__ = ('name', 'type', 'cell_ok')

    def __init__(self, name, typ):
        self.name = name
        self.type = typ


class Scope:
    """Names usable at this point of a block: assigned on every path reaching it."""

    def __init__(self, parent=None, boundary=False):
        self.parent = parent
        self.vars = []
        self.boundary = boundary   # a function's own outermost scope: rebinding stops here

    def writable(self):
        """Variables this function may rebind (its own, not the enclosing function's)."""
        return self._visible(stop_at_boundary=True)

    def all(self):
        return self._visible(stop_at_boundary=False)

    def _visible(self, stop_at_boundary):
        """Innermost binding of each name, innermost scope first."""
        out = []
        s = self
        seen = set()
        while s is not None:
            for v in reversed(s.vars):
                if v.name not in seen:
                    seen.add(v.name)
                    out.append(v)
            if stop_at_boundary and s.boundary:
                break
            s = s.parent
        return out

    def add(self, name, typ):
        self.vars.append(Var(name, typ))

    def remove(self, name):
        s = self
        while s is not None:
            s.vars = [v for v in s.vars if v.name != name]
            s = s.parent


class FuncCtx:
    """What the generator knows while writing one function body."""

    def __init__(self, name, leaf, nested_level=0, outer=None, kind='func'):
        self.name = name
        self.kind = kind         # 'func', or 'module' for module-level statements
        self.leaf = leaf
        self.counter = 0
        self.loop_depth = 0
        self.in_handler = 0      # inside an except block (bare raise is legal)
        self.in_finally = 0
        self.nested_level = nested_level
        self.outer = outer       # enclosing FuncCtx for nested defs
        self.globals_written = set()
        self.nonlocals = set()
        self.deleted = set()
        self.cells_captured = set()
        self.no_del = set()      # names that must stay bound (loop counters, nonlocals)
        self.assigned = []       # every plain variable this function assigns, in any block


class ClassInfo:
    def __init__(self, name):
        self.name = name
        self.slots = False
        self.attrs = {}          # attribute -> type
        self.has_prop = False
        self.prop_setter = False
        self.has_getattr = False
        self.methods = {}        # name -> (nparams, return type)
        self.is_cm = False
        self.iterable = False
        self.has_len = False
        self.has_add = False
        self.has_eq = False
        self.hashable = False
        self.callable = False
        self.has_getitem = False
        self.base = None


class FuncInfo:
    def __init__(self, name, params, leaf, ret):
        self.name = name
        self.params = params     # list of (kind, name, type, default_src or None)
        self.leaf = leaf
        self.ret = ret


class Generator(ICMixin):
    def __init__(self, seed, nfuncs=None):
        self.r = random.Random(seed)
        self.seed = seed
        self.lines = []
        self.classes = []
        self.exc_classes = []
        self.globals = []        # Var
        self.funcs = []
        self.nfuncs = nfuncs if nfuncs is not None else self.r.randint(20, 40)
        self.ncount = 0          # tags of noisy objects N("n<k>"), unique in a program

    # -- helpers ------------------------------------------------------------------------------
    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    def fresh(self, ctx, prefix='v'):
        ctx.counter += 1
        return '%s%d' % (prefix, ctx.counter)

    # -- literals ------------------------------------------------------------------------------
    def lit_int(self):
        k = self.r.random()
        if k < 0.55:
            return str(self.pick(SMALL_INTS))
        if k < 0.75:
            return str(self.r.randint(-2**31, 2**31))
        if k < 0.93:
            return str(self.pick(BOUNDARY_INTS))
        return '(%s)' % self.pick(HUGE_INTS)

    def lit(self, t, depth=0):
        k = t[0]
        if k == 'int':
            return self.lit_int()
        if k == 'float':
            return self.pick(FLOATS)
        if k == 'bool':
            return self.pick(['True', 'False'])
        if k == 'complex':
            return self.pick(COMPLEXES)
        if k == 'str':
            return self.pick(STRS)
        if k == 'bytes':
            return self.pick(BYTESES)
        if k == 'none':
            return 'None'
        if k == 'list':
            n = self.r.randint(0, 4) if depth < 2 else self.r.randint(0, 2)
            return '[%s]' % ', '.join(self.lit(t[1], depth + 1) for _ in range(n))
        if k == 'set':
            n = self.r.randint(0, 4)
            if n == 0:
                return 'set()'
            return '{%s}' % ', '.join(self.lit(t[1], depth + 1) for _ in range(n))
        if k == 'dict':
            n = self.r.randint(0, 4) if depth < 2 else self.r.randint(0, 2)
            return '{%s}' % ', '.join('%s: %s' % (self.lit(t[1], depth + 1), self.lit(t[2], depth + 1))
                                      for _ in range(n))
        if k == 'tuple':
            items = [self.lit(e, depth + 1) for e in t[1]]
            if len(items) == 1:
                return '(%s,)' % items[0]
            return '(%s)' % ', '.join(items)
        if k == 'obj':
            return self.construct(t[1], depth)
        if k == 'func':
            return self.pick(['abs', 'len', 'str', 'repr', 'bool']) if t[1] == 1 else 'max'
        if k == 'noisy':
            return self.nz(0)
        return self.lit(self.pick(SCALARS), depth)

    def rand_type(self, depth=0, hashable=False):
        if hashable:
            k = self.r.random()
            if k < 0.85:
                return self.pick(KEYS)
            return ('tuple', tuple(self.pick(KEYS) for _ in range(self.r.randint(1, 3))))
        k = self.r.random()
        if k < 0.25:
            return INT
        if k < 0.5 or depth > 1:
            return self.pick(SCALARS + [INT, STR, FLOAT])
        if k < 0.65:
            return ('list', self.rand_type(depth + 1))
        if k < 0.75:
            return ('dict', self.rand_type(depth + 1, True), self.rand_type(depth + 1))
        if k < 0.8:
            return ('set', self.rand_type(depth + 1, True))
        if k < 0.9:
            return ('tuple', tuple(self.rand_type(depth + 1) for _ in range(self.r.randint(1, 3))))
        if self.classes:
            return ('obj', self.pick(self.classes).name)
        return INT

    def construct(self, cname, depth=0):
        c = self.class_info(cname)
        x = self.lit_int() if depth > 1 or self.chance(0.7) else self.expr_int_safe()
        if self.chance(0.5):
            return '%s(%s, %s)' % (cname, x, self.pick(STRS))
        return '%s(%s)' % (cname, x)

    def class_info(self, name):
        for c in self.classes:
            if c.name == name:
                return c
        raise KeyError(name)

    def expr_int_safe(self):
        return str(self.pick(SMALL_INTS))

    # -- variables -----------------------------------------------------------------------------
    def vars_of(self, scope, t):
        return [v for v in scope.all() if v.type == t]

    def var_any(self, scope):
        vs = scope.all()
        return self.pick(vs) if vs else None

    # -- expressions ---------------------------------------------------------------------------
    def expr(self, ctx, scope, t, d=0):
        """Source of an expression that (usually) evaluates to type t."""
        if d > 3 or self.chance(0.15 + 0.2 * d):
            return self.atom(ctx, scope, t)
        k = t[0]
        fn = getattr(self, 'expr_' + k, None)
        if fn is None:
            return self.atom(ctx, scope, t)
        return fn(ctx, scope, t, d + 1)

    def atom(self, ctx, scope, t):
        cands = self.vars_of(scope, t)
        if t == INT:
            cands += self.vars_of(scope, BOOL) if self.chance(0.1) else []
        if cands and self.chance(0.75):
            return self.pick(cands).name
        if t == INT and self.globals and self.chance(0.15):
            gs = [g for g in self.globals if g.type == INT]
            if gs:
                return self.pick(gs).name
        return self.lit(t)

    def operand(self, ctx, scope, t, d):
        e = self.expr(ctx, scope, t, d)
        return e

    def wrong_type(self, t):
        """Occasionally a type that makes the operation raise TypeError."""
        return self.pick([STR, NONE, ('list', INT), BYTES, FLOAT, INT, COMPLEX, ('tuple', (INT,))])

    def expr_int(self, ctx, scope, t, d):
        r = self.r.random()
        a = lambda: self.operand(ctx, scope, INT, d)
        if r < 0.35:
            op = self.pick(['+', '-', '*', '+', '-', '*', '//', '%', '&', '|', '^'])
            rhs = a()
            if op in ('//', '%') and self.chance(0.7):
                rhs = '(%s or 1)' % rhs if self.chance(0.8) else rhs
            if self.chance(0.05):
                rhs = self.expr(ctx, scope, self.wrong_type(INT), d)
            return '(%s %s %s)' % (a(), op, rhs)
        if r < 0.42:
            op = self.pick(['<<', '>>'])
            return '(%s %s (%s %% %d))' % (a(), op, a(), self.pick([8, 31, 65, 70]))
        if r < 0.46 and ctx.loop_depth == 0:
            return '(%s ** (%s %% %d))' % (a(), a(), self.pick([2, 3]))
        if r < 0.52:
            return '(%s%s)' % (self.pick(['-', '~', '+', '-']), a())
        if r < 0.58:
            t2 = self.pick([('list', ANY), STR, ('dict', INT, INT), ('tuple', (INT, STR)), BYTES,
                            ('set', INT)])
            src = self.expr(ctx, scope, self.concrete(t2), d)
            return 'len(%s)' % src
        if r < 0.64:
            fn = self.pick(['abs', 'int', 'min', 'max', 'round', 'hash', 'sum', 'divmod', 'pow', 'ord'])
            if fn == 'abs':
                return 'abs(%s)' % a()
            if fn == 'int':
                src = self.pick([self.expr(ctx, scope, FLOAT, d), self.expr(ctx, scope, STR, d), a(),
                                 self.expr(ctx, scope, BOOL, d)])
                return 'int(%s)' % src
            if fn in ('min', 'max'):
                return '%s(%s, %s)' % (fn, a(), a())
            if fn == 'round':
                return 'round(%s)' % self.expr(ctx, scope, FLOAT, d)
            if fn == 'hash':
                return 'hash(%s)' % self.expr(ctx, scope, self.pick([INT, STR, BYTES, ('tuple', (INT, STR))]), d)
            if fn == 'sum':
                return 'sum(%s)' % self.expr(ctx, scope, ('list', INT), d)
            if fn == 'divmod':
                return 'divmod(%s, %s)[%d]' % (a(), a(), self.r.randint(0, 1))
            if fn == 'pow':
                return 'pow(%s, %s %% 4, %s)' % (a(), a(), self.pick(['7', '1000000007', '(%s or 3)' % a()]))
            return "ord(%s)" % self.pick(["'a'", "'\\u20ac'", self.expr(ctx, scope, STR, d)])
        if r < 0.7:
            return self.subscript_expr(ctx, scope, INT, d)
        if r < 0.76:
            return self.attr_expr(ctx, scope, INT, d)
        if r < 0.82:
            return self.call_expr(ctx, scope, INT, d)
        if r < 0.86:
            return '(%s if %s else %s)' % (a(), self.cond(ctx, scope, d), a())
        if r < 0.9:
            s = self.expr(ctx, scope, STR, d)
            return self.pick(['%s.find(%s)' % (recv(s), self.expr(ctx, scope, STR, d)),
                              '%s.count(%s)' % (recv(s), self.pick(STRS)),
                              '%s.index(%s)' % (recv(s), self.pick(STRS))])
        if r < 0.93:
            return '%s.bit_length()' % recv(a())
        if r < 0.96:
            lst = self.expr(ctx, scope, ('list', INT), d)
            return self.pick(['%s.count(%s)' % (recv(lst), a()), '%s.count(%s)' % (recv(lst), a()),
                              '%s.index(%s)' % (recv(lst), a())])
        return self.atom(ctx, scope, INT)

    def concrete(self, t):
        if t[0] == 'list' and t[1] == ANY:
            return ('list', self.rand_type(1))
        return t

    def expr_bool(self, ctx, scope, t, d):
        r = self.r.random()
        if r < 0.5:
            return self.cond(ctx, scope, d)
        if r < 0.6:
            return 'bool(%s)' % self.expr(ctx, scope, self.rand_type(1), d)
        if r < 0.7:
            return 'isinstance(%s, %s)' % (self.expr(ctx, scope, self.rand_type(1), d),
                                           self.pick(['int', 'str', '(int, float)', 'list', 'bool', 'object']))
        if r < 0.78:
            o = self.obj_var(scope)
            if o is not None:
                return "hasattr(%s, %s)" % (o, self.pick(["'x'", "'y'", "'zz'", "'p'"]))
        if r < 0.85:
            return '(%s %s %s)' % (self.expr(ctx, scope, BOOL, d), self.pick(['&', '|', '^', 'and', 'or']),
                                   self.expr(ctx, scope, BOOL, d))
        if r < 0.9:
            return '(not %s)' % self.expr(ctx, scope, self.rand_type(1), d)
        return self.atom(ctx, scope, BOOL)

    def cond(self, ctx, scope, d):
        r = self.r.random()
        t = self.pick([INT, INT, FLOAT, STR, INT, ('list', INT), BOOL])
        a = lambda: self.expr(ctx, scope, t, d + 1)
        if r < 0.45:
            op = self.pick(['<', '<=', '>', '>=', '==', '!='])
            if t[0] in ('str', 'list') and op in ('<', '<=', '>', '>=') and self.chance(0.1):
                return '(%s %s %s)' % (a(), op, self.expr(ctx, scope, INT, d + 1))
            return '(%s %s %s)' % (a(), op, a())
        if r < 0.55:
            return '(%s %s %s %s %s)' % (a(), self.pick(['<', '<=', '==']), a(),
                                         self.pick(['<', '<=', '!=']), a())
        if r < 0.65:
            ct = self.pick([('list', INT), STR, ('dict', INT, STR), ('set', INT), ('tuple', (INT, INT))])
            et = {'list': INT, 'str': STR, 'dict': INT, 'set': INT, 'tuple': INT}[ct[0]]
            return '(%s %s %s)' % (self.expr(ctx, scope, et, d + 1), self.pick(['in', 'not in']),
                                   self.expr(ctx, scope, ct, d + 1))
        if r < 0.72:
            return '(%s %s %s)' % (self.expr(ctx, scope, self.rand_type(1), d + 1), self.pick(['is', 'is not']),
                                   self.pick(['None', 'True', self.expr(ctx, scope, self.rand_type(1), d + 1)]))
        if r < 0.82:
            return '(%s %s %s)' % (self.cond(ctx, scope, d + 1), self.pick(['and', 'or']), self.cond(ctx, scope, d + 1))
        if r < 0.88:
            return '(not %s)' % self.cond(ctx, scope, d + 1)
        if r < 0.94:
            objs = [v.name for v in scope.all() if v.type[0] == 'obj']
            if objs and self.chance(0.4):
                return self.pick(objs)   # __bool__ (may raise), __len__ (may be negative)
            return self.expr(ctx, scope, self.pick([INT, STR, ('list', INT), FLOAT, NONE]), d + 1)
        return self.atom(ctx, scope, BOOL)

    def expr_float(self, ctx, scope, t, d):
        r = self.r.random()
        f = lambda: self.operand(ctx, scope, FLOAT, d)
        n = lambda: self.operand(ctx, scope, self.pick([FLOAT, INT, FLOAT]), d)
        if r < 0.4:
            op = self.pick(['+', '-', '*', '/', '+', '-', '*', '//', '%'])
            return '(%s %s %s)' % (f(), op, n())
        if r < 0.5:
            return '(%s / %s)' % (self.operand(ctx, scope, INT, d), self.operand(ctx, scope, INT, d))
        if r < 0.56 and ctx.loop_depth == 0:
            return '(%s ** %s)' % (f(), self.pick(['2', '0.5', '-1', '3', '(%s %% 4)' % self.operand(ctx, scope, INT, d)]))
        if r < 0.64:
            return 'float(%s)' % self.pick([self.operand(ctx, scope, INT, d), self.pick(["'1.5'", "'inf'", "'-nan'", "'x'", "'1e500'"]),
                                            self.operand(ctx, scope, STR, d)])
        if r < 0.7:
            return '(-%s)' % f()
        if r < 0.75:
            return 'abs(%s)' % f()
        if r < 0.8:
            return '(%s if %s else %s)' % (f(), self.cond(ctx, scope, d), f())
        if r < 0.85:
            return self.subscript_expr(ctx, scope, FLOAT, d)
        if r < 0.9:
            return self.call_expr(ctx, scope, FLOAT, d)
        if r < 0.94:
            return 'round(%s, %d)' % (f(), self.r.randint(-1, 3))
        if r < 0.98:
            return 'math.%s(%s)' % (self.pick(['sqrt', 'fabs', 'exp', 'log', 'sin', 'ceil', 'floor', 'trunc',
                                              'copysign(1.0, %s) * 1.0 + math.fsum' % f()]),
                                    self.pick([f(), self.expr(ctx, scope, ('list', FLOAT), d)]))
        return self.atom(ctx, scope, FLOAT)

    def expr_complex(self, ctx, scope, t, d):
        r = self.r.random()
        c = lambda: self.operand(ctx, scope, COMPLEX, d)
        if r < 0.6:
            return '(%s %s %s)' % (c(), self.pick(['+', '-', '*', '/']),
                                   self.operand(ctx, scope, self.pick([COMPLEX, INT, FLOAT]), d))
        if r < 0.7:
            return 'complex(%s, %s)' % (self.operand(ctx, scope, FLOAT, d), self.operand(ctx, scope, INT, d))
        if r < 0.8:
            return '(-%s)' % c()
        return self.atom(ctx, scope, COMPLEX)

    def expr_str(self, ctx, scope, t, d):
        r = self.r.random()
        s = lambda: self.operand(ctx, scope, STR, d)
        if r < 0.2:
            rhs = s() if self.chance(0.93) else self.expr(ctx, scope, self.wrong_type(STR), d)
            return '(%s + %s)' % (s(), rhs)
        if r < 0.26:
            return '(%s * %s)' % (s(), self.pick(['2', '3', '0', '-1', 'True', '(%s %% 4)' % self.operand(ctx, scope, INT, d)]))
        if r < 0.36:
            return self.fstring(ctx, scope, d)
        if r < 0.46:
            m = self.pick(['upper()', 'lower()', 'strip()', 'title()', 'swapcase()', "replace('a', 'b')",
                           "lstrip('x')", 'capitalize()', "center(7, '*')", "zfill(5)", "ljust(4)",
                           "removeprefix('a')", "casefold()", "expandtabs()"])
            return '%s.%s' % (recv(s()), m)
        if r < 0.52:
            return "%s.join(%s)" % (self.pick(["''", "','", "'-'", s()]),
                                    self.expr(ctx, scope, ('list', STR) if self.chance(0.95) else ('list', INT), d))
        if r < 0.6:
            return self.pick(['str(%s)', 'repr(%s)', 'ascii(%s)', 'format(%s)', 'type(%s).__name__']) % \
                self.expr(ctx, scope, self.rand_type(1), d)
        if r < 0.7:
            return self.slice_expr(ctx, scope, STR, d)
        if r < 0.76:
            return self.subscript_expr(ctx, scope, STR, d)
        if r < 0.8:
            return self.attr_expr(ctx, scope, STR, d)
        if r < 0.85:
            return self.call_expr(ctx, scope, STR, d)
        if r < 0.9:
            fmt = self.pick(["'%d-%s'", "'%r'", "'%5.2f|%x'", "'%s'", "'%(a)s'"])
            if fmt == "'%d-%s'":
                args = '(%s, %s)' % (self.operand(ctx, scope, INT, d), s())
            elif fmt == "'%5.2f|%x'":
                args = '(%s, %s)' % (self.operand(ctx, scope, FLOAT, d), self.operand(ctx, scope, INT, d))
            elif fmt == "'%(a)s'":
                args = "{'a': %s}" % self.operand(ctx, scope, self.rand_type(1), d)
            else:
                args = '(%s,)' % self.operand(ctx, scope, self.rand_type(1), d)
            return '(%s %% %s)' % (fmt, args)
        if r < 0.93:
            return 'chr(%s)' % self.pick(['65', '0x20ac', '(%s %% 1114112)' % self.operand(ctx, scope, INT, d),
                                         self.operand(ctx, scope, INT, d)])
        if r < 0.96:
            return '(%s if %s else %s)' % (s(), self.cond(ctx, scope, d), s())
        return self.atom(ctx, scope, STR)

    def fstring(self, ctx, scope, d):
        parts = []
        for _ in range(self.r.randint(1, 3)):
            if self.chance(0.3):
                parts.append(self.pick(['a', '-', ' ', '{{', '}}', 'x=']))
            t = self.pick([INT, FLOAT, STR, ('list', INT), BOOL, NONE])
            e = self.atom(ctx, scope, t)
            if '\\' in e:
                e = "'x'"
            if self.chance(0.04):
                t, e = NOISY, self.nz(self.pick([0, 0, 0, 3]))   # __format__ returns a noisy str
            conv = self.pick(['', '', '!r', '!s', '!a'])
            spec = ''
            if t == INT and self.chance(0.4):
                spec = self.pick([':5', ':x', ':08b', ':,', ':+d', ':>4', ':^7'])
            elif t == FLOAT and self.chance(0.4):
                spec = self.pick([':.2f', ':e', ':10.3g', ':%', ':+.1f'])
            elif t == STR and self.chance(0.3):
                spec = self.pick([':>6', ':<3', ':^5', ':.2'])
            if conv and spec and self.chance(0.5):
                spec = ''
            parts.append('{%s%s%s}' % (e if not e.startswith("'") else '(%s)' % e, conv, spec))
        body = ''.join(parts).replace("'", '"')
        return "f'%s'" % body

    def expr_bytes(self, ctx, scope, t, d):
        r = self.r.random()
        b = lambda: self.operand(ctx, scope, BYTES, d)
        if r < 0.3:
            return '(%s + %s)' % (b(), b())
        if r < 0.4:
            return '(%s * %s)' % (b(), self.pick(['2', '0', '3']))
        if r < 0.55:
            return self.slice_expr(ctx, scope, BYTES, d)
        if r < 0.65:
            return '%s.upper()' % recv(b())
        if r < 0.75:
            return "%s.encode(%s)" % (recv(self.operand(ctx, scope, STR, d)), self.pick(["'utf-8'", "'ascii'", "'latin-1'"]))
        if r < 0.8:
            return 'bytes(%s)' % self.pick(['3', '[65, 66]', '[%s %% 256]' % self.operand(ctx, scope, INT, d),
                                           '[%s]' % self.operand(ctx, scope, INT, d)])
        return self.atom(ctx, scope, BYTES)

    def expr_none(self, ctx, scope, t, d):
        r = self.r.random()
        if r < 0.3:
            lst = self.list_var(scope)
            if lst is not None:
                return '%s.append(%s)' % (lst.name, self.expr(ctx, scope, lst.type[1], d))
        if r < 0.5:
            return 'print(%s)' % self.expr(ctx, scope, self.rand_type(1), d)
        return 'None'

    def list_var(self, scope):
        vs = [v for v in scope.all() if v.type[0] == 'list' and v.type[1] != ANY]
        return self.pick(vs) if vs else None

    def obj_var(self, scope):
        vs = [v for v in scope.all() if v.type[0] == 'obj']
        return self.pick(vs).name if vs else None

    def expr_list(self, ctx, scope, t, d):
        et = t[1] if t[1] != ANY else self.rand_type(1)
        t = ('list', et)
        r = self.r.random()
        l = lambda: self.operand(ctx, scope, t, d)
        if r < 0.2:
            n = self.r.randint(0, 4)
            return '[%s]' % ', '.join(self.expr(ctx, scope, et, d) for _ in range(n))
        if r < 0.3:
            return '(%s + %s)' % (l(), l())
        if r < 0.35:
            return '[*%s, *%s]' % (l(), self.pick([l(), self.expr(ctx, scope, ('tuple', (et, et)), d)]))
        if r < 0.5:
            return self.comprehension(ctx, scope, t, d)
        if r < 0.6:
            return self.slice_expr(ctx, scope, t, d)
        if r < 0.66:
            if et in (INT, STR, FLOAT, BOOL):
                key = self.pick(['', ', reverse=True', ', key=abs' if et == INT else ', key=str',
                                 ', key=lambda q: -q' if et == INT else ''])
                return 'sorted(%s%s)' % (l(), key)
            return 'list(%s)' % l()
        if r < 0.7:
            return '(%s * %s)' % (l(), self.pick(['2', '0', '-1', '3']))
        if r < 0.75:
            if et == STR:
                return "%s.split(%s)" % (recv(self.operand(ctx, scope, STR, d)), self.pick(['', "'-'", "'a'", "None, 1"]))
            if et == INT:
                return 'list(range(%s %% 7))' % self.operand(ctx, scope, INT, d)
            return 'list(%s)' % l()
        if r < 0.8:
            return self.call_expr(ctx, scope, t, d)
        if r < 0.85:
            return self.attr_expr(ctx, scope, t, d)
        if r < 0.9 and et in (INT, STR):
            return 'list(reversed(%s))' % l()
        return self.atom(ctx, scope, t)

    def expr_tuple(self, ctx, scope, t, d):
        r = self.r.random()
        if r < 0.6:
            items = [self.expr(ctx, scope, e, d) for e in t[1]]
            return '(%s,)' % items[0] if len(items) == 1 else '(%s)' % ', '.join(items)
        if r < 0.7 and len(set(t[1])) == 1:
            return 'tuple(%s)' % self.expr(ctx, scope, ('list', t[1][0]), d)
        if r < 0.8 and len(t[1]) == 2 and t[1] == (INT, INT):
            return 'divmod(%s, %s)' % (self.operand(ctx, scope, INT, d), '(%s or 1)' % self.operand(ctx, scope, INT, d))
        return self.atom(ctx, scope, t)

    def expr_dict(self, ctx, scope, t, d):
        r = self.r.random()
        dd = lambda: self.operand(ctx, scope, t, d)
        if r < 0.3:
            n = self.r.randint(0, 3)
            return '{%s}' % ', '.join('%s: %s' % (self.expr(ctx, scope, t[1], d), self.expr(ctx, scope, t[2], d))
                                      for _ in range(n))
        if r < 0.4:
            return '{**%s, **%s}' % (dd(), dd())
        if r < 0.5:
            return self.comprehension(ctx, scope, t, d)
        if r < 0.55:
            return 'dict(%s)' % dd()
        if r < 0.6:
            return '(%s | %s)' % (dd(), dd())
        if r < 0.65 and t[1] == STR:
            names = self.r.sample(['a', 'b', 'key', 'x'], self.r.randint(0, 3))
            return 'dict(%s)' % ', '.join('%s=%s' % (n, self.expr(ctx, scope, t[2], d)) for n in names)
        if r < 0.7:
            return 'dict.fromkeys(%s, %s)' % (self.expr(ctx, scope, ('list', t[1]), d), self.expr(ctx, scope, t[2], d))
        return self.atom(ctx, scope, t)

    def expr_set(self, ctx, scope, t, d):
        r = self.r.random()
        s = lambda: self.operand(ctx, scope, t, d)
        if r < 0.3:
            return '(%s %s %s)' % (s(), self.pick(['|', '&', '-', '^']), s())
        if r < 0.45:
            return self.comprehension(ctx, scope, t, d)
        if r < 0.55:
            return 'set(%s)' % self.expr(ctx, scope, ('list', t[1]), d)
        if r < 0.65:
            n = self.r.randint(1, 3)
            return '{%s}' % ', '.join(self.expr(ctx, scope, t[1], d) for _ in range(n))
        if r < 0.7:
            return '{*%s, *%s}' % (s(), self.expr(ctx, scope, ('list', t[1]), d))
        return self.atom(ctx, scope, t)

    def expr_obj(self, ctx, scope, t, d):
        if self.chance(0.4):
            return self.construct(t[1], d)
        c = self.class_info(t[1])
        if c.has_add and self.chance(0.4):
            return '(%s + %s)' % (self.atom(ctx, scope, t), self.atom(ctx, scope, t))
        return self.atom(ctx, scope, t)

    def expr_func(self, ctx, scope, t, d):
        return self.atom(ctx, scope, t)

    def expr_any(self, ctx, scope, t, d):
        return self.expr(ctx, scope, self.rand_type(1), d)

    # -- subscripts, slices, attributes ----------------------------------------------------------
    def subscript_expr(self, ctx, scope, et, d):
        r = self.r.random()
        if r < 0.4:
            lt = ('list', et)
            idx = self.index_expr(ctx, scope, d)
            return '%s[%s]' % (recv(self.expr(ctx, scope, lt, d)), idx)
        if r < 0.7:
            kt = self.pick(KEYS[:3])
            dt = ('dict', kt, et)
            if self.chance(0.3):
                return '%s.get(%s%s)' % (recv(self.expr(ctx, scope, dt, d)), self.expr(ctx, scope, kt, d),
                                         ', %s' % self.expr(ctx, scope, et, d) if et != NONE else '')
            return '%s[%s]' % (recv(self.expr(ctx, scope, dt, d)), self.expr(ctx, scope, kt, d))
        if r < 0.85 and et == STR:
            return '%s[%s]' % (recv(self.expr(ctx, scope, STR, d)), self.index_expr(ctx, scope, d))
        if r < 0.9 and et == INT:
            return '%s[%s]' % (recv(self.expr(ctx, scope, BYTES, d)), self.index_expr(ctx, scope, d))
        tt = ('tuple', (et, self.rand_type(2), et))
        return '%s[%s]' % (recv(self.expr(ctx, scope, tt, d)), self.pick(['0', '-1', '2', '1 + 1', '-3', '3']))

    def index_expr(self, ctx, scope, d):
        r = self.r.random()
        if r < 0.5:
            return self.pick(['0', '1', '-1', '2', '-2', '3', '5', '-6'])
        if r < 0.8:
            return self.expr(ctx, scope, INT, d + 1)
        if r < 0.9:
            return self.pick(['True', 'False', '2 ** 70', '-(2 ** 63)'])
        return self.expr(ctx, scope, self.pick([STR, FLOAT, NONE]), d + 1)

    def slice_part(self, ctx, scope, d):
        def part():
            if self.chance(0.3):
                return ''
            return self.pick(['0', '1', '-1', '2', '-3', '10', 'None', '2 ** 65', self.expr(ctx, scope, INT, d + 1)])
        s = '%s:%s' % (part(), part())
        if self.chance(0.3):
            s += ':' + self.pick(['2', '-1', '-2', '3', '2', '-1', 'None', '0', self.expr(ctx, scope, INT, d + 1)])
        return s

    def slice_expr(self, ctx, scope, t, d):
        return '%s[%s]' % (recv(self.expr(ctx, scope, t, d)), self.slice_part(ctx, scope, d))

    def attr_expr(self, ctx, scope, t, d):
        objs = [v for v in scope.all() if v.type[0] == 'obj']
        if not objs:
            cands = [c for c in self.classes]
            if not cands:
                return self.atom(ctx, scope, t)
            c = self.pick(cands)
            o = self.construct(c.name, d)
        else:
            v = self.pick(objs)
            c = self.class_info(v.type[1])
            o = v.name
        names = [a for a, at in c.attrs.items() if at == t]
        if c.has_prop and t == INT:
            names.append('p')
        if t == INT:
            names.append('k')
        r = self.r.random()
        if names and r < 0.7:
            return '%s.%s' % (o, self.pick(names))
        if r < 0.85:
            ms = [m for m, (n, rt) in c.methods.items() if rt == t]
            if ms:
                m = self.pick(ms)
                n = c.methods[m][0]
                return '%s.%s(%s)' % (o, m, ', '.join(self.expr(ctx, scope, INT, d + 1) for _ in range(n)))
        if r < 0.95:
            return '%s.%s' % (o, self.pick(['zz', 'missing', 'x', 'y', '__class__.__name__']))
        return self.atom(ctx, scope, t)

    # -- calls -----------------------------------------------------------------------------------
    def call_expr(self, ctx, scope, t, d):
        """A call of a function/lambda in scope or of an earlier leaf function."""
        cands = []
        for v in scope.all():
            if v.type[0] == 'func':
                cands.append(('local', v))
        if not ctx.leaf and ctx.loop_depth <= 1:
            for f in self.funcs:
                if f.leaf and (f.ret == t or self.chance(0.1)):
                    cands.append(('global', f))
        if not cands:
            return self.atom(ctx, scope, t)
        kind, f = self.pick(cands)
        if kind == 'local':
            n = f.type[1]
            args = [self.expr(ctx, scope, INT, d + 1) for _ in range(n)]
            if self.chance(0.05):
                args.append('1')
            if self.chance(0.2) and n:
                return '%s(*[%s])' % (f.name, ', '.join(args))
            return '%s(%s)' % (f.name, ', '.join(args))
        return self.call_global(ctx, scope, f, d)

    def call_global(self, ctx, scope, f, d):
        pos, kw, star = [], [], []
        for kind, name, pt, default in f.params:
            val = self.expr(ctx, scope, pt, d + 1)
            if kind == 'posonly':
                if default is None or self.chance(0.6):
                    pos.append(val)
            elif kind == 'normal':
                if default is not None and self.chance(0.3):
                    continue
                if pos is not None and len(kw) == 0 and self.chance(0.6):
                    pos.append(val)
                else:
                    kw.append('%s=%s' % (name, val))
            elif kind == 'varargs':
                if self.chance(0.5):
                    pos.extend(self.expr(ctx, scope, INT, d + 1) for _ in range(self.r.randint(0, 2)))
            elif kind == 'kwonly':
                if default is None or self.chance(0.5):
                    kw.append('%s=%s' % (name, val))
            elif kind == 'varkw':
                if self.chance(0.4):
                    kw.append('extra%d=%s' % (self.r.randint(0, 9), self.expr(ctx, scope, INT, d + 1)))
        if self.chance(0.04):
            kw.append('bogus=1')
        seen = set()
        kw = [k for k in kw if not (k.split('=', 1)[0] in seen or seen.add(k.split('=', 1)[0]))]
        if self.chance(0.04):
            pos.append('0')
        r = self.r.random()
        if r < 0.15 and pos:
            return '%s(*(%s,), %s)' % (f.name, ', '.join(pos), ', '.join(kw)) if kw else '%s(*[%s])' % (f.name, ', '.join(pos))
        if r < 0.25 and kw and all('=' in k for k in kw):
            items = ', '.join("'%s': %s" % tuple(k.split('=', 1)) for k in kw)
            return '%s(%s**{%s})' % (f.name, ''.join(p + ', ' for p in pos), items)
        return '%s(%s)' % (f.name, ', '.join(pos + kw))

    # -- comprehensions --------------------------------------------------------------------------
    def comprehension(self, ctx, scope, t, d):
        k = t[0]
        inner = Scope(scope)
        src_t = ('list', self.pick([INT, INT, STR, FLOAT, ('tuple', (INT, STR))]))
        iter_src = self.pick([self.expr(ctx, scope, src_t, d + 1), 'range(%d)' % self.r.randint(0, 5)]) \
            if src_t[1] == INT else self.expr(ctx, scope, src_t, d + 1)
        var = self.fresh(ctx, 'c')
        clause = ''
        if src_t[1][0] == 'tuple' and self.chance(0.6):
            var2 = self.fresh(ctx, 'c')
            target = '%s, %s' % (var, var2)
            inner.add(var, INT)
            inner.add(var2, STR)
        else:
            target = var
            inner.add(var, src_t[1])
        clause = 'for %s in %s' % (target, iter_src)
        if self.chance(0.3):
            clause += ' if %s' % self.cond(ctx, inner, d + 1)
        if self.chance(0.15) and d < 3:
            var3 = self.fresh(ctx, 'c')
            clause += ' for %s in %s' % (var3, self.pick(['range(3)', "'ab'", self.expr(ctx, inner, ('list', INT), d + 2)]))
            inner.add(var3, INT if 'range' in clause.split(' for ')[-1] else ANY)
        if k == 'list':
            return '[%s %s]' % (self.expr(ctx, inner, t[1], d + 1), clause)
        if k == 'set':
            return '{%s %s}' % (self.expr(ctx, inner, t[1], d + 1), clause)
        return '{%s: %s %s}' % (self.expr(ctx, inner, t[1], d + 1), self.expr(ctx, inner, t[2], d + 1), clause)

    # -- statements ------------------------------------------------------------------------------
    def block(self, ctx, scope, indent, n, depth, tail_ok=True):
        """n statements; returns list of lines. scope is extended in place."""
        out = []
        for i in range(n):
            out.extend(self.stmt(ctx, scope, indent, depth))
        if not out:
            out.append(indent + 'pass')
        return out

    def segments(self, ctx, scope, indent, n):
        """A function body: runs of statements, about half of them inside a try/except that
        reports and swallows the exception, so that a body gets far before anything escapes."""
        out = []
        for _ in range(n):
            if self.chance(0.55):
                name = self.fresh(ctx, 'e')
                out.append(indent + 'try:')
                out += self.block(ctx, Scope(scope), indent + '    ', self.r.randint(1, 5), 1)
                out.append(indent + 'except %s as %s:' % (self.pick(['Exception', 'Exception', '(TypeError, ValueError)',
                                                                     'ArithmeticError', 'LookupError']), name))
                out.append(indent + "    print('!', type(%s).__name__, %s)" % (name, name))
            else:
                out += self.block(ctx, scope, indent, self.r.randint(1, 3), 0)
        return out

    def stmt(self, ctx, scope, indent, depth):
        r = self.r.random()
        can_nest = depth < 4 and (depth < 2 or self.chance(0.5))
        weights = [
            ('assign', 22), ('augassign', 7), ('print', 6), ('substore', 6), ('attrstore', 4),
            ('unpack', 4), ('if', 8 if can_nest else 0), ('for', 6 if can_nest and ctx.loop_depth < 2 else 0),
            ('while', 3 if can_nest and ctx.loop_depth < 2 else 0), ('try', 9 if can_nest else 0),
            ('with', 3 if can_nest else 0), ('raise', 2), ('return', 2 if ctx.kind == 'func' else 0),
            ('nested', 4 if ctx.nested_level < 2 else 0), ('recursive', 1 if ctx.nested_level < 2 else 0),
            ('lambda', 3), ('global', 2 if ctx.nested_level == 0 and ctx.kind == 'func' else 0), ('del', 1),
            ('assert', 1), ('classattr', 2), ('nestedclass', 1 if ctx.nested_level < 2 else 0),
            ('callforms', 4), ('oddity', 2), ('introspect', 2), ('maybeunbound', 2), ('objhack', 3),
            ('mutiter', 2 if ctx.loop_depth < 2 else 0), ('trace', 1 if depth < 3 and ctx.loop_depth == 0 else 0), ('callbacks', 3),
            ('bigdisplay', 1), ('compwalrus', 1 if ctx.kind == 'func' else 0),
            ('match', 2 if can_nest else 0), ('loopctl', 4 if ctx.loop_depth else 0), ('mutate', 6),
            ('walrus', 2), ('import', 1), ('nonlocal', 2 if ctx.outer is not None else 0),
            ('exprstmt', 3), ('noisy', 4),
            ('poly', 1 if ctx.loop_depth == 0 else 0), ('warmmutate', 1 if ctx.loop_depth == 0 else 0),
            ('monkey', 1 if ctx.loop_depth == 0 else 0),
        ]
        total = sum(w for _, w in weights)
        x = r * total
        for kind, w in weights:
            if x < w:
                break
            x -= w
        return getattr(self, 'st_' + kind)(ctx, scope, indent, depth)

    def st_assign(self, ctx, scope, indent, depth):
        existing = [v for v in scope.writable() if v.name not in ctx.no_del and v.type[0] not in ('func', 'exc')
                    and not v.name.startswith('c')]
        if existing and self.chance(0.3):
            v = self.pick(existing)
            if ctx.loop_depth and v.type[0] in ('list', 'str', 'bytes', 'dict', 'set', 'tuple', 'int', 'complex'):
                # bounded growth inside loops: rebuild from literals only
                return [indent + '%s = %s' % (v.name, self.lit(v.type))]
            return [indent + '%s = %s' % (v.name, self.expr(ctx, scope, v.type))]
        t = self.rand_type()
        name = self.fresh(ctx)
        ctx.assigned.append(name)
        e = self.expr(ctx, scope, t)
        ann = ''
        if self.chance(0.05):
            ann = ': %s' % self.pick(['int', 'object', "'str'", 'list[int]'])
        scope.add(name, t)
        return [indent + '%s%s = %s' % (name, ann, e)]

    def st_augassign(self, ctx, scope, indent, depth):
        nums = [v for v in scope.writable() if v.type in (INT, FLOAT, STR, COMPLEX) and v.name not in ctx.no_del
                and not v.name.startswith('c')]
        lists = [v for v in scope.writable() if v.type[0] == 'list' and v.type[1] != ANY]
        if lists and self.chance(0.2):
            v = self.pick(lists)
            # in place: a literal, so that lists (mutable defaults too) grow linearly over calls
            return [indent + '%s += %s' % (v.name, self.lit(v.type))]
        if not nums:
            return self.st_assign(ctx, scope, indent, depth)
        v = self.pick(nums)
        if v.type == STR:
            return [indent + '%s += %s' % (v.name, self.atom(ctx, scope, STR) if not ctx.loop_depth else self.lit(STR))]
        ops = ['+=', '-=', '*=', '//=', '%=', '|=', '&=', '^=', '<<=', '>>=', '/='] if v.type == INT else \
            ['+=', '-=', '*=', '/=']
        op = self.pick(ops)
        if op in ('<<=', '>>='):
            rhs = '(%s %% 9)' % self.atom(ctx, scope, INT)
        elif op in ('*=',) and ctx.loop_depth:
            rhs = self.pick(['2', '3', '-1'])
        elif op == '/=' and v.type == INT:
            # would change the type: keep the variable's type honest
            op, rhs = '//=', '(%s or 2)' % self.atom(ctx, scope, INT)
        else:
            rhs = self.expr(ctx, scope, v.type if self.chance(0.8) else self.pick([INT, FLOAT, BOOL]))
            if ctx.loop_depth and v.type == INT:
                rhs = self.atom(ctx, scope, INT)
        return [indent + '%s %s %s' % (v.name, op, rhs)]

    def st_print(self, ctx, scope, indent, depth):
        args = [self.expr(ctx, scope, self.rand_type(1)) for _ in range(self.r.randint(0, 3))]
        extra = ''
        if self.chance(0.2):
            extra = self.pick([", sep='|'", ", end='!\\n'", ", sep=''", ", end=''"])
        if self.chance(0.1) and args:
            return [indent + 'print(*%s%s)' % (self.expr(ctx, scope, ('list', INT)), extra)]
        if not args:
            extra = extra[2:]
        return [indent + 'print(%s%s)' % (', '.join(args), extra)]

    def st_exprstmt(self, ctx, scope, indent, depth):
        return [indent + self.expr(ctx, scope, self.pick([INT, STR, NONE, FLOAT, ('list', INT)]))]

    def st_substore(self, ctx, scope, indent, depth):
        lists = [v for v in scope.all() if v.type[0] == 'list' and v.type[1] != ANY]
        dicts = [v for v in scope.all() if v.type[0] == 'dict']
        r = self.r.random()
        if lists and (r < 0.5 or not dicts):
            v = self.pick(lists)
            rr = self.r.random()
            if rr < 0.45:
                return [indent + '%s[%s] = %s' % (v.name, self.index_expr(ctx, scope, 0), self.expr(ctx, scope, v.type[1]))]
            if rr < 0.6:
                return [indent + '%s[%s] %s %s' % (v.name, self.index_expr(ctx, scope, 0), self.pick(['+=', '*=']),
                                                   self.lit(v.type[1]) if ctx.loop_depth else self.expr(ctx, scope, v.type[1]))]
            if rr < 0.75:
                sl = self.slice_part(ctx, scope, 1)
                return [indent + '%s[%s] = %s' % (v.name, sl, self.lit(v.type))]
            if rr < 0.9:
                return [indent + 'del %s[%s]' % (v.name, self.index_expr(ctx, scope, 0))]
            return [indent + 'del %s[%s:%s]' % (v.name, self.pick(['', '1', '-2']), self.pick(['', '2', '-1']))]
        if dicts:
            v = self.pick(dicts)
            rr = self.r.random()
            key = self.expr(ctx, scope, v.type[1])
            if rr < 0.5:
                return [indent + '%s[%s] = %s' % (v.name, key, self.expr(ctx, scope, v.type[2]))]
            if rr < 0.7 and v.type[2] in (INT, STR, FLOAT):
                return [indent + '%s[%s] += %s' % (v.name, key, self.lit(v.type[2]))]
            return [indent + 'del %s[%s]' % (v.name, key)]
        return self.st_assign(ctx, scope, indent, depth)

    def st_attrstore(self, ctx, scope, indent, depth):
        objs = [v for v in scope.all() if v.type[0] == 'obj']
        if not objs:
            return self.st_assign(ctx, scope, indent, depth)
        v = self.pick(objs)
        c = self.class_info(v.type[1])
        r = self.r.random()
        if r < 0.5 and c.attrs:
            a, at = self.pick(sorted(c.attrs.items()))
            if at == INT and self.chance(0.4):
                return [indent + '%s.%s %s %s' % (v.name, a, self.pick(['+=', '-=', '*=', '|=']), self.atom(ctx, scope, INT))]
            return [indent + '%s.%s = %s' % (v.name, a, self.expr(ctx, scope, at))]
        if r < 0.65 and c.has_prop:
            return [indent + '%s.p = %s' % (v.name, self.expr(ctx, scope, INT))]
        if r < 0.8:
            return [indent + '%s.%s = %s' % (v.name, self.pick(['zz', 'w', 'k']), self.expr(ctx, scope, INT))]
        if r < 0.9:
            return [indent + 'del %s.%s' % (v.name, self.pick(['zz', 'w'] + sorted(c.attrs)))]
        return [indent + "setattr(%s, %s, %s)" % (v.name, self.pick(["'x'", "'zz'"]), self.expr(ctx, scope, INT))]

    def st_unpack(self, ctx, scope, indent, depth):
        r = self.r.random()
        a, b = self.fresh(ctx), self.fresh(ctx)
        if r < 0.35:
            ta, tb = self.rand_type(1), self.rand_type(1)
            src = self.expr(ctx, scope, ('tuple', (ta, tb)))
            if self.chance(0.1):
                src = self.expr(ctx, scope, ('list', INT))
                ta = tb = INT
            scope.add(a, ta)
            scope.add(b, tb)
            return [indent + '%s, %s = %s' % (a, b, src)]
        if r < 0.6:
            et = self.pick([INT, STR])
            src = self.expr(ctx, scope, ('list', et))
            c = self.fresh(ctx)
            form = self.pick(['%s, *%s = %s', '*%s, %s = %s', '[%s, *%s] = %s'])
            line = form % (a, b, src)
            if form.startswith('*'):
                scope.add(a, ('list', et))
                scope.add(b, et)
            else:
                scope.add(a, et)
                scope.add(b, ('list', et))
            return [indent + line]
        if r < 0.8:
            src = self.pick(["'ab'", "'xy'", "'\\u20acz'", self.expr(ctx, scope, STR)])
            scope.add(a, STR)
            scope.add(b, STR)
            return [indent + '%s, %s = %s' % (a, b, src)]
        # nested target and swap
        vs = [v for v in scope.writable() if v.name not in ctx.no_del and v.type[0] not in ('func', 'exc')
              and not v.name.startswith('c')]
        if len(vs) >= 2 and self.chance(0.5):
            x, y = self.r.sample(vs, 2)
            if x.type == y.type:
                return [indent + '%s, %s = %s, %s' % (x.name, y.name, y.name, x.name)]
        c = self.fresh(ctx)
        line = indent + '(%s, %s), %s = (%s, %s), %s' % (a, b, c, self.expr(ctx, scope, INT), self.expr(ctx, scope, STR),
                                                       self.expr(ctx, scope, INT))
        scope.add(a, INT)
        scope.add(b, STR)
        scope.add(c, INT)
        return [line]

    def st_if(self, ctx, scope, indent, depth):
        out = [indent + 'if %s:' % self.cond(ctx, scope, 0)]
        out += self.block(ctx, Scope(scope), indent + '    ', self.r.randint(1, 3), depth + 1)
        for _ in range(self.r.randint(0, 2) if self.chance(0.4) else 0):
            out.append(indent + 'elif %s:' % self.cond(ctx, scope, 0))
            out += self.block(ctx, Scope(scope), indent + '    ', self.r.randint(1, 2), depth + 1)
        if self.chance(0.5):
            out.append(indent + 'else:')
            out += self.block(ctx, Scope(scope), indent + '    ', self.r.randint(1, 3), depth + 1)
        return out

    def iterable(self, ctx, scope):
        r = self.r.random()
        if r < 0.3:
            n = self.r.randint(0, 4)
            args = self.pick(['%d' % n, '1, %d' % (n + 1), '%d, -1, -1' % n, '(%s) %% 4' % self.atom(ctx, scope, INT)])
            return 'range(%s)' % args, INT
        if r < 0.55:
            et = self.pick([INT, STR, FLOAT, INT, ('tuple', (INT, STR))])
            lst = self.list_var(scope) if self.chance(0.4) else None
            if lst is not None:
                # iterating a copy: the body may mutate the list
                return '%s[:4]' % lst.name, lst.type[1]
            return self.lit(('list', et)), et
        if r < 0.65:
            return self.pick(STRS), STR
        if r < 0.75:
            dt = ('dict', STR, INT)
            return '%s.items()' % self.lit(dt), ('tuple', (STR, INT))
        if r < 0.8:
            return 'enumerate(%s)' % self.lit(('list', STR)), ('tuple', (INT, STR))
        if r < 0.85:
            return 'zip(%s, %s)' % (self.lit(('list', INT)), self.pick(["'abcd'", self.lit(('list', STR))])), ('tuple', (INT, STR))
        if r < 0.9:
            if self.chance(0.5):
                return 'It(%d%s)' % (self.r.randint(0, 4), self.pick(['', '', ', 2', ', 1', ', %d' % self.r.randint(3, 5)])), INT
            objs = [c for c in self.classes if c.iterable]
            if objs:
                return self.construct(self.pick(objs).name), INT
        if r < 0.95:
            return self.expr(ctx, scope, ('list', INT)), INT
        return self.pick(['None', '5', self.lit(('set', INT))]), INT

    def st_for(self, ctx, scope, indent, depth):
        src, et = self.iterable(ctx, scope)
        body = Scope(scope)
        if et[0] == 'tuple' and len(et[1]) == 2 and self.chance(0.7):
            a, b = self.fresh(ctx, 'i'), self.fresh(ctx, 'i')
            target = '%s, %s' % (a, b)
            body.add(a, et[1][0])
            body.add(b, et[1][1])
        else:
            a = self.fresh(ctx, 'i')
            target = a
            body.add(a, et)
        out = [indent + 'for %s in %s:' % (target, src)]
        ctx.loop_depth += 1
        out += self.block(ctx, body, indent + '    ', self.r.randint(1, 4), depth + 1)
        ctx.loop_depth -= 1
        if self.chance(0.25):
            out.append(indent + 'else:')
            out += self.block(ctx, Scope(scope), indent + '    ', self.r.randint(1, 2), depth + 1)
        return out

    def st_while(self, ctx, scope, indent, depth):
        n = self.fresh(ctx, 'n')
        ctx.no_del.add(n)
        limit = self.r.randint(0, 4)
        out = [indent + '%s = 0' % n]
        scope.add(n, INT)
        body = Scope(scope)
        if self.chance(0.3):
            # `while True` left by a break, possibly from inside try/finally (Popen._wait's shape)
            out.append(indent + 'while True:')
            out.append(indent + '    %s += 1' % n)
            if self.chance(0.5):
                out += [indent + '    try:', indent + '        if %s > %d:' % (n, limit),
                        indent + '            break', indent + '    finally:',
                        indent + '        %s' % self.pick(['pass', "print('fin', %s)" % n, '%s += 0' % n])]
            else:
                out += [indent + '    if %s > %d:' % (n, limit), indent + '        break']
        else:
            cond = '%s < %d' % (n, limit)
            if self.chance(0.3):
                cond = '%s and %s' % (cond, self.cond(ctx, scope, 1))
            out.append(indent + 'while %s:' % cond)
            out.append(indent + '    %s += 1' % n)
        ctx.loop_depth += 1
        out += self.block(ctx, body, indent + '    ', self.r.randint(1, 3), depth + 1)
        ctx.loop_depth -= 1
        if self.chance(0.25):
            out.append(indent + 'else:')
            out += self.block(ctx, Scope(scope), indent + '    ', self.r.randint(1, 2), depth + 1)
        return out

    def st_loopctl(self, ctx, scope, indent, depth):
        if ctx.in_finally and self.chance(0.7):
            return self.st_print(ctx, scope, indent, depth)
        kw = self.pick(['break', 'continue'])
        if self.chance(0.7):
            return [indent + 'if %s:' % self.cond(ctx, scope, 0), indent + '    ' + kw]
        return [indent + kw]

    def exc_type(self):
        if self.exc_classes and self.chance(0.4):
            return self.pick(self.exc_classes)
        return self.pick(EXC_BUILTIN)

    def st_try(self, ctx, scope, indent, depth):
        out = [indent + 'try:']
        body = Scope(scope)
        out += self.block(ctx, body, indent + '    ', self.r.randint(1, 4), depth + 1)
        nh = self.r.randint(0, 3)
        has_final = self.chance(0.3)
        if nh == 0 and not has_final:
            nh = 1
        for i in range(nh):
            hs = Scope(scope)
            r = self.r.random()
            if r < 0.15 and i == nh - 1:
                head = 'except:'
                name = None
            elif r < 0.3:
                head = 'except (%s, %s)' % (self.exc_type(), self.exc_type())
                name = None
            else:
                head = 'except %s' % self.pick([self.exc_type(), 'Exception', self.exc_type()])
                name = None
                if self.chance(0.02):
                    head = 'except %s' % self.pick(['(ValueError, 5)', 'int', '"str"'])   # TypeError from the match
            if head != 'except:' and self.chance(0.6):
                name = self.fresh(ctx, 'e')
                head += ' as %s' % name
                hs.add(name, ('exc',))
            if not head.endswith(':'):
                head += ':'
            out.append(indent + head)
            ctx.in_handler += 1
            if name:
                out.append(indent + '    ' + self.pick([
                    'print(%s, type(%s).__name__, %s.args)' % (repr(head[:9]), name, name),
                    'print(type(%s).__name__, %s)' % (name, name),
                    'print(repr(%s))' % name,
                    'print(%s.__class__.__name__, str(%s)[:60])' % (name, name)]))
            out += self.block(ctx, hs, indent + '    ', self.r.randint(0, 2), depth + 1)
            if self.chance(0.12):
                out.append(indent + '    raise')
            elif self.chance(0.06):
                out.append(indent + '    raise %s(%s)%s' % (self.exc_type() if self.chance(0.5) else 'ValueError',
                                                           self.pick(["'again'", '1', '']),
                                                           self.pick(['', ' from None', ' from %s' % name if name else ''])))
            ctx.in_handler -= 1
        if nh and self.chance(0.3):
            out.append(indent + 'else:')
            out += self.block(ctx, Scope(body), indent + '    ', self.r.randint(1, 2), depth + 1)
        if has_final:
            out.append(indent + 'finally:')
            ctx.in_finally += 1
            out += self.block(ctx, Scope(scope), indent + '    ', self.r.randint(1, 2), depth + 1)
            ctx.in_finally -= 1
        return out

    def st_with(self, ctx, scope, indent, depth):
        cms = [c for c in self.classes if c.is_cm]
        body = Scope(scope)
        if not cms or self.chance(0.05):
            # a non-context manager: TypeError/AttributeError from BEFORE_WITH
            head = 'with %s:' % self.pick(['None', '3', self.lit(('list', INT))])
        else:
            c = self.pick(cms)
            name = self.fresh(ctx, 'w')
            head = 'with %s as %s:' % (self.construct(c.name), name)
            body.add(name, ('obj', c.name))
            if self.chance(0.25):
                name2 = self.fresh(ctx, 'w')
                head = head[:-1] + ', %s as %s:' % (self.construct(self.pick(cms).name), name2)
        out = [indent + head]
        out += self.block(ctx, body, indent + '    ', self.r.randint(1, 3), depth + 1)
        return out

    def st_raise(self, ctx, scope, indent, depth):
        r = self.r.random()
        cond = self.chance(0.6)
        pre = [indent + 'if %s:' % self.cond(ctx, scope, 0)] if cond else []
        ind = indent + '    ' if cond else indent
        if r < 0.5:
            e = self.exc_type()
            arg = self.pick(['', "'boom'", self.expr(ctx, scope, INT), self.expr(ctx, scope, STR)])
            return pre + [ind + 'raise %s(%s)' % (e, arg)]
        if r < 0.6:
            return pre + [ind + 'raise %s' % self.exc_type()]
        if r < 0.7:
            return pre + [ind + 'raise %s(%s) from %s' % (self.exc_type(), "'chained'",
                                                          self.pick(['None', 'KeyError(3)', 'ValueError()']))]
        if r < 0.8 and (ctx.in_handler or self.chance(0.2)):
            return pre + [ind + 'raise']   # outside a handler: RuntimeError, no active exception
        if r < 0.9:
            return pre + [ind + '1 / 0' if self.chance(0.5) else ind + '{}[%s]' % self.lit(INT)]
        return pre + [ind + 'raise %s' % self.pick(['3', 'None', 'object()', 'ValueError("v") from 5'])]

    def st_return(self, ctx, scope, indent, depth):
        if ctx.in_finally and self.chance(0.5):
            return self.st_print(ctx, scope, indent, depth)
        cond = self.chance(0.7) and depth > 0
        e = self.return_expr(ctx, scope)
        if cond:
            return [indent + 'if %s:' % self.cond(ctx, scope, 0), indent + '    return %s' % e]
        return [indent + 'return %s' % e]

    def return_expr(self, ctx, scope):
        vs = [v.name for v in scope.all() if v.type[0] not in ('func', 'exc')]
        self.r.shuffle(vs)
        vs = vs[:self.r.randint(1, 6)]
        if not vs:
            return self.expr(ctx, scope, self.rand_type())
        if len(vs) == 1:
            return vs[0]
        return '(%s)' % ', '.join(vs)

    def st_nested(self, ctx, scope, indent, depth):
        name = self.fresh(ctx, 'g')
        nparams = self.r.randint(0, 2)
        params = ['p%d' % i for i in range(nparams)]
        inner_ctx = FuncCtx(name, True, ctx.nested_level + 1, outer=ctx)
        inner_ctx.counter = ctx.counter + 100
        fscope = Scope(scope, boundary=True)
        for p in params:
            fscope.add(p, INT)
        for p in params:
            inner_ctx.no_del.add(p)
        # closures: the inner scope sees the outer variables (they become cells)
        sig = ', '.join(params)
        if params and self.chance(0.15):
            sig = sig.replace('p0', 'p0: int', 1)
        if self.chance(0.3):
            default = self.atom(ctx, scope, INT) if self.chance(0.5) else self.lit(INT)
            sig += (', ' if sig else '') + 'q=%s' % default
            fscope.add('q', INT)
        if self.chance(0.15):
            sig += (', ' if sig else '') + '*, r=%s' % self.atom(ctx, scope, STR)
            fscope.add('r', STR)
        out = [indent + 'def %s(%s):' % (name, sig)]
        decl_lines = []
        # nonlocal rebinding of an outer variable of a simple type
        outer_vars = [v for v in scope.writable() if v.type in (INT, STR) and not v.name.startswith(('c', 'p', 'i', 'n', 'q', 'r'))
                      and v.name not in ctx.no_del]
        if outer_vars and ctx.kind == 'func' and self.chance(0.35):
            v = self.pick(outer_vars)
            decl_lines.append(indent + '    nonlocal %s' % v.name)
            inner_ctx.nonlocals.add(v.name)
            decl_lines.append(indent + '    %s = %s' % (v.name, '%s + %s' % (v.name, self.lit(v.type))))
            fscope.add(v.name, v.type)
            ctx.no_del.add(v.name)
        body = self.block(inner_ctx, fscope, indent + '    ', self.r.randint(1, 4), 0)
        ret = indent + '    return %s' % self.return_expr(inner_ctx, fscope)
        out += decl_lines + body + [ret]
        ctx.counter = inner_ctx.counter
        ftype = ('func', nparams)
        scope.add(name, ftype)
        ctx.no_del.add(name)
        # call it right away (most of the time), inside a guard so the body runs for sure
        if self.chance(0.8):
            res = self.fresh(ctx)
            args = ', '.join(self.expr(ctx, scope, INT, 2) for _ in range(nparams))
            out += [indent + 'try:', indent + '    %s = %s(%s)' % (res, name, args),
                    indent + 'except Exception as %s:' % (res + 'e'),
                    indent + '    %s = (type(%s).__name__, str(%s))' % (res, res + 'e', res + 'e')]
            scope.add(res, ANY)
        return out

    def st_lambda(self, ctx, scope, indent, depth):
        name = self.fresh(ctx, 'l')
        n = self.r.randint(0, 2)
        params = ['a%d' % i for i in range(n)]
        ls = Scope(scope, boundary=True)
        for p in params:
            ls.add(p, INT)
        sig = ', '.join(params)
        if self.chance(0.2):
            sig += (', ' if sig else '') + 'b=%s' % self.lit(INT)
            ls.add('b', INT)
        body = self.expr(ctx, ls, self.pick([INT, STR, ('list', INT), FLOAT]), 1)
        scope.add(name, ('func', n))
        ctx.no_del.add(name)
        out = [indent + '%s = lambda %s: %s' % (name, sig, body)]
        if self.chance(0.7):
            res = self.fresh(ctx)
            out += [indent + 'try:', indent + '    %s = %s(%s)' % (res, name, ', '.join(self.lit(INT) for _ in range(n))),
                    indent + 'except Exception as %s:' % (res + 'e'), indent + '    %s = repr(%s)' % (res, res + 'e')]
            scope.add(res, ANY)
        return out

    def st_recursive(self, ctx, scope, indent, depth):
        """A nested function calling itself through its own closure cell."""
        name = self.fresh(ctx, 'g')
        limit = self.r.randint(0, 6)
        body = self.pick(['return 0 if n <= 0 else n + %s(n - 1)' % name,
                          'return [] if n <= 0 else [n] + %s(n - 1)' % name,
                          "return '' if n <= 0 else %s(n - 1) + str(n %% 10)" % name,
                          'if n <= 0:\n%s        raise KeyError(n)\n%s    return 1 + %s(n - 1)' % (indent, indent, name)])
        res = self.fresh(ctx)
        out = [indent + 'def %s(n):' % name, indent + '    ' + body,
               indent + 'try:', indent + '    %s = %s(%s)' % (res, name, self.pick([str(limit), '%s %% 7' % self.atom(ctx, scope, INT)])),
               indent + 'except Exception as %se:' % res, indent + '    %s = repr(%se)' % (res, res)]
        # not a ('func', n): other calls must not reach the recursion limit (where CPython's
        # RecursionError point depends on which calls it specialised)
        scope.add(name, ('recfunc',))
        ctx.no_del.add(name)
        scope.add(res, ANY)
        return out

    def st_classattr(self, ctx, scope, indent, depth):
        """Class attributes change under running code (type version tags, attribute caches)."""
        if not self.classes:
            return self.st_print(ctx, scope, indent, depth)
        c = self.pick(self.classes)
        r = self.r.random()
        if r < 0.35:
            return [indent + '%s.k = %s' % (c.name, self.expr(ctx, scope, INT))]
        if r < 0.55:
            return [indent + '%s.k += %s' % (c.name, self.lit(INT))]
        if r < 0.65:
            return [indent + '%s.extra = %s' % (c.name, self.expr(ctx, scope, self.pick([INT, STR])))]
        if r < 0.75:
            return [indent + 'print(%s.k, getattr(%s, %s, %s))' % (c.name, c.name, self.pick(["'extra'", "'k'", "'zz'"]),
                                                                   self.lit(INT))]
        if r < 0.85:
            return [indent + 'del %s.%s' % (c.name, self.pick(['k', 'extra']))]
        m = self.pick(sorted(c.methods))
        return [indent + '%s.%s = %s' % (c.name, self.pick(['k', 'extra']), '%s.%s' % (c.name, m))]

    def st_nestedclass(self, ctx, scope, indent, depth):
        """A class statement inside a function: its body reads the function's variables."""
        name = self.fresh(ctx, 'K')
        ints = [v.name for v in scope.all() if v.type == INT]
        ref = self.pick(ints) if ints else self.lit(INT)
        lines = [indent + 'class %s%s:' % (name, '(%s)' % self.pick(self.classes).name if self.classes and self.chance(0.4) else ''),
                 indent + '    z = %s' % ref,
                 indent + '    zz = [z * 2, %s]' % ref,
                 indent + '    def get(self, a=1):',
                 indent + '        return (self.z, %s, a)' % ref]
        if self.chance(0.3):
            lines.append(indent + '    comp = [q for q in range(2)]')
        if self.chance(0.3):
            lines += [indent + '    for q in range(3):', indent + '        z += q']
        res = self.fresh(ctx)
        ctor = '%s(%s)' % (name, self.lit_int()) if self.classes and '(' in lines[0] else '%s()' % name
        lines += [indent + 'try:', indent + '    %s = %s.get(%s)' % (res, ctor, self.pick(['', '2', 'a=3'])),
                  indent + 'except Exception as %se:' % res, indent + '    %s = repr(%se)' % (res, res)]
        scope.add(res, ANY)
        return lines

    def st_callforms(self, ctx, scope, indent, depth):
        """Calls with every argument form: methods, classmethods, staticmethods, * and **."""
        res = self.fresh(ctx)
        r = self.r.random()
        objs = [v for v in scope.all() if v.type[0] == 'obj']
        if self.classes and r < 0.3:
            c = self.class_info(objs[0].type[1]) if objs and self.chance(0.5) else self.pick(self.classes)
            o = objs[0].name if objs and c.name == objs[0].type[1] else self.construct(c.name)
            m = [k for k in c.methods if k.startswith('m')]
            m = m[0] if m else None
            if m is None:
                return self.st_print(ctx, scope, indent, depth)
            args = self.pick(['1', '1, 2, 3, 4, c=5, extra=6', '*[1, 2]', '**{"a": 2, "b": 3}',
                              '*(1,), c=2, **{"zz": 4}', 'a=1, b=2, c=3', '', '1, a=2',
                              '*%s' % self.expr(ctx, scope, ('list', INT))])
            call = '%s.%s(%s)' % (recv(o), m, args)
        elif self.classes and r < 0.45:
            c = self.pick(self.classes)
            idx = c.name[1:]
            call = self.pick(['%s.s%s(%s)' % (c.name, idx, self.atom(ctx, scope, INT)),
                              '%s.s%s(w=%s, v=3)' % (c.name, idx, self.atom(ctx, scope, INT)),
                              '%s.make%s(%s).x' % (c.name, idx, self.atom(ctx, scope, INT)),
                              '%s.make%s(v=%s)' % (c.name, idx, self.lit(INT)),
                              '%s.__init__(%s, 1)' % (c.name, self.construct(c.name)),
                              'type(%s).__name__' % self.construct(c.name)])
        elif r < 0.7 and self.funcs and not ctx.leaf and ctx.loop_depth <= 1:
            f = self.pick([f for f in self.funcs if f.leaf] or self.funcs)
            call = self.pick(['%s(*%s, **%s)' % (f.name, self.lit(('list', INT)), self.pick(['{}', "{'a0': 1}", "{'kw': 2}"])),
                              "%s(**{'a0': 1}, **{'a0': 2})" % f.name,
                              '%s(*None)' % f.name, '%s(**None)' % f.name, '%s(**[1])' % f.name,
                              "%s(**{1: 2})" % f.name,
                              self.call_global(ctx, scope, f, 1)])
        else:
            call = self.pick(['max(*%s, default=%s)' % (self.expr(ctx, scope, ('list', INT)), self.lit(INT)),
                              'sorted(%s, key=len)' % self.expr(ctx, scope, ('list', STR)),
                              "dict(%s, **{'z': 1})" % self.expr(ctx, scope, ('dict', STR, INT)),
                              'print(*%s, sep=%s)' % (self.expr(ctx, scope, ('list', STR)), self.pick(["','", "''", 'None', '5'])),
                              "'{0}-{1}-{x}'.format(%s, %s, x=%s)" % (self.atom(ctx, scope, INT), self.atom(ctx, scope, STR),
                                                                   self.atom(ctx, scope, FLOAT)),
                              'divmod(*%s)' % self.lit(('tuple', (INT, INT))),
                              'int(%s, %s)' % (self.pick(["'ff'", "'101'", "'z'", "'0x1f'"]), self.pick(['16', '2', '0', 'base=36'])),
                              'str(%s, encoding=%s)' % (self.pick(BYTESES), self.pick(["'utf-8'", "'ascii'"])),
                              'getattr(%s, %s, None)' % (self.expr(ctx, scope, self.rand_type(1)), self.pick(["'x'", "'real'", "'append'"]))])
        out = [indent + '%s = %s' % (res, call)]
        if self.chance(0.5):
            out.append(indent + 'print(%s)' % res)
        scope.add(res, ANY)
        return out

    def st_oddity(self, ctx, scope, indent, depth):
        """Operations that raise in unusual places."""
        return [indent + self.pick([
            '%s()' % self.pick(['5', 'None', "'s'", '[1]']),
            '(5).x = 1',
            'None.attr',
            '{[1]: 2}',
            '{%s}' % self.expr(ctx, scope, ('list', INT)),
            '%s[0]' % self.pick(['None', '5', 'len']),
            'del (%s)[0]' % self.pick(['()', "'ab'", '5']),
            '[1, 2][%s]' % self.pick(['1.0', "'a'", 'None', '2 ** 64']),
            'print(%s)' % self.pick(['undefined_name', 'G0 if True else 0']),
            '(%s, %s) = [1]' % (self.fresh(ctx), self.fresh(ctx)),
            'int(%s)' % self.pick(["'12a'", "float('inf')", "float('nan')", "''", "'\\u0661\\u0662'", '[1]']),
            '%s < %s' % (self.pick(['None', '1', "'a'", '[]', '1j']), self.pick(['None', '2', "'b'", '()', '2j'])),
            '-%s' % self.pick(["'a'", '[1]', 'None', '{}']),
            '~%s' % self.pick(['1.5', "'a'", 'True']),
            'len(%s)' % self.pick(['5', 'None', '3.5']),
            '%s.bogus' % self.pick(['(1)', '"s"', '[]', 'len', 'math']),
            'iter(%s)' % self.pick(['5', 'None']),
            "'%%d' %% %s" % self.pick(["'x'", '()', '(1, 2)']),
            "'{}'.format()",
            "'abc'.__getitem__(%s)" % self.pick(['5', "'x'"]),
            'sum([1, "a"])',
            'max([])',
            'float(%s)' % self.pick(['10 ** 400', "'1.5x'"]),
            '(10 ** 400) / 3',
            '2.0 ** 10000',
            'math.factorial(-1)',
            'bytes([256])',
            "b'a' + 'a'",
            "'a' + b'a'",
            '[].pop()',
            '{}.popitem()',
            'set().pop()',
            'range(2 ** 64)[2 ** 63]',
            '(1, 2).index(3)',
            'divmod(1, 0.0)',
            '1 % 0.0',
            '(-8) ** 0.5',
            'round(float("inf"))',
            'chr(-1)',
            'abs("x")',
            'hash([])',
        ])]

    # -- noisy objects: the order in which compiled code releases references --------------------
    def nz(self, mode=None):
        """A new noisy object N("n<k>"[, mode]) (prelude): mode 1 __hash__ raises, 2 __eq__
        raises, 3 __format__/__str__/__index__ raise; all hash to 7, so N keys collide."""
        self.ncount += 1
        if mode is None:
            mode = self.pick([0, 0, 0, 0, 0, 1, 2, 3])
        return 'N("n%d"%s)' % (self.ncount, ', %d' % mode if mode else '')

    def nval(self, ctx, scope, mode=0):
        """A noisy value: mostly a new temporary, sometimes a noisy variable."""
        vs = self.vars_of(scope, NOISY)
        if vs and self.chance(0.25):
            return self.pick(vs).name
        return self.nz(mode)

    def nkey(self, ctx, scope):
        """A dict key or set item: a noisy key (maybe failing), sometimes a plain one."""
        r = self.r.random()
        if r < 0.7:
            return self.nz(self.pick([0, 0, 0, 1, 2]))
        if r < 0.8:
            return self.nval(ctx, scope)
        if r < 0.9:
            return self.pick(["'k'", '7', "'n1'", 'None'])
        return '[%s]' % self.nz(0)   # unhashable: TypeError, the list dies with its item

    def nlist(self, ctx, scope, lo=1, hi=3):
        return [self.nval(ctx, scope) for _ in range(self.r.randint(lo, hi))]

    def nit(self):
        """An iterator yielding new noisy objects, failing midway now and then."""
        self.ncount += 1
        n = self.r.randint(0, 4)
        fail = self.pick([0, 0, 1, 2, 3])
        return 'NIt("n%d", %d%s)' % (self.ncount, n, ', %d' % fail if fail else '')

    def st_noisy(self, ctx, scope, indent, depth):
        """Noisy temporaries (objects whose __del__ prints) flowing into f-strings, displays,
        comprehensions, stores, unpacking, subscripts, attribute stores and calls that raise:
        the output shows the instant and order in which each reference is released."""
        r = self.r.random()
        lines = []
        nv = lambda mode=0: self.nval(ctx, scope, mode)
        nk = lambda: self.nkey(ctx, scope)
        if r < 0.12:
            # f-string: FORMAT_VALUE/BUILD_STRING with noisy str parts (__format__, !s, !r)
            parts = []
            for _ in range(self.r.randint(1, 4)):
                if self.chance(0.3):
                    parts.append(self.pick(['-', 'a', ' ', '{{']))
                conv = self.pick(['', '', '', '!s', '!r'])
                spec = self.pick(['', '', '', ':>4', ':x']) if not conv else ''
                parts.append('{%s%s%s}' % (self.pick([self.nz(), self.nz(0), nv(), 'NS("s%d")' % self.r.randint(0, 9)]),
                                          conv, spec))
            e = "f'%s'" % ''.join(parts)
        elif r < 0.24:
            # dict displays and comprehensions with colliding, failing or unhashable keys
            rr = self.r.random()
            if rr < 0.4:
                e = '{%s}' % ', '.join('%s: %s' % (nk(), nv()) for _ in range(self.r.randint(1, 4)))
            elif rr < 0.55:
                k = self.pick(["'a'", "'b'"])
                e = '{%s}' % ', '.join('%s: %s' % (self.pick([k, "'c'"]), nv()) for _ in range(self.r.randint(2, 4)))
            else:
                c = self.fresh(ctx, 'c')
                self.ncount += 1
                mode = self.pick(['0', '1', '2', '(2 if %s == 1 else 0)' % c, '(1 if %s == 2 else 0)' % c])
                key = self.pick(['N("n%d" + str(%s), %s)' % (self.ncount, c, mode), 'N("n%d", %s)' % (self.ncount, mode)])
                e = '{%s: N("n%dv" + str(%s)) for %s in range(%d)}' % (key, self.ncount, c, c, self.r.randint(1, 3))
        elif r < 0.36:
            # dict stores (on variables and temporaries), deletes, update, ** merges.
            # STORE_SUBSCR_DICT, BINARY_SUBSCR_DICT and the METH_FASTCALL method-descriptor
            # PRECALLs release their operands in another order than the generic
            # instructions, and the interpreter specialises code the JIT compiled cold (a
            # leaf function called 8 times, a loop): so these never see an exact dict that
            # dies with them, nor (stores) a key whose hash fails. DM is a dict subclass,
            # which the specialised forms leave to the generic ones.
            dicts = [v.name for v in scope.all() if v.type[0] == 'dict']
            temps = ['{}', '{%s: 1}' % self.nz(0), '{%s: %s}' % (self.nz(0), self.nz(0))]
            dtemps = ['DM()', 'DM({%s: %s})' % (self.nz(0), self.nz(0))]
            target = self.pick(temps + dtemps + dicts[:2])
            safe = self.pick(dtemps + dicts[:2])    # subscripts and method calls
            rr = self.r.random()
            if rr < 0.35:
                key = nk() if safe.startswith('DM') else self.pick([self.nz(self.pick([0, 2])), "'k'", '7'])
                lines.append('%s[%s] = %s' % (recv(safe), key, nv()))
            elif rr < 0.45:
                lines.append('del %s[%s]' % (recv(target), nk()))
            elif rr < 0.6:
                arg = self.pick(['{%s: %s}' % (nk(), nv()), '[(%s, %s), (%s, %s)]' % (nk(), nv(), nk(), nv()),
                                 'a=%s' % nv(), '{%s: %s}, b=%s' % (nk(), nv(), nv())])
                lines.append('%s.update(%s)' % (recv(target), arg))
            elif rr < 0.8:
                e = self.pick(['{**%s, **{%s: %s}}' % (target, nk(), nv()),
                               '{**{%s: %s}, %s: %s}' % (nk(), nv(), nk(), nv()),
                               '{**{%s: %s}, **%s}' % (nk(), nv(), self.pick(['None', '[1]', '{%s: 2}' % nk()])),
                               'dict({%s: %s}, **{"a": %s})' % (nk(), nv(), nv())])
            else:
                e = self.pick(['NG(**{%s: %s})' % (nk(), nv()), 'NG(**{"a": %s}, **{"a": %s})' % (nv(), nv()),
                               'NG(%s, **{"b": %s})' % (nv(), nv()),
                               '%s.setdefault(%s, %s)' % (recv(safe), nk(), nv()),
                               '%s.pop(%s, %s)' % (recv(safe), nk(), nv()),
                               '%s.get(%s)' % (recv(safe), nk())])
        elif r < 0.44:
            # set displays, comprehensions and adds
            sets = [v.name for v in scope.all() if v.type[0] == 'set']
            rr = self.r.random()
            if rr < 0.35:
                e = '{%s}' % ', '.join(nk() for _ in range(self.r.randint(1, 4)))
            elif rr < 0.5:
                e = '{*[%s], %s}' % (', '.join(nk() for _ in range(self.r.randint(0, 3))), nk())
            elif rr < 0.65:
                c = self.fresh(ctx, 'c')
                self.ncount += 1
                e = '{N("n%d" + str(%s), %s) for %s in range(%d)}' % (
                    self.ncount, c, self.pick(['0', '(2 if %s == 1 else 0)' % c, '(1 if %s else 0)' % c]), c,
                    self.r.randint(1, 3))
            elif rr < 0.85:
                lines.append('%s.add(%s)' % (recv(self.pick(['set()', '{%s}' % self.nz(0)] + sets[:2])), nk()))
            else:
                e = self.pick(['%s in {%s, %s}' % (nk(), nk(), nk()), 'frozenset([%s, %s])' % (nk(), nk())])
        elif r < 0.58:
            # list/tuple displays and star unpacking of noisy items, iterators failing midway
            rr = self.r.random()
            if rr < 0.3:
                items = self.nlist(ctx, scope, 0, 2) + ['*%s' % self.nit()] + self.nlist(ctx, scope, 0, 2)
                self.r.shuffle(items)
                e = self.pick(['[%s]', '(%s,)', 'NG(%s)', 'print(%s)', '{%s}']) % ', '.join(items)
            elif rr < 0.5:
                a, b = self.fresh(ctx), self.fresh(ctx)
                form = self.pick(['%s, *%s = %s', '*%s, %s = %s', '%s, %s = %s', '[%s, *%s] = %s'])
                src = self.pick([self.nit(), '[%s]' % ', '.join(self.nlist(ctx, scope, 0, 3))])
                lines.append(form % (a, b, src))
                if form.startswith('*'):
                    scope.add(a, ANY)
                    scope.add(b, NOISY)
                elif form == '%s, %s = %s':
                    scope.add(a, NOISY)
                    scope.add(b, NOISY)
                else:
                    scope.add(a, NOISY)
                    scope.add(b, ANY)
            elif rr < 0.7:
                c = self.fresh(ctx, 'c')
                e = self.pick(['[%s for %s in %s]' % (c, c, self.nit()), 'list(%s)' % self.nit(), 'tuple(%s)' % self.nit(),
                               'sorted(%s)' % self.nit(), '[%s.tag for %s in %s]' % (c, c, self.nit()),
                               "''.join(%s)" % self.nit(), 'len([%s])' % ', '.join(self.nlist(ctx, scope))])
            else:
                a = self.fresh(ctx)
                lines.append('%s = %s' % (a, self.pick(['[%s]', '(%s,)']) % ', '.join(self.nlist(ctx, scope, 1, 4))))
                lines.append('%s = %s' % (a, self.pick([self.nz(0), 'None', a + '[0]', a + '[::-1]'])))
                scope.add(a, ANY)
        elif r < 0.72:
            # subscripts and slices with noisy indexes (__index__ = len(tag) % 3) and values
            tmp = lambda: self.pick(['[%s]' % ', '.join(self.nlist(ctx, scope, 1, 4)),
                                     '(%s,)' % ', '.join(self.nlist(ctx, scope, 1, 3)), 'LS([%s, %s])' % (nv(), nv())])
            idx = lambda: self.pick([self.nz(self.pick([0, 0, 3])), '0', '-1', '5', nv()])
            lists = [v.name for v in scope.all() if v.type[0] == 'list']
            rr = self.r.random()
            if rr < 0.3:
                e = '%s[%s]' % (tmp(), idx())
            elif rr < 0.45:
                e = '%s[%s:%s]' % (tmp(), self.pick(['', idx()]), self.pick(['', idx()]))
            elif rr < 0.6:
                target = self.pick(['[%s, %s]' % (nv(), nv())] + lists[:1])
                lines.append('%s[%s] = %s' % (target, idx(), nv()))
            elif rr < 0.7:
                lines.append('del %s[%s]' % (self.pick(['[%s, %s]' % (nv(), nv())] + lists[:1]), idx()))
            elif rr < 0.8:
                target = self.pick(['[%s, %s, %s]' % (nv(), nv(), nv())] + lists[:1])
                lines.append('%s[%s:%s] = %s' % (target, self.pick(['', idx()]), self.pick(['', idx()]),
                                                 self.pick(['[%s]' % nv(), self.nit(), 'None'])))
            elif rr < 0.85:
                lines.append('del %s[%s:%s]' % (self.pick(['[%s, %s, %s]' % (nv(), nv(), nv())] + lists[:1]),
                                                self.pick(['', idx()]), self.pick(['', idx()])))
            else:
                e = self.pick(['DM({%s: %s})[%s]' % (nk(), nv(), nk()),
                               "'abc'[%s]" % idx(), '%s[%s]' % (self.nz(0), idx())])
        elif r < 0.84:
            # attribute stores and deletes of noisy values, on variables and temporaries
            h = self.fresh(ctx, 'h')
            rr = self.r.random()
            objs = [v.name for v in scope.all() if v.type[0] == 'obj']
            if rr < 0.5:
                lines.append('%s = %s()' % (h, self.pick(['NH', 'NHS'])))
                for _ in range(self.r.randint(1, 3)):
                    a = self.pick(['a', 'a', 'b', 'c'])
                    lines.append(self.pick(['%s.%s = %s' % (h, a, nv()), 'del %s.%s' % (h, a),
                                            'setattr(%s, %r, %s)' % (h, a, nv()), '%s.%s = %s.%s' % (h, a, h, a)]))
                if self.chance(0.5):
                    lines.append('del %s' % h)
            elif rr < 0.75:
                lines.append(self.pick(['NH().a = %s', 'NHS().c = %s', 'NHS().a = %s', '(5).a = %s',
                                        'NH(%s).a = %s' % (nv(), '%s'), 'NHS().a = NHS().b = %s']) % nv())
            elif objs:
                o = self.pick(objs)
                lines.append(self.pick(['%s.zz = %s' % (o, nv()), '%s.w = %s' % (o, nv()), 'del %s.zz' % o,
                                        '%s.k = %s' % (o, nv())]))
            else:
                lines.append('NH.attr = %s' % nv())
        else:
            # calls whose arguments are noisy temporaries, and which raise
            objs = [v.name for v in scope.all() if v.type[0] == 'obj']
            cands = ['NF(%s)' % ', '.join(self.nlist(ctx, scope, 0, 3)),
                     'NF(%s, x=%s)' % (nv(), nv()), 'NF(*[%s, %s], **{"a": %s})' % (nv(), nv(), nv()),
                     'NG(%s, *%s)' % (nv(), self.nit()), 'NG(%s, %s, k=%s)' % (nv(), nv(), nv()),
                     'len(%s)' % nv(), 'max(%s, %s)' % (nv(), nv()), 'int(%s)' % nv(), 'divmod(%s, 0)' % nv(),
                     '[].append(%s, %s)' % (nv(), nv()), '%s.missing(%s)' % (self.nz(0), nv()),
                     "'{}-{}'.format(%s, %s)" % (nv(), self.nz()), "''.join([%s, %s])" % (nv(), nv()),
                     'print(%s, %s)' % (nv(), self.nz()), 'str(%s)' % self.nz(), 'repr(%s)' % nv(),
                     'format(%s, ">3")' % self.nz(), 'range(%s)' % self.nz(), '[0, 1, 2][%s]' % self.nz(),
                     '(lambda p, q=1: p.tag + q)(%s)' % nv()]
            if objs:
                cands.append('%s.%s(%s, %s)' % (self.pick(objs), self.pick(['missing', 'zz', 'x', '__eq__']), nv(), nv()))
            if self.funcs and not ctx.leaf and ctx.loop_depth <= 1:
                f = self.pick([f for f in self.funcs if f.leaf] or self.funcs)
                cands.append('%s(%s)' % (f.name, ', '.join(self.nlist(ctx, scope, 0, 3))))
            e = self.pick(cands)
        if not lines:
            if self.chance(0.4):
                v = self.fresh(ctx)
                lines.append('%s = %s' % (v, e))
                scope.add(v, NOISY if e.startswith('N(') else ANY)
            else:
                lines.append(e)
        if self.chance(0.35):
            if self.chance(0.3):
                lines.append("print('n', %s)" % self.pick(['1', "'done'"]))
            return [indent + line for line in lines]
        name = self.fresh(ctx, 'e')
        out = [indent + 'try:'] + [indent + '    ' + line for line in lines]
        out += [indent + 'except Exception as %s:' % name,
                indent + "    print('!n', type(%s).__name__, %s)" % (name, name)]
        return out

    def st_bigdisplay(self, ctx, scope, indent, depth):
        """Displays and calls with more than 30 items: the compiler builds them incrementally
        (LIST_APPEND/MAP_ADD/SET_ADD outside comprehensions, CALL_FUNCTION_EX for calls)."""
        res = self.fresh(ctx)
        n = self.r.randint(31, 40)
        items = [self.atom(ctx, scope, INT) for _ in range(n)]
        r = self.r.random()
        if r < 0.25:
            src = '[%s]' % ', '.join(items)
        elif r < 0.4:
            src = '(%s)' % ', '.join(items)
        elif r < 0.55:
            src = '{%s}' % ', '.join(items)
        elif r < 0.75:
            src = '{%s}' % ', '.join('%s: %s' % (self.pick(["'k%d'" % (i % 7), items[i]]), items[-1 - i])
                                     for i in range(n))
        elif r < 0.9:
            src = 'max(%s)' % ', '.join(items)
        else:
            src = "dict(%s)" % ', '.join('k%d=%s' % (i, it) for i, it in enumerate(items))
        scope.add(res, ANY)
        return [indent + '%s = %s' % (res, src)]

    def st_callbacks(self, ctx, scope, indent, depth):
        """C code calling back into compiled code, which may raise."""
        res = self.fresh(ctx)
        lst = self.expr(ctx, scope, ('list', INT))
        objs = [v.name for v in scope.all() if v.type[0] == 'obj']
        o = self.pick(objs) if objs else (self.construct(self.pick(self.classes).name) if self.classes else '5')
        call = self.pick([
            'list(map(lambda v: 100 // v, %s))' % lst,
            'list(filter(lambda v: v %% 3, %s))' % lst,
            'sorted(%s, key=lambda v: (v %% 4, -v))' % lst,
            'sorted(%s, key=lambda v: 1 / v)' % lst,
            'max(%s, key=lambda v: str(v), default=None)' % lst,
            'sorted([%s, %s], key=lambda o: o.x)' % (o, o),
            'sorted([%s, %s])' % (o, o),
            'len(%s)' % o, 'bool(%s)' % o, 'list(%s)' % o, '[1, 2, 3][%s]' % o, "'ab' * min(%s, 3)" % o,
            'range(%s)' % o, '%s in [%s, 1]' % (o, o), 'str(%s)' % o, "'%%s' %% (%s,)" % o,
            'f"{%s!r:>30}"' % (o if '\\' not in o and '"' not in o else '[]'), '[q for q in %s]' % o, 'dict.fromkeys(%s)' % lst,
        ])
        out = [indent + '%s = %s' % (res, call), indent + "print('cb', %s)" % res]
        scope.add(res, ANY)
        return out

    def st_trace(self, ctx, scope, indent, depth):
        """Turn tracing or profiling on in the middle of a (compiled) frame, then off again:
        the JIT must hand the frame to the interpreter at the right instruction."""
        r = self.r.random()
        out = []
        if r < 0.2:
            # switched on by a callee, for this (compiled) frame too
            out.append(indent + 'TRACE_ON(%s)' % self.pick(['', 'True']))
            off = 'sys.settrace(None)'
        elif r < 0.45:
            out.append(indent + 'sys.settrace(TRACER)')
            off = 'sys.settrace(None)'
            if self.chance(0.5):
                out.append(indent + 'sys._getframe().f_trace = TRACER')
                if self.chance(0.4):
                    out.append(indent + 'sys._getframe().f_trace_opcodes = True')
        elif r < 0.8:
            out.append(indent + 'sys.setprofile(PROFILER)')
            off = 'sys.setprofile(None)'
        else:
            out.append(indent + 'sys.settrace(TRACER)')
            out.append(indent + 'sys.setprofile(PROFILER)')
            off = 'sys.settrace(None); sys.setprofile(None)'
        out.append(indent + 'try:')
        out += self.block(ctx, Scope(scope), indent + '    ', self.r.randint(1, 2), depth + 1)
        out.append(indent + 'finally:')
        out.append(indent + '    ' + off)
        if 'f_trace' in ''.join(out) or 'TRACE_ON' in ''.join(out):
            out.append(indent + '    sys._getframe().f_trace = None')
        return out

    def st_maybeunbound(self, ctx, scope, indent, depth):
        """Read a variable that another block assigned: bound or not depending on the path."""
        inscope = {v.name for v in scope.all()}
        cands = [n for n in ctx.assigned if n not in inscope]
        if not cands:
            return self.st_print(ctx, scope, indent, depth)
        n = self.pick(cands)
        return [indent + self.pick(["print('maybe', %s)" % n, "print('maybe', %s is None)" % n,
                                    "del %s" % n])]

    def st_objhack(self, ctx, scope, indent, depth):
        """Change objects under the attribute caches: materialise or clear an instance dict,
        shadow a method or an attribute, swap __class__, add a data descriptor to a class."""
        objs = [v for v in scope.all() if v.type[0] == 'obj']
        if not objs or not self.classes:
            return self.st_print(ctx, scope, indent, depth)
        v = self.pick(objs)
        c = self.class_info(v.type[1])
        other = self.pick(self.classes)
        meth = self.pick(sorted(c.methods))
        return [indent + self.pick([
            "print('vars', sorted(vars(%s)))" % v.name,
            "%s.__dict__['x'] = %s" % (v.name, self.lit(INT)),
            "%s.__dict__.clear()" % v.name,
            "%s.__dict__.update(x=%s, y=%s)" % (v.name, self.lit(INT), self.lit(STR)),
            "%s.%s = lambda *a, **k: ('shadowed', len(a))" % (v.name, meth),
            "%s.__class__ = %s" % (v.name, other.name),
            "%s.x = property(lambda self: 'prop')" % c.name,
            "del %s.x" % c.name,
            "%s.%s = lambda self, *a, **k: ('replaced', len(a))" % (c.name, meth),
            "%s.y = %s" % (c.name, self.lit(STR)),
            "print('dm', DM({'a': 1})[%s], DM(a=2).get('b'), LS([1, 2])[%s], LS([3])[::-1])" % (
                self.pick(["'a'", "'b'", '0']), self.pick(['0', '-1', '5'])),
        ])]

    def st_mutiter(self, ctx, scope, indent, depth):
        """Iterate over a list while the body grows or shrinks it (bounded)."""
        lists = [v for v in scope.all() if v.type[0] == 'list' and v.type[1] != ANY]
        if not lists:
            return self.st_for(ctx, scope, indent, depth)
        v = self.pick(lists)
        i = self.fresh(ctx, 'i')
        body = self.pick(['if len(%s) < 12:\n%s        %s.append(%s)' % (v.name, indent, v.name, i),
                          'if %s:\n%s        %s.pop(0)' % (v.name, indent, v.name),
                          '%s.insert(0, %s) if len(%s) < 9 else %s.clear()' % (v.name, i, v.name, v.name),
                          'print(%s, len(%s))' % (i, v.name)])
        head = self.pick(['for %s in %s:', 'for %s in reversed(%s):', 'for %s in iter(%s):'])
        if 'reversed' in head and 'insert' in body:
            body = 'print(%s, len(%s))' % (i, v.name)
        return [indent + head % (i, v.name), indent + '    ' + body]

    def st_compwalrus(self, ctx, scope, indent, depth):
        """An assignment expression in a comprehension binds in the function (a cell)."""
        w = self.fresh(ctx)
        r = self.fresh(ctx)
        line = indent + '%s = [(%s := c * %s) for c in range(%d)]' % (r, w, self.atom(ctx, scope, INT), self.r.randint(1, 3))
        scope.add(w, INT)
        scope.add(r, ('list', INT))
        return [line]

    def st_introspect(self, ctx, scope, indent, depth):
        """What the frame and the thread state show: line numbers, the handled exception, locals."""
        r = self.r.random()
        if r < 0.35:
            return [indent + "print('exc_info', repr(sys.exc_info()[1]))"]
        if r < 0.55:
            return [indent + "print('line', sys._getframe().f_lineno, sys._getframe().f_code.co_name)"]
        if r < 0.7 and ctx.kind == 'func':
            return [indent + "print('locals', sorted(locals()))"]
        if r < 0.8:
            ints = [v.name for v in scope.all() if v.type == INT]
            if len(ints) >= 2:
                a, b = self.r.sample(ints, 2)
                return [indent + "print('same', (%s + 0) is (%s + 0), (%s * 1) is %s)" % (a, b, a, a)]
        if r < 0.9:
            return [indent + "print('refs', sys.getrefcount(%s) - sys.getrefcount(None) * 0 > 0)" % self.atom(ctx, scope, self.rand_type(1))]
        return [indent + "print('caller', sys._getframe(1).f_code.co_name if sys._getframe(1) else None)"]

    def st_global(self, ctx, scope, indent, depth):
        # function-level declarations are hoisted by the writer of the function
        gs = [g for g in self.globals if g.type in (INT, STR, ('list', INT))]
        if not gs:
            return self.st_print(ctx, scope, indent, depth)
        g = self.pick(gs)
        ctx.globals_written.add(g.name)
        if self.chance(0.1):
            ctx.globals_written.add('abs')
            return [indent + 'abs = %s' % self.pick(['lambda x: -7', 'len', 'str']), indent + 'print(abs(-3))',
                    indent + 'del abs']
        if self.chance(0.08):
            return [indent + 'del %s' % g.name, indent + '%s = %s' % (g.name, self.lit(g.type))]
        if self.chance(0.05):
            return [indent + "globals()[%r] = %s" % (g.name, self.lit(g.type))]
        if self.chance(0.05):
            # a builtin replaced under the LOAD_GLOBAL caches, then restored
            name = self.pick(['abs', 'len', 'max'])
            return [indent + 'import builtins', indent + '_saved = builtins.%s' % name,
                    indent + 'builtins.%s = lambda *a, **k: %s' % (name, self.lit(INT)),
                    indent + 'try:', indent + "    print('patched', abs(-2), len('ab'), max(1, 2))",
                    indent + 'finally:', indent + '    builtins.%s = _saved' % name]
        if g.type == INT:
            return [indent + '%s = %s' % (g.name, self.pick(['%s + 1' % g.name, '%s * 2' % g.name, self.lit(INT),
                                                              '%s - %s' % (g.name, self.atom(ctx, scope, INT))]))]
        if g.type == STR:
            return [indent + '%s = %s' % (g.name, self.pick([self.lit(STR), "%s[:6] + 'g'" % g.name]))]
        return [indent + '%s.append(%s)' % (g.name, self.atom(ctx, scope, INT)) if self.chance(0.7)
                else indent + '%s = %s' % (g.name, self.lit(('list', INT)))]

    def st_del(self, ctx, scope, indent, depth):
        vs = [v for v in scope.vars if v.name not in ctx.no_del and not v.name.startswith(('c', 'i', 'e', 'p', 'q', 'a', 'b'))]
        if not vs or ctx.loop_depth:
            return self.st_print(ctx, scope, indent, depth)
        v = self.pick(vs)
        scope.remove(v.name)
        return [indent + 'del %s' % v.name]

    def st_assert(self, ctx, scope, indent, depth):
        if self.chance(0.5):
            return [indent + 'assert %s, %s' % (self.cond(ctx, scope, 0), self.pick(["'assert msg'", self.atom(ctx, scope, INT)]))]
        return [indent + 'assert %s' % self.cond(ctx, scope, 0)]

    def st_match(self, ctx, scope, indent, depth):
        t = self.pick([INT, STR, ('list', INT), ('tuple', (INT, STR)), ('dict', STR, INT)] +
                      ([('obj', self.classes[0].name)] if self.classes else []))
        subj = self.expr(ctx, scope, t)
        out = [indent + 'match %s:' % subj]
        cases = []
        for _ in range(self.r.randint(1, 3)):
            cs = Scope(scope)
            r = self.r.random()
            if r < 0.25:
                pat = ' | '.join(str(self.pick(SMALL_INTS)) if t == INT else self.pick(["'a'", '0', '1', 'None', 'True'])
                                 for _ in range(self.r.randint(1, 2)))
            elif r < 0.45:
                a = self.fresh(ctx, 'm')
                b = self.fresh(ctx, 'm')
                pat = self.pick(['[%s, *%s]' % (a, b), '(%s, %s)' % (a, b), '[%s, _, *%s]' % (a, b)])
                cs.add(a, ANY)
            elif r < 0.65:
                a = self.fresh(ctx, 'm')
                pat = "{'a': %s, **%s}" % (a, self.fresh(ctx, 'm')) if self.chance(0.5) else "{'key': %s}" % a
                cs.add(a, ANY)
            elif r < 0.8 and self.classes:
                c = self.pick(self.classes)
                a = self.fresh(ctx, 'm')
                pat = self.pick(['%s(x=%s)' % (c.name, a), '%s()' % c.name, 'int(%s)' % a, 'str() as %s' % a])
                cs.add(a, ANY)
            else:
                a = self.fresh(ctx, 'm')
                pat = '%s if %s' % (a, self.cond(ctx, scope, 1))
                cs.add(a, t)
            out.append(indent + '    case %s:' % pat)
            out += self.block(ctx, cs, indent + '        ', self.r.randint(1, 2), depth + 1)
        if self.chance(0.5):
            out.append(indent + '    case _:')
            out += self.block(ctx, Scope(scope), indent + '        ', 1, depth + 1)
        return out

    def st_mutate(self, ctx, scope, indent, depth):
        lists = [v for v in scope.all() if v.type[0] == 'list' and v.type[1] != ANY]
        dicts = [v for v in scope.all() if v.type[0] == 'dict']
        sets = [v for v in scope.all() if v.type[0] == 'set']
        r = self.r.random()
        if lists and r < 0.5:
            v = self.pick(lists)
            et = v.type[1]
            m = self.pick(['append(%s)', 'insert(%s, %s)', 'pop()', 'pop(%s)', 'extend(%s)', 'remove(%s)',
                           'reverse()', 'sort()', 'clear()', 'index(%s)', 'count(%s)'])
            if m == 'append(%s)' or m == 'remove(%s)' or m == 'index(%s)' or m == 'count(%s)':
                call = m % self.expr(ctx, scope, et)
            elif m.startswith('insert'):
                call = m % (self.index_expr(ctx, scope, 0), self.expr(ctx, scope, et))
            elif m == 'pop(%s)':
                call = m % self.index_expr(ctx, scope, 0)
            elif m.startswith('extend'):
                call = m % self.lit(v.type)
            else:
                call = m
            if self.chance(0.2) and 'pop' in call:
                res = self.fresh(ctx)
                scope.add(res, et)
                return [indent + '%s = %s.%s' % (res, v.name, call)]
            return [indent + '%s.%s' % (v.name, call)]
        if dicts and r < 0.8:
            v = self.pick(dicts)
            m = self.pick(['pop(%s)', 'pop(%s, None)', 'setdefault(%s, %s)', 'update(%s)', 'clear()', 'popitem()',
                           'update(%s=%s)'])
            if m == 'update(%s)':
                call = m % self.expr(ctx, scope, v.type)
            elif m == 'setdefault(%s, %s)':
                call = m % (self.expr(ctx, scope, v.type[1]), self.expr(ctx, scope, v.type[2]))
            elif m == 'update(%s=%s)':
                call = m % (self.pick(['a', 'key']), self.expr(ctx, scope, v.type[2]))
            elif '%s' in m:
                call = m % self.expr(ctx, scope, v.type[1])
            else:
                call = m
            return [indent + '%s.%s' % (v.name, call)]
        if sets:
            v = self.pick(sets)
            m = self.pick(['add(%s)', 'discard(%s)', 'remove(%s)', 'pop()', 'update(%s)'])
            call = m % self.expr(ctx, scope, v.type[1] if 'update' not in m else ('list', v.type[1])) if '%s' in m else m
            return [indent + '%s.%s' % (v.name, call)]
        return self.st_assign(ctx, scope, indent, depth)

    def st_walrus(self, ctx, scope, indent, depth):
        name = self.fresh(ctx)
        t = self.pick([INT, STR, ('list', INT)])
        out = [indent + 'if (%s := %s):' % (name, self.expr(ctx, scope, t))]
        scope.add(name, t)
        out += self.block(ctx, Scope(scope), indent + '    ', self.r.randint(1, 2), depth + 1)
        return out

    def st_import(self, ctx, scope, indent, depth):
        name = self.fresh(ctx)
        scope.add(name, FLOAT if self.chance(0.5) else INT)
        t = scope.vars[-1].type
        if t == FLOAT:
            return [indent + 'from math import %s as %s_f' % (self.pick(['sqrt', 'floor', 'fabs', 'log']), name),
                    indent + '%s = float(%s_f(%s))' % (name, name, self.pick(['4', '2.5', '0', '-1', '1e300']))]
        return [indent + 'import operator as %s_m' % name,
                indent + '%s = %s_m.%s(%s, %s)' % (name, name, self.pick(['add', 'mul', 'sub', 'floordiv', 'mod']),
                                                   self.lit(INT), self.lit(INT))
                if True else '']

    def st_nonlocal(self, ctx, scope, indent, depth):
        return self.st_print(ctx, scope, indent, depth)

    # -- top level -----------------------------------------------------------------------------
    def gen_exc_classes(self):
        out = []
        for i in range(self.r.randint(1, 3)):
            name = 'E%d' % i
            base = self.pick(['Exception', 'ValueError', 'KeyError', 'LookupError'] + self.exc_classes)
            if self.chance(0.5):
                out += ['class %s(%s):' % (name, base), '    pass', '']
            else:
                out += ['class %s(%s):' % (name, base),
                        '    def __init__(self, *args):',
                        '        super().__init__(*args)',
                        '        self.note = len(args)',
                        '    def __str__(self):',
                        "        return '%s<%%s>' %% (self.args,)" % name, '']
            self.exc_classes.append(name)
        return out

    def gen_class(self, idx):
        c = ClassInfo('C%d' % idx)
        base = None
        if self.classes and self.chance(0.3):
            base = self.pick([b for b in self.classes if not b.slots or True])
        c.base = base
        c.slots = self.chance(0.4) and (base is None or base.slots)
        c.attrs = dict(base.attrs) if base else {'x': INT, 'y': STR}
        c.has_prop = (base.has_prop if base else False) or self.chance(0.5)
        c.has_getattr = not c.slots and self.chance(0.4)
        c.is_cm = (base.is_cm if base else False) or self.chance(0.5)
        c.iterable = (base.iterable if base else False) or self.chance(0.4)
        c.has_add = (base.has_add if base else False) or self.chance(0.4)
        c.has_eq = self.chance(0.4)
        c.hashable = c.has_eq and self.chance(0.5)
        c.has_getitem = self.chance(0.3)
        c.methods = dict(base.methods) if base else {}
        lines = ['class %s%s:' % (c.name, '(%s)' % base.name if base else '')]
        if c.slots:
            extra = "'w'" if self.chance(0.5) else ''
            slots = ("('x', 'y'%s)" % (', ' + extra if extra else '')) if base is None else '(%s,)' % (extra or "'w'")
            lines.append('    __slots__ = %s' % slots)
        lines.append('    k = %s' % self.lit_int())
        lines.append('    tag: str = %r' % c.name)
        if self.chance(0.3):
            lines += ['    kk = [k, k * 2]', '    for _q in range(2):', '        k += 1']
        if self.chance(0.2):
            lines += ['    try:', '        bad = undefined_in_class', '    except NameError as _e:',
                      '        bad = str(_e)']
        if base is None or self.chance(0.5):
            lines += ['    def __init__(self, x, y=%s):' % self.pick(STRS)]
            if base is not None:
                lines.append('        super().__init__(x, y)')
            else:
                lines += ['        self.x = x', '        self.y = y']
        if c.has_prop:
            body = self.pick(['self.x * 2', 'self.x + self.k', 'self.x // (self.x - 1)', 'len(self.y) + self.x'])
            lines += ['    @property', '    def p(self):', '        return %s' % body]
            if self.chance(0.6):
                c.prop_setter = True
                lines += ['    @p.setter', '    def p(self, v):', '        if v < -(10 ** 6):',
                          "            raise ValueError('too small: %r' % (v,))", '        self.x = v // 2']
        if c.has_getattr:
            lines += ['    def __getattr__(self, name):', "        if name.startswith('z'):",
                      "            return name * 2", '        raise AttributeError(name)']
        # methods with various signatures
        m1 = 'm%d' % idx
        body = self.pick(['self.x + a * b', 'a - b + len(self.y)', '(self.x, a, b)[1] * b', 'self.k + a + b + len(rest)'])
        lines += ['    def %s(self, a, b=%s, *rest, c=0, **kw):' % (m1, self.pick(['1', '2', '-3'])),
                  '        return %s + c + len(kw)' % body]
        c.methods[m1] = (1, INT)
        if base is not None and base.methods and self.chance(0.6):
            bm = self.pick(sorted(base.methods))
            lines += ['    def %s(self, a, *args, **kw):' % bm,
                      '        return super().%s(a, *args, **kw) + 1' % bm]
        lines += ['    @classmethod', '    def make%d(cls, v):' % idx, '        return cls(v)']
        lines += ['    @staticmethod', '    def s%d(v, w=2):' % idx, '        return v * w']
        c.methods['s%d' % idx] = (1, INT)
        lines += ['    def __repr__(self):',
                  "        return '%s(%%r, %%r)' %% (self.x, self.y)" % c.name]
        if c.has_eq:
            lines += ['    def __eq__(self, other):', '        if not isinstance(other, %s):' % c.name,
                      '            return NotImplemented', '        return self.x == other.x']
            if c.hashable:
                lines += ['    def __hash__(self):', '        return hash(self.x)']
        else:
            # never hash by identity: set order would depend on addresses
            lines += ['    def __hash__(self):', '        return %d' % self.r.randint(0, 3)]
        if c.has_add:
            lines += ['    def __add__(self, other):', '        if isinstance(other, int):',
                      '            return %s(self.x + other, self.y)' % c.name,
                      '        return %s(self.x + other.x, self.y + other.y)' % c.name,
                      '    def __radd__(self, other):', '        return %s(other + self.x, self.y)' % c.name,
                      '    def __lt__(self, other):', '        return self.x < other.x']
        if c.iterable:
            lines += ['    def __iter__(self):', '        return %s' % self.pick(
                          ['iter([self.x, len(self.y), self.k])', 'iter([self.x, len(self.y), self.k])',
                           'iter((self.x,) * (self.x % 3))', 'self']),
                      '    def __len__(self):', '        return %s' % self.pick(['3', '3', 'self.x', 'len(self.y)'])]
            c.has_len = True
        if c.has_getitem:
            lines += ['    def __getitem__(self, i):', '        return (self.x, self.y)[i]']
        if c.is_cm:
            suppress = self.pick(['False', 'True', 'exc_type is KeyError', 'self.x > 3'])
            lines += ['    def __enter__(self):', "        print('enter', %r, self.x)" % c.name]
            if self.chance(0.2):
                lines += ['        if self.x == 0:', "            raise RuntimeError('enter failed')"]
            lines += ['        return self',
                      '    def __exit__(self, exc_type, exc, tb):',
                      "        print('exit', %r, exc_type.__name__ if exc_type else None, exc)" % c.name]
            if self.chance(0.2):
                lines += ['        if exc_type is %s:' % self.pick(['KeyError', 'None', 'ZeroDivisionError']),
                          "            raise LookupError('exit failed')"]
            lines += ['        return %s' % suppress]
        if self.chance(0.3):
            lines += ['    def __bool__(self):', '        if self.x == 0:', "            raise ValueError('no truth')",
                      '        return self.x > 0']
        if self.chance(0.3):
            lines += ['    def __index__(self):', '        return self.x']
        if self.chance(0.35):
            lines += ['    def __del__(self):', "        print('del', type(self).__name__, getattr(self, 'x', '?'))"]
        if self.chance(0.3):
            c.callable = True
            lines += ['    def __call__(self, *a, **k):', '        return len(a) + len(k) + self.x']
        lines.append('')
        self.classes.append(c)
        return lines

    def gen_globals(self):
        out = []
        for i in range(self.r.randint(2, 5)):
            t = self.pick([INT, INT, STR, ('list', INT), FLOAT, ('dict', STR, INT)])
            name = 'G%d' % i
            out.append('%s = %s' % (name, self.lit(t)))
            self.globals.append(Var(name, t))
        return out

    def gen_params(self, leaf):
        params = []
        n = self.r.randint(0, 4)
        kinds = []
        if self.chance(0.2) and n:
            kinds.append('posonly')
        kinds += ['normal'] * n
        if self.chance(0.25):
            kinds.append('varargs')
        if self.chance(0.25):
            kinds.append('kwonly')
        if self.chance(0.2):
            kinds.append('varkw')
        seen_default = False
        for i, k in enumerate(kinds):
            name = 'a%d' % i if k not in ('varargs', 'varkw') else ('args' if k == 'varargs' else 'kw')
            t = self.rand_type(1) if self.chance(0.6) else INT
            default = None
            if k in ('posonly', 'normal'):
                if seen_default or self.chance(0.3):
                    default = self.lit(t)
                    seen_default = True
            elif k == 'kwonly' and self.chance(0.5):
                default = self.lit(t)
            params.append((k, name, t, default))
        return params

    def sig_src(self, params):
        parts = []
        for i, (k, name, t, default) in enumerate(params):
            ann = ''
            if self.chance(0.1) and k in ('normal', 'kwonly'):
                ann = ': ' + self.pick(['int', 'str', "'T'", 'list'])
            if k == 'varargs':
                parts.append('*' + name)
            elif k == 'varkw':
                parts.append('**' + name)
            else:
                if k == 'kwonly' and not any(p[0] == 'varargs' for p in params) and '*' not in parts:
                    parts.append('*')
                parts.append(name + ann + ('=%s' % default if default is not None else ''))
            if k == 'posonly':
                parts.append('/')
        return ', '.join(parts)

    def gen_function(self, idx, leaf, ic=False):
        name = 'f%d' % idx
        params = self.gen_params(leaf)
        ret = self.pick([INT, STR, ('list', INT), FLOAT, ANY])
        ctx = FuncCtx(name, leaf)
        scope = Scope()
        for k, pname, t, default in params:
            if k == 'varargs':
                scope.add(pname, ('tuple', (INT,)))
            elif k == 'varkw':
                scope.add(pname, ('dict', STR, INT))
            else:
                scope.add(pname, t)
            ctx.no_del.add(pname)
        nseg = self.r.randint(2, 6) if self.chance(0.97) else self.r.randint(25, 45)   # rarely: EXTENDED_ARG
        body = self.ic_segments(ctx, scope, '    ') if ic else self.segments(ctx, scope, '    ', nseg)
        ret_line = '    return %s' % self.return_expr(ctx, scope)
        lines = ['def %s(%s):' % (name, self.sig_src(params))]
        if ctx.globals_written:
            lines.append('    global %s' % ', '.join(sorted(ctx.globals_written)))
        lines += body + [ret_line, '']
        self.funcs.append(FuncInfo(name, params, leaf, ret))
        return lines

    def gen_case(self, f, variant):
        ctx = FuncCtx('<case>', True)
        scope = Scope()
        pos, kw = [], []
        for k, name, t, default in f.params:
            if variant and self.chance(0.2):
                t = self.pick([INT, STR, BOOL, NONE, t])
            val = self.lit(t)
            if k == 'posonly':
                pos.append(val)
            elif k == 'normal':
                if default is not None and self.chance(0.3):
                    continue
                if not kw and self.chance(0.7):
                    pos.append(val)
                else:
                    kw.append((name, val))
            elif k == 'varargs':
                pos.extend(self.lit(INT) for _ in range(self.r.randint(0, 2)))
            elif k == 'kwonly':
                if default is None or self.chance(0.5):
                    kw.append((name, val))
            else:
                for j in range(self.r.randint(0, 2)):
                    kw.append(('x%d' % j, self.lit(INT)))
        args = '(%s)' % ''.join(p + ', ' for p in pos)
        kwargs = '{%s}' % ', '.join('%r: %s' % (k, v) for k, v in kw)
        return "    (%r, %s, %s, %s)," % ('%s#%d' % (f.name, variant), f.name, args, kwargs)

    def gen_module_script(self):
        """Statements at module level (LOAD_NAME/STORE_NAME code), guarded so they cannot stop the module."""
        ctx = FuncCtx('<module>', False, kind='module')
        ctx.counter = 5000
        scope = Scope()
        out = []
        if self.chance(0.1):
            out.append('from math import *')
        for _ in range(self.r.randint(1, 3)):
            out.append('try:')
            out += self.block(ctx, Scope(scope), '    ', self.r.randint(1, 4), 1)
            out.append('except Exception as exc:')
            out.append("    print('module:', type(exc).__name__, exc)")
        out.append('')
        return out

    def generate(self):
        out = ['# progfuzz program, seed %d' % self.seed, 'import builtins', 'import math', 'import sys',
               'import types', '']
        out += ['def TRACER(frame, event, arg):',
                '    if frame.f_globals is globals():',
                "        print('T', event, frame.f_code.co_name, frame.f_lineno,",
                "              frame.f_lasti if event == 'opcode' else '', type(arg).__name__)",
                '    return TRACER', '',
                'def TRACE_ON(opcodes=False):',
                '    sys.settrace(TRACER)',
                '    caller = sys._getframe(1)',
                '    caller.f_trace = TRACER',
                '    caller.f_trace_opcodes = opcodes', '',
                'def PROFILER(frame, event, arg):',
                "    if frame.f_globals is globals():",
                "        print('P', event, frame.f_code.co_name, frame.f_lineno, getattr(arg, '__name__', type(arg).__name__))",
                '']
        out += ['class It:',
                '    """An iterator in Python: FOR_ITER calls back into compiled code."""',
                '    def __init__(self, n, fail=None):',
                '        self.i = 0', '        self.n = n', '        self.fail = fail',
                '    def __iter__(self):', '        return self',
                '    def __next__(self):',
                '        self.i += 1',
                '        if self.i == self.fail:',
                "            raise ValueError('iterator failed at %d' % self.i)",
                '        if self.i > self.n:',
                '            raise StopIteration(self.i)',
                '        return self.i * 10', '']
        out += ['class NS(str):',
                '    """A str that says when it dies: what N.__format__, __str__ and __repr__ return."""',
                '    def __del__(self):',
                "        print('del-s', str(self))", '',
                'class N:',
                '    """Says when it dies. Every N hashes to 7 (keys collide); mode 1: __hash__ raises,',
                '    2: __eq__ raises, 3: __format__, __str__ and __index__ raise. A method that raises',
                '    drops self first, so that the traceback does not keep the object alive."""',
                '    def __init__(self, tag, mode=0):',
                '        self.tag = tag', '        self.mode = mode',
                '    def __del__(self):', "        print('del', self.tag)",
                '    def __hash__(self):',
                '        if self.mode == 1:',
                "            msg = 'unhashable N %s' % self.tag", '            del self',
                '            raise TypeError(msg)',
                '        return 7',
                '    def __eq__(self, other):',
                '        if not isinstance(other, N):', '            return NotImplemented',
                '        if self.mode == 2 or other.mode == 2:',
                "            msg = 'N %s == N %s' % (self.tag, other.tag)", '            del self, other',
                '            raise ValueError(msg)',
                '        return self.tag == other.tag',
                '    def __format__(self, spec):',
                '        if self.mode == 3:',
                "            msg = 'format N %s' % self.tag", '            del self',
                '            raise ValueError(msg)',
                "        return NS('F' + self.tag + spec)",
                '    def __str__(self):',
                '        if self.mode == 3:',
                "            msg = 'str N %s' % self.tag", '            del self',
                '            raise RuntimeError(msg)',
                "        return NS('S' + self.tag)",
                '    def __repr__(self):', "        return NS('R' + self.tag)",
                '    def __index__(self):',
                '        if self.mode == 3:',
                "            msg = 'index N %s' % self.tag", '            del self',
                '            raise TypeError(msg)',
                '        return len(self.tag) % 3', '',
                'class NIt:',
                '    """Yields new N objects; raises ValueError at step `fail`."""',
                '    def __init__(self, tag, n, fail=0):',
                '        self.tag = tag', '        self.n = n', '        self.fail = fail', '        self.i = 0',
                '    def __iter__(self):', '        return self',
                '    def __next__(self):',
                '        self.i += 1',
                '        if self.i == self.fail:',
                "            raise ValueError('NIt %s failed at %d' % (self.tag, self.i))",
                '        if self.i > self.n:', '            raise StopIteration',
                "        return N('%s.%d' % (self.tag, self.i))", '',
                'def NF(*args, **kwargs):',
                '    """A call that raises, after dropping its arguments."""',
                '    n = len(args) + len(kwargs)', '    del args, kwargs',
                "    raise ValueError('NF got %d' % n)", '',
                'def NG(*args, **kwargs):',
                '    return len(args) + len(kwargs)', '',
                'class NH:',
                '    """Attribute stores of noisy values."""',
                '    def __init__(self, a=None):', '        if a is not None:', '            self.a = a',
                '    def __del__(self):', "        print('del NH')", '',
                'class NHS:', "    __slots__ = ('a', 'b')", '']
        out += ['class DM(dict):', '    def __missing__(self, key):', "        return ('missing', key)", '',
                'class LS(list):', '    pass', '']
        out += self.gen_exc_classes()
        for i in range(self.r.randint(1, 4)):
            out += self.gen_class(i)
        out += self.gen_globals()
        out += self.gen_ic_prelude()
        if self.chance(0.3):
            out += ['try:', '    MODVAL = [G0 * 2 for _ in range(2)]', 'except Exception as exc:',
                    "    MODVAL = type(exc).__name__", 'for _mi in range(2):', '    G0 = G0', '']
        out.append('')
        nleaf = max(3, self.nfuncs // 3)
        # a few functions are made of inline-cache constructs (gen_ics.py) that surely run
        ic_funcs = set(self.r.sample(range(nleaf, self.nfuncs), self.r.randint(2, 4)))
        for i in range(self.nfuncs):
            out += self.gen_function(i, i < nleaf, i in ic_funcs)
        if self.chance(0.7):
            out += self.gen_module_script()
        if self.chance(0.5):
            # warm the calls up in the interpreter first (child.py): the JIT then compiles
            # quickened code, with the interpreter's specialisations as type feedback
            out.append('WARMUP = %d' % self.r.randint(8, 12))
        out.append('CASES = [')
        for f in self.funcs:
            out.append(self.gen_case(f, 0))
            if self.chance(0.3):
                out.append(self.gen_case(f, 1))
        out.append(']')
        return '\n'.join(out) + '\n'


def generate(seed, nfuncs=None):
    return Generator(seed, nfuncs).generate()


if __name__ == '__main__':
    import sys
    print(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
