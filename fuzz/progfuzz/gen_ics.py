"""Inline-cache stress for the program generator: a mixin of gen.Generator.

It owns the code that exercises the JIT's run-time inline caches (attribute, method, store,
global and call-site caches, filled the first times a site runs and guarded by type version
tags, dict keys versions, exact types and code objects):

  - the prelude (gen_ic_prelude): receiver classes R0.. (with and without __slots__,
    instance attributes shadowing class attributes, properties, static/class methods,
    builtins and module functions as class attributes, subclasses, list/dict/int/str
    subclasses, __getattr__, __getattribute__), callees HF0.., HM0, module-level site
    helpers PS0.., a module object MOD made with types.ModuleType (patched instead of a
    real module, so that nothing leaks), a global MK0, and RESTORE/ICMISS to put back
    what a test changed;
  - polymorphic sites (st_poly): a loop whose attribute load, method call, attribute store,
    call, binary operator or subscript sees receivers of 2-8 types in turn (cycling,
    alternating, in runs, mostly one, monomorphic then polymorphic), inline or in a
    compiled helper (nested, or one of PS0.. shared by the whole program);
  - classes mutated after warm-up (st_warmmutate): a loop runs a site on a class made by
    the call (so every call warms its caches again), and at an iteration the generator
    picks replaces, deletes or adds a method, property or class attribute, adds
    __getattr__/__getattribute__, changes a base, assigns __class__ or __bases__, shadows
    a method with an instance attribute, or replaces __init__/__new__; sometimes undoes it
    later; and keeps running the same site; or the site calls a nested function whose
    __code__ or __defaults__ is replaced, or whose name is rebound;
  - monkey-patching (st_monkey): a module global shadowing a builtin (len, abs,
    isinstance, ...), the builtin itself, an attribute of a module object, a module
    function (name, __code__, __defaults__), a method of a prelude class (with a plain
    function, lambda, builtin, staticmethod, classmethod) or a module global value,
    rebound or deleted in the middle of a loop that uses it, and restored in `finally`.

Determinism: each site's outcome goes into a list printed after the loop: values with fixed
reprs (the classes define __repr__, none has __del__), or the exception's type and message.
Module-level state is always put back in `finally`; classes that are mutated for good are
made by the call itself.
"""

# builtins a loop calls while they are patched, and the call the site makes; the loop's
# own scaffolding uses only type, str, range and print (never patched in builtins)
BUILTIN_SITES = {
    'len': "len('abcdef'[:{i} % 5])",
    'abs': 'abs({i} - 4)',
    'isinstance': 'isinstance({i}, int)',
    'min': 'min({i}, 3)',
    'max': 'max({i}, 3)',
    'sum': 'sum([{i}, 1])',
    'ord': "ord('abc'[{i} % 3])",
    'divmod': 'divmod({i}, 3)',
    'round': 'round({i} / 4, 1)',
    'hash': 'hash({i})',
    'callable': 'callable({i})',
    'sorted': 'sorted([{i}, 2, 1])',
    'chr': 'chr(65 + {i})',
    'print': "print('mp', {i})",
}
# what a patched builtin (or module function) becomes: never a call of the patched name
REPLACEMENTS = ["lambda *a, **k: ('patched', a)", 'abs', 'len', 'HF2', 'str', 'max',
                "lambda a, *b: ('lam', a)", 'HF0', 'R0', 'bool']

# receiver pools by family (builtins; the R classes add their own)
NUM_LITS = ['3', '-7', '2 ** 64', '1.5', 'True', '(2+1j)', '-0.0', '(10 ** 20)', '255', 'False']
SEQ_LITS = ['[1, 2, 3]', '(4, 5, 6)', "'abc'", "b'xyz'", 'range(5)', 'LS([7, 8, 9])', "bytearray(b'ab')",
            "['a', 'b']"]
MAP_LITS = ["{1: 'a', 'a': 2}", "DM({1: 'b'})", "{'a': 3}", "DM(a=4)"]
CALL_LITS = ['HF0', 'HF2', 'HF3', 'abs', 'str', 'bool', 'hex', 'len', 'HM0', "(lambda a, b=1: ('lam', a, b))",
             'LS']

# sites by family: (statement run first or '', expression appended); {o} receiver, {i} loop index
SITES = {
    'obj': [('', '{o}.k'), ('', '{o}.v'), ('', '{o}.m({i})'), ('', '{o}.m({i})'), ('{o}.k = {i}', '{o}.k'),
            ('{o}.v = {i}', '{o}.v'), ('', '{o}.zz'), ('', '{o}.count({i})'), ('', '{o}.get({i})'),
            ('', 'type({o}).k'), ('', '{o}.m(a={i})'), ('{o}.w = {i}', '{o}.w'), ('', '{o}.p')],
    'num': [('', '{o} + {i}'), ('', '{o} * 2'), ('', '{o} - 1.5'), ('', '{o} // 3'), ('', '{o} % 3'),
            ('', '{o} < {i}'), ('', '{o} == 3'), ('', '-{o}'), ('', '{o}.real'), ('', '{o}.bit_length()'),
            ('', '{o} & 6'), ('', '{i} + {o}'), ('', '{o} ** 2'), ('', '{o} + {o}')],
    'seq': [('', '{o}[1]'), ('', '{o}[-1]'), ('', '{o}[{i} % 3]'), ('', '{o}[0:2]'), ('', "{o}.count('a')"),
            ('', '{o}.count(1)'), ('', '{o}.index(1)'), ('{o}[0] = {i}', '{o}[0]'), ('', '{o} + {o}'),
            ('', '{o} * 2'), ('', 'len({o})'), ('', '1 in {o}'), ('{o}.append({i})', 'len({o})')],
    'map': [('', '{o}.get(1)'), ('', "{o}.get('a', 0)"), ('', '{o}[1]'), ('', "{o}['a']"),
            ("{o}['a'] = {i}", "{o}['a']"), ('', 'len({o})'), ('', "'a' in {o}"), ('', "{o}.get('zz')")],
    'call': [('', '{o}({i})'), ('', '{o}({i})'), ('', '{o}({i}, 2)'), ('', '{o}(a={i})'), ('', '{o}(*({i},))')],
}


class RecvInfo:
    """One receiver class R<n> of the prelude."""

    def __init__(self, name, shape):
        self.name = name
        self.shape = shape       # plain slots sub list dict int str getattr getattribute
        self.base = None
        self.own_slots = None    # the __slots__ tuple it defines, or None
        self.has_dict = True
        self.extras = set()      # add getitem setitem call count get
        self.mway = None         # how it defines m (gen_receiver)


class ICMixin:
    # -- prelude -------------------------------------------------------------------------------
    def gen_ic_prelude(self):
        out = ['# inline-cache stress (gen_ics.py)', 'ICMISS = object()', '',
               'def RESTORE(owner, name, saved):',
               '    """Puts back what a test changed on a class or module (ICMISS: it had nothing)."""',
               '    if saved is ICMISS:',
               '        if name in owner.__dict__:',
               '            delattr(owner, name)',
               '    else:',
               '        setattr(owner, name, saved)', '']
        out += self.gen_ic_callees()
        # KD0: a class constant of a mutable type (shadowed by instance values, its type
        # later given __get__ / __set__ by a mutation)
        out += ['class KD:', '    pass', '', 'KD0 = KD()', '']
        self.recv = []
        for i in range(self.r.randint(4, 7)):
            out += self.gen_receiver(i)
        out += ['MOD = types.ModuleType(%r)' % 'MOD', 'MOD.sqrt = math.sqrt', 'MOD.k = %s' % self.lit_int(),
                'MOD.f = HF0', 'MK0 = %s' % self.pick(['3', '7', '2 ** 64', '1.5', "'s'"]), '']
        self.site_helpers = []
        for i in range(self.r.randint(1, 3)):
            out += self.gen_site_helper(i)
        return out

    def gen_ic_callees(self):
        b0 = self.pick(["('HF0', a, b)", "('HF0', a, b, a * b)", "('HF0', a - b)"])
        b1 = self.pick(["('HF1', a * b)", "('HF1', b, a)", "('HF1', a + b)"])
        return ['def HF0(a, b=2):', '    return %s' % b0, '',
                'def HF1(a, b=3):', '    return %s' % b1, '',
                'def HF2(a):', "    return ('HF2', a)", '',
                'def HF3(a, b, c=0):', "    return ('HF3', a, b, c)", '',
                'def HM0(self, a):', "    return ('HM0', type(self).__name__, a)", '']

    def gen_receiver(self, idx):
        name = 'R%d' % idx
        pyish = [c for c in self.recv if c.shape in ('plain', 'slots', 'sub', 'getattr', 'list', 'dict')]
        shapes = ['plain', 'slots', 'sub', 'sub', 'list', 'dict', 'int', 'str', 'getattr', 'getattribute']
        shape = 'plain' if idx == 0 else 'slots' if idx == 1 else self.pick(shapes)
        if shape == 'sub' and not pyish:
            shape = 'plain'
        c = RecvInfo(name, shape)
        base = ''
        if shape == 'sub':
            c.base = self.pick(pyish)
            base = c.base.name
        elif shape in ('list', 'dict'):
            base = self.pick([shape, {'list': 'LS', 'dict': 'DM'}[shape]])
        elif shape in ('int', 'str'):
            base = shape
        if shape == 'slots' or (shape == 'sub' and not c.base.has_dict and self.chance(0.6)):
            if shape == 'slots':
                c.own_slots = ('v', 'k') if self.chance(0.5) else ('v',)
            else:
                c.own_slots = ('w',)
        c.has_dict = c.own_slots is None or (c.base is not None and c.base.has_dict)
        slot_names = set(c.own_slots or ())
        b = c.base
        while b is not None:
            slot_names |= set(b.own_slots or ())
            b = b.base
        lines = ['class %s%s:' % (name, '(%s)' % base if base else '')]
        if c.own_slots is not None:
            lines.append('    __slots__ = %r' % (c.own_slots,))
        # k: class attribute, instance attribute shadowing it, slot, property, or nothing
        # (a subclass of a class with a 'k' slot keeps it: a class attribute or property
        # would make the slot read-only and the constructor fail)
        kways = ['class', 'class', 'prop', 'none'] + (['inst'] if c.has_dict else [])
        kway = 'slot' if 'k' in slot_names else self.pick(kways)
        if kway in ('class', 'inst'):
            lines.append('    k = %s' % self.pick(['%d' % idx, self.lit_int(), "'k%d'" % idx, '1.5', 'KD0']))
        # m: method, staticmethod, classmethod, builtin, module function, lambda, instance attribute
        mways = ['def', 'def', 'static', 'class', 'builtin', 'func', 'lambda'] + (['inst'] if c.has_dict else []) + \
            (['none'] if shape == 'sub' else [])
        mway = c.mway = self.pick(mways)
        init = []
        if shape not in ('sub',) or self.chance(0.5):
            init = ['    def __init__(self, v):']
            if shape == 'sub':
                init.append('        super().__init__(v)')
            elif shape == 'list':
                init.append('        list.__init__(self, [v, v + 1])')
            elif shape == 'dict':
                init.append("        dict.__init__(self, a=v, b=str(v))")
            if shape != 'sub' or 'v' not in slot_names or self.chance(0.5):
                init.append('        self.v = %s' % self.pick(['v', 'v', '-v', '(v, %r)' % name]))
            if kway == 'inst':
                init.append("        self.k = ('own', %r)" % name)
            elif kway == 'slot' and 'k' in (c.own_slots or ()) and self.chance(0.8):
                init.append('        self.k = v * 2')
            if mway == 'inst':
                init.append("        self.m = lambda a: ('own m', a)")
        lines += init
        if kway == 'prop':
            lines += ['    @property', '    def k(self):', "        return (%r, self.v)" % (name + '.k')]
        if mway == 'def':
            lines += ['    def m(self, a, b=1):', '        return (%r, self.v, a, b)' % (name + '.m')]
        elif mway == 'static':
            lines.append("    m = staticmethod(lambda a: (%r, a))" % (name + '.sm'))
        elif mway == 'class':
            lines += ['    @classmethod', '    def m(cls, a):', "        return (cls.__name__, 'cm', a)"]
        elif mway == 'builtin':
            lines.append('    m = %s' % self.pick(['abs', 'hex', 'len', 'bool']))
        elif mway == 'func':
            lines.append('    m = HM0')
        elif mway == 'lambda':
            lines.append("    m = lambda self, a: (%r, a)" % (name + '.lm'))
        if self.chance(0.4):
            lines += ['    @property', '    def p(self):', "        return (%r, self.v)" % (name + '.p')]
        for extra in ('add', 'getitem', 'setitem', 'call', 'count', 'get'):
            if self.chance(0.25):
                c.extras.add(extra)
        if 'add' in c.extras:
            lines += ['    def __add__(self, o):', "        return (%r, o)" % (name + '+'), '    __radd__ = __add__']
        if 'getitem' in c.extras:
            # IndexError at 3: `in` and iteration fall back to __getitem__ and must end
            lines += ['    def __getitem__(self, i):', '        if i == 3:', '            raise IndexError(i)',
                      "        return (%r, i)" % (name + '[]')]
        if 'setitem' in c.extras:
            lines += ['    def __setitem__(self, i, x):', '        self.v = x']
        if 'call' in c.extras:
            lines += ['    def __call__(self, *a, **k):', "        return (%r, a, len(k))" % (name + '()')]
        if 'count' in c.extras:
            lines += ['    def count(self, a):', "        return (%r, a)" % (name + '.count')]
        if 'get' in c.extras:
            lines += ['    def get(self, key, d=None):', "        return (%r, key, d)" % (name + '.get')]
        if shape == 'getattr':
            lines += ['    def __getattr__(self, name):', "        if name.startswith('__'):",
                      '            raise AttributeError(name)',
                      "        if name == 'm':", "            return lambda a: ('ga m', a)",
                      "        return ('ga', name)"]
        elif shape == 'getattribute':
            lines += ['    def __getattribute__(self, name):', "        if name == 'k':",
                      "            return ('gab', object.__getattribute__(self, 'v'))",
                      '        return object.__getattribute__(self, name)']
        if shape in ('list', 'dict'):
            rep = "'%s(%%r, %%r)' %% (getattr(self, 'v', '?'), list(%s))" % (
                name, 'self' if shape == 'list' else 'self.items()')
        elif shape in ('int', 'str'):
            rep = "'%s(%%r)' %% (%s(self),)" % (name, shape)
        else:
            rep = "'%s(%%r)' %% (getattr(self, 'v', '?'),)" % name
        lines += ['    def __repr__(self):', '        return %s' % rep, '']
        self.recv.append(c)
        return lines

    def gen_site_helper(self, idx):
        """PS<n>(o, i): one site the whole program's polymorphic loops share."""
        fam = self.pick(['obj', 'obj', 'num', 'seq', 'map', 'call'])
        pre, expr = self.pick(SITES[fam])
        name = 'PS%d' % idx
        self.site_helpers.append((name, fam))
        lines = ['def %s(o, i):' % name]
        if pre:
            lines.append('    ' + pre.format(o='o', i='i'))
        lines += ['    return ' + expr.format(o='o', i='i'), '']
        return lines

    def ic_segments(self, ctx, scope, indent):
        """The body of a function made of these constructs: 3-5 of them, now and then with an
        ordinary block between them, guarded so that the body runs through."""
        out = []
        for _ in range(self.r.randint(3, 5)):
            if self.chance(0.3):
                name = self.fresh(ctx, 'e')
                out.append(indent + 'try:')
                out += self.block(ctx, type(scope)(scope), indent + '    ', self.r.randint(1, 3), 1)
                out += [indent + 'except Exception as %s:' % name,
                        indent + "    print('!', type(%s).__name__, %s)" % (name, name)]
            kind = self.pick(['poly', 'warmmutate', 'monkey'])
            out += getattr(self, 'st_' + kind)(ctx, scope, indent, 0)
        return out

    # -- shared pieces -------------------------------------------------------------------------
    def recv_new(self, c):
        return '%s(%s)' % (c.name, self.pick(['1', '2', '3', '5', '-4', '7', '0']))

    def ic_record(self, acc, e, indent, label=None):
        """The handler of one site: the exception's type and message go into the list."""
        what = "(%r, type(%s).__name__)" % (label, e) if label else '(type(%s).__name__, str(%s)[:60])' % (e, e)
        return [indent + 'except Exception as %s:' % e, indent + '    %s.append(%s)' % (acc, what)]

    def ic_guarded(self, lines, acc, e, indent, label=None):
        return [indent + 'try:'] + [indent + '    ' + l for l in lines] + self.ic_record(acc, e, indent, label)

    def ic_loop_len(self):
        n = self.r.randint(8, 20)
        j = self.r.randint(2, n - 3)
        j2 = self.r.randint(j + 1, n - 1)
        return n, j, j2

    # -- polymorphic sites ---------------------------------------------------------------------
    def receiver_pool(self, fam):
        rs = self.recv
        if fam == 'obj':
            return [self.recv_new(c) for c in rs], [self.pick(NUM_LITS + SEQ_LITS + MAP_LITS)]
        if fam == 'num':
            own = [self.recv_new(c) for c in rs if c.shape in ('int', 'str') or 'add' in c.extras]
            return NUM_LITS + own, [self.recv_new(self.pick(rs)), "'s'", 'None']
        if fam == 'seq':
            own = [self.recv_new(c) for c in rs if c.shape in ('list', 'str') or 'getitem' in c.extras]
            return SEQ_LITS + own, ['5', 'None', self.recv_new(self.pick(rs))]
        if fam == 'map':
            own = [self.recv_new(c) for c in rs if c.shape == 'dict' or c.extras & {'get', 'getitem'}]
            return MAP_LITS + own, ['[1]', "'a'", self.recv_new(self.pick(rs))]
        own = [c.name for c in rs] + ['%s.m' % self.recv_new(c) for c in rs] + \
            [self.recv_new(c) for c in rs if 'call' in c.extras]
        return CALL_LITS + own, ['5', 'None', "'s'"]

    def poly_pattern(self, i, n, nloop):
        """Which receiver iteration i uses: its index expression and how many receivers."""
        k = self.pick(['cycle', 'cycle', 'runs', 'alternate', 'mostly', 'switch', 'mega'])
        if k == 'alternate':
            return '%s %% 2' % i, 2
        if k == 'mega':
            n = self.r.randint(5, 8)   # more types than the 4 ways a site remembers
            return '%s %% %d' % (i, n), n
        if k == 'runs':
            return '(%s // %d) %% %d' % (i, self.r.randint(2, 4), n), n
        if k == 'mostly':
            m = self.r.randint(3, 5)
            return '(%s // %d) %% %d if %s %% %d == 0 else 0' % (i, m, n, i, m), n
        if k == 'switch':
            return '0 if %s < %d else %s %% %d' % (i, self.r.randint(2, max(2, nloop - 2)), i, n), n
        return '%s %% %d' % (i, n), n

    def plainish(self, c):
        """Instances laid out as object's plus a dict: __class__ can go from one to another."""
        while c is not None:
            if c.own_slots is not None or c.shape not in ('plain', 'sub', 'getattr', 'getattribute'):
                return False
            c = c.base
        return True

    def poly_swap(self, picks, rv):
        """`rv[k].__class__ = R<n>` for one receiver of the list: mostly a compatible layout."""
        by_name = {c.name: c for c in self.recv}
        own = [(k, by_name[p.split('(')[0]]) for k, p in enumerate(picks) if p.split('(')[0] in by_name]
        if not own:
            return None
        k, c = self.pick(own)
        same = [d for d in self.recv if d is not c and self.plainish(d) == self.plainish(c) and
                (self.plainish(c) or d.own_slots == c.own_slots)]
        other = self.pick(same) if same and self.chance(0.8) else self.pick(self.recv)
        return '%s[%d].__class__ = %s' % (rv, k, other.name)

    def st_poly(self, ctx, scope, indent, depth):
        """A loop whose sites see receivers of several types in turn."""
        t = self.fresh(ctx, 'ic')
        acc, rv, o, i, e, hf = t, t + 'r', t + 'o', t + 'i', t + 'e', t + 's'
        fam = self.pick(['obj', 'obj', 'obj', 'num', 'seq', 'map', 'call'])
        pool, foreign = self.receiver_pool(fam)
        nloop = self.r.randint(8, 24)
        n = self.r.randint(2, 6)
        idx, n = self.poly_pattern(i, n, nloop)
        picks = self.r.sample(pool, min(n, len(pool)))
        while len(picks) < n:
            # a small pool: other types rather than the same ones again
            picks.append(self.pick(foreign + ['LS([1, 2])', 'DM(k=1)', '7', "'abc'", '2.5', '(1, 2)']))
        if self.chance(0.25):
            picks[self.r.randrange(n)] = self.pick(foreign)
        out = [indent + '%s = []' % acc]
        if fam == 'call' and self.chance(0.5):
            out += [indent + 'def %sf(a, b=3):' % t, indent + "    return (%r, a, b)" % (t + 'f')]
            picks[self.r.randrange(n)] = t + 'f'
        out.append(indent + '%s = [%s]' % (rv, ', '.join(picks)))
        swap = self.poly_swap(picks, rv) if fam == 'obj' and self.chance(0.3) else None
        sites = [self.pick(SITES[fam]) for _ in range(self.r.randint(1, 3))]
        helpers = [h for h, f in self.site_helpers if f == fam]
        mode = self.pick(['inline', 'inline', 'nested'] + (['shared'] if helpers else []))
        if mode == 'nested':
            # the sites in a compiled callee: its caches see every receiver, the call site one callee
            out.append(indent + 'def %s(%s, %s):' % (hf, o, i))
            for k, (pre, expr) in enumerate(sites):
                if pre:
                    out.append(indent + '    ' + pre.format(o=o, i=i))
                if k == len(sites) - 1:
                    out.append(indent + '    return ' + expr.format(o=o, i=i))
                else:
                    out.append(indent + '    %s.append(%s)' % (acc, expr.format(o=o, i=i)))
            calls = [('', '%s(%s, %s)' % (hf, o, i))]
        elif mode == 'shared':
            calls = [('', '%s(%s, %s)' % (self.pick(helpers), o, i))]
        else:
            calls = [(pre.format(o=o, i=i), expr.format(o=o, i=i)) for pre, expr in sites]
        out.append(indent + 'for %s in range(%d):' % (i, nloop))
        if swap is not None:
            out.append(indent + '    if %s == %d:' % (i, self.r.randint(2, nloop - 2)))
            out += self.ic_guarded([swap], acc, e, indent + '        ', 'swap')
        out.append(indent + '    %s = %s[%s]' % (o, rv, idx))
        for pre, expr in calls:
            body = ([pre] if pre else []) + ['%s.append(%s)' % (acc, expr)]
            out += self.ic_guarded(body, acc, e, indent + '    ')
        out.append(indent + "print('poly', %s)" % acc)
        return out

    # -- classes mutated after warm-up ---------------------------------------------------------
    def wm_classes(self, t, site, slots, has_base, need_x):
        """The call's own classes: base B (maybe), W (the receiver's), X (for __class__)."""
        W, B, X = t + 'W', t + 'B', t + 'X'
        out = []
        if has_base:
            out += ['class %s:' % B, '    k = %s' % self.lit_int(),
                    '    def m(self, a):', "        return (%r, a)" % (B + '.m')]
            if self.chance(0.3):
                out += ['    def __add__(self, o):', "        return (%r, o)" % (B + '+')]
        out.append('class %s%s:' % (W, '(%s)' % B if has_base else ''))
        if slots:
            out.append("    __slots__ = ('v',)")
        if not has_base or self.chance(0.5):
            out.append('    k = %s' % self.pick([self.lit_int(), "'k'", '2.5']))
        if site == 'pynew':
            # a Python __new__ and object's __init__ (namedtuple-like): CALL runs __new__
            out += ['    def __new__(cls, v, w=0):', '        o = super().__new__(cls)',
                    '        o.v = (v, w) if w else v', '        return o']
        else:
            out += ['    def __init__(self, v, w=0):', '        self.v = v']
        if not has_base or self.chance(0.6):
            out += ['    def m(self, a, b=1):', '        return (%r, self.v, a, b)' % (W + '.m')]
        out += ['    @property', '    def p(self):', '        return (%r, self.v)' % (W + '.p')]
        if site == 'binop' or self.chance(0.2):
            out += ['    def __add__(self, o):', '        return (%r, o)' % (W + '+'), '    __radd__ = __add__']
        if site == 'super':
            # super().m in W: what the base (or, after a __bases__ swap, X) gives for m
            out += ['    def sm(self, a):', '        return (%r, super().m(a))' % (W + '.sm')]
        if site == 'with':
            out += ['    def __enter__(self):', '        return (%r, self.v)' % (W + '.enter'),
                    '    def __exit__(self, t, e, tb):', '        return t is KeyError and self.v > 0']
        if site == 'subscr' or self.chance(0.2):
            out += ['    def __getitem__(self, i):', '        if i == 3:', '            raise IndexError(i)',
                    '        return (%r, i)' % (W + '[]')]
        out += ['    def __repr__(self):', "        return '%s(%%r)' %% (getattr(self, 'v', '?'),)" % W]
        if need_x:
            out.append('class %s%s:' % (X, '(%s)' % B if has_base else ''))
            if slots:
                out.append("    __slots__ = ('v',)")
            if site == 'with':
                out += ['    def __enter__(self):', '        return %r' % (X + '.enter'),
                        '    def __exit__(self, *a):', '        return True']
            out += ['    k = %s' % self.lit_int(), '    def m(self, a):', "        return (%r, a)" % (X + '.m'),
                    '    def __repr__(self):', "        return '%s(%%r)' %% (getattr(self, 'v', '?'),)" % X]
        return out

    def wm_mutations(self, target, W, B, X, o, i, has_base):
        """(mutation, undo, owner-or-None) for a site reading `target`: owner is the class whose
        attribute `target` the mutation changes (saved before the loop, RESTOREd to undo)."""
        cls = lambda value, name=target, owner=W: ('%s.%s = %s' % (owner, name, value), name, owner)
        dl = lambda name=target, owner=W: ('del %s.%s' % (owner, name), name, owner)
        klass = [('%s.__class__ = %s' % (o, X), '%s.__class__ = %s' % (o, W), None)]
        gab = lambda ret: ('%s.__getattribute__ = lambda self, n: %s if n == %r else object.__getattribute__(self, n)'
                           % (W, ret, target), '__getattribute__', W)
        muts = []
        if target == 'm':
            muts += [cls("lambda self, a: ('lam', a)"), cls('HM0'), cls("staticmethod(lambda a: ('st', a))"),
                     cls("classmethod(lambda cls, a: (cls.__name__, 'cm', a))"), cls('abs'),
                     cls('property(lambda self: HF2)'), dl(),
                     ("%s.m = lambda a: ('own', a)" % o, "%s.__dict__.pop('m', None)" % o, None),
                     ('%s.m = R0(1).m' % o, "%s.__dict__.pop('m', None)" % o, None),
                     ('%s.m.__defaults__ = None' % W, '%s.m.__defaults__ = (1,)' % W, None),
                     ('%s.m.__code__ = HM0.__code__' % W, None, None),
                     ("isinstance(%s.__dict__.get('m'), (staticmethod, classmethod)) and "
                      "%s.__dict__['m'].__init__(HF2)" % (W, W), None, None),
                     gab("(lambda a: ('gab', a))")] + klass
            if has_base:
                muts += [cls("lambda self, a: ('base lam', a)", owner=B), dl(owner=B),
                         ('%s.__bases__ = (%s,)' % (W, X), '%s.__bases__ = (%s,)' % (W, B), None)]
        elif target == 'k':
            muts += [cls('%s * 10' % i), cls("'k%%d' %% %s" % i), dl(), cls("property(lambda self: ('pk', self.v))"),
                     cls('HF2'), ("%s.k = ('own', %s)" % (o, i), 'del %s.k' % o, None), gab("'gab'"),
                     ('%s.k += 1' % W, 'k', W), cls('KD0'),
                     ("KD.__get__ = lambda s, i, o: ('KD get', i is None)", '__get__', 'KD'),
                     ("KD.__set__ = lambda s, i, x: None", '__set__', 'KD'),
                     ('KD0.__class__ = type("KD2", (), {"__get__": lambda s, i, o: "KD2 get"})',
                      'KD0.__class__ = KD', None)] + klass
            if has_base:
                muts += [cls('%s + 100' % i, owner=B), dl(owner=B)]
        elif target == 'p':
            muts += [cls("property(lambda self: ('newp', self.v))"), cls('5'), dl(),
                     ("%s.__dict__['p'] = 'dp'" % o, "%s.__dict__.pop('p', None)" % o, None),
                     ("%s.p = property(%s.p.fget, lambda self, x: None)" % (W, W), 'p', W), gab("'gab'")] + klass
        elif target == 'v':
            muts += [('del %s.v' % o, '%s.v = -1' % o, None), ('%s.__dict__.clear()' % o, None, None),
                     cls("property(lambda self: 'pv')"), cls('5'), cls("lambda self, n: ('ga', n)", '__getattr__'),
                     ("del %s.v; %s.__getattr__ = lambda self, n: ('ga', n)" % (o, W), None, None),
                     ('%s.v = [%s]' % (o, i), None, None), gab("'gab'")] + klass
        elif target == 'zz':
            muts += [cls("lambda self, n: ('ga', n)", '__getattr__'), cls(i),
                     ('%s.zz = %s' % (o, i), 'del %s.zz' % o, None),
                     cls("lambda self, n: ('gab', n)", '__getattribute__')] + klass
            if has_base:
                muts += [cls('%s * 3' % i, owner=B)]
        elif target == '__add__':
            muts += [cls("lambda self, o: ('new+', o)"), dl(), cls('HM0'),
                     cls("lambda self, o: ('new r+', o)", '__radd__'),
                     dl('__radd__')] + klass
            if has_base:
                muts += [cls("lambda self, o: ('base+', o)", owner=B)]
        elif target in ('__enter__', '__exit__'):
            sig = 'self' if target == '__enter__' else 'self, t, e, tb'
            muts += [cls("lambda %s: ('lam', %r)" % (sig, target)), dl(), cls('None'), cls('abs'), cls('HM0'),
                     cls("staticmethod(lambda *a: ('st', len(a)))"), cls("lambda self, *a: ('var', len(a))"),
                     ("%s.%s = lambda *a: 'own'" % (o, target), "%s.__dict__.pop(%r, None)" % (o, target), None),
                     ("%s.%s.__code__ = (lambda %s: 'code').__code__" % (W, target, sig), None, None),
                     ('%s.%s = R0(1).m' % (W, target), target, W)] + klass
            if has_base:
                muts += [cls("lambda %s: ('base', %r)" % (sig, target), owner=B)]
        elif target == '__getitem__':
            muts += [cls("lambda self, i: ('new[]', i)"), dl(), cls('HM0'), cls('None')] + klass
        elif target == '__new__':
            muts += [cls("staticmethod(lambda cls, *a, **k: ('new2',) + a)"), dl(), cls('HM0'),
                     cls("lambda cls, v, w=0: ('plain function', v, w)"),
                     cls("staticmethod(lambda cls, v, w=0: object.__new__(%s))" % X),
                     cls("lambda self, v, w=0: setattr(self, 'v', ('init', v))", '__init__'),
                     ("%s.__dict__['__new__'].__init__(lambda cls, *a, **k: ('reinit', a))" % W, None, None),
                     ('%s.__new__.__defaults__ = (9,)' % W, '%s.__new__.__defaults__ = (0,)' % W, None),
                     ("%s.__new__.__code__ = (lambda cls, v, w=1: ('code', v, w)).__code__" % W, None, None)]
            if has_base:
                muts += [cls("staticmethod(lambda cls, v, w=0: ('base new', v))", owner=B),
                         cls("lambda self, v, w=0: setattr(self, 'v', 'base init')", '__init__', owner=B),
                         ('%s.__bases__ = (%s,)' % (W, X), '%s.__bases__ = (%s,)' % (W, B), None)]
        elif target == '__init__':
            muts += [cls("lambda self, v: setattr(self, 'v', ('init2', v))"), dl(), cls('HM0'),
                     cls("staticmethod(lambda cls, *a: ('new2',) + a)", '__new__'),
                     cls("lambda self, v: None"), cls('lambda self: None'), cls('lambda self, v, w: None'),
                     ('%s.__init__.__defaults__ = None' % W, '%s.__init__.__defaults__ = (0,)' % W, None),
                     ("%s.__init__.__code__ = (lambda self, v, w=0: setattr(self, 'v', 'c')).__code__" % W, None, None)]
            if has_base:
                muts += [cls("lambda self, v: setattr(self, 'v', 'base init')", owner=B)]
        return muts

    def st_warmmutate(self, ctx, scope, indent, depth):
        """A site warmed up on a class the call makes, which the loop then mutates."""
        t = self.fresh(ctx, 'ic')
        site = self.pick(['meth', 'meth', 'attr', 'attr', 'prop', 'inst', 'store', 'missing', 'binop', 'subscr',
                          'new', 'pynew', 'classattr', 'unbound', 'callee', 'callee', 'with', 'super'])
        if site == 'callee':
            return self.wm_callee(ctx, t, indent)
        W, B, X, o, i, e, acc = t + 'W', t + 'B', t + 'X', t + 'o', t + 'i', t + 'e', t
        has_base = site == 'super' or self.chance(0.5)
        slots = self.chance(0.35)
        target, pre, expr = {
            'meth': ('m', '', '{o}.m({i})'), 'attr': ('k', '', '{o}.k'), 'prop': ('p', '', '{o}.p'),
            'inst': ('v', '', '{o}.v'), 'store': ('v', '{o}.v = {i}', '{o}.v'), 'missing': ('zz', '', '{o}.zz'),
            'binop': ('__add__', '', self.pick(['{o} + {i}', '{i} + {o}'])), 'subscr': ('__getitem__', '', '{o}[{i}]'),
            'new': ('__init__', '', self.pick(['{W}({i})', '{W}({i}).v'])), 'classattr': ('k', '', '{W}.k'),
            'pynew': ('__new__', '', self.pick(['{W}({i})', '{W}({i}).v', '{W}(w={i}, v=2)'])),
            'super': ('m', '', '{o}.sm({i})'),
            'unbound': ('m', '', '{W}.m({o}, {i})'),
            'with': (self.pick(['__enter__', '__exit__']), '', '{W}s({o}, {i})'),
        }[site]
        muts = self.wm_mutations(target, W, B, X, o, i, has_base)
        if self.chance(0.25):
            # a mutation of another name: the class's version tag changes all the same
            other = self.pick(['m', 'k', 'p', 'v', 'zz'])
            muts = self.wm_mutations(other, W, B, X, o, i, has_base)
        first = self.pick(muts)
        second = None
        r = self.r.random()
        if r < 0.35:
            second = ('undo', first)
        elif r < 0.6:
            second = ('mut', self.pick(muts))
        need_x = any('%s' % X in m[0] for m in [first] + ([second[1]] if second else []))
        out = [indent + l for l in self.wm_classes(t, site, slots, has_base, need_x)]
        if site == 'with':
            # the with statement's site (BEFORE_WITH and the __exit__ call) in a compiled callee
            out += [indent + l for l in ['def %ss(o, a):' % W, "    r = 'suppressed'", '    with o as c:',
                                         '        if a % 4 == 3:', '            raise KeyError(a)',
                                         '        r = (c, a)', '    return r']]
        out.append(indent + '%s = %s(%s)' % (o, W, self.pick(['1', '2', '7', '-3'])))
        out.append(indent + '%s = []' % acc)
        saves = {}
        for kind, m in [('mut', first)] + ([second] if second else []):
            if m[2] is not None and (m[2], m[1]) not in saves:
                sv = '%ssv%d' % (t, len(saves))
                saves[(m[2], m[1])] = sv
                out.append(indent + '%s = %s.__dict__.get(%r, ICMISS)' % (sv, m[2], m[1]))
        helper = site in ('meth', 'attr', 'prop', 'inst', 'store', 'missing') and self.chance(0.3)
        fmt = lambda s, oo=o, ii=i: s.format(o=oo, i=ii, W=W)
        if helper:
            # the site in a compiled callee the loop calls
            hf = t + 's'
            out.append(indent + 'def %s(o, a):' % hf)
            if pre:
                out.append(indent + '    ' + fmt(pre, 'o', 'a'))
            out.append(indent + '    return ' + fmt(expr, 'o', 'a'))
            pre, expr = '', '%s(%s, %s)' % (hf, o, i)
        else:
            pre, expr = fmt(pre), fmt(expr)
        n, j, j2 = self.ic_loop_len()
        out.append(indent + 'for %s in range(%d):' % (i, n))
        ind = indent + '    '
        out.append(ind + 'if %s == %d:' % (i, j))
        out += self.ic_guarded([first[0]], acc, e, ind + '    ', 'mut')
        if second is not None:
            kind, m = second
            if kind == 'undo':
                line = m[1] if m[2] is None else 'RESTORE(%s, %r, %s)' % (m[2], m[1], saves[(m[2], m[1])])
            else:
                line = m[0]
            if line:
                out.append(ind + 'if %s == %d:' % (i, j2))
                out += self.ic_guarded([line], acc, e, ind + '    ', kind)
        out += self.ic_guarded(([pre] if pre else []) + ['%s.append(%s)' % (acc, expr)], acc, e, ind)
        if self.chance(0.3):
            # a second site on the same receiver
            e2 = self.pick(['{o}.m({i})', '{o}.k', '{o}.p', '{o}.v', 'type({o}).__name__'])
            out += self.ic_guarded(['%s.append(%s)' % (acc, fmt(e2))], acc, e, ind)
        out.append(indent + "print('wm', %s)" % acc)
        return out

    def wm_callee(self, ctx, t, indent):
        """A call site warmed up on a nested (compiled) function, whose code, defaults,
        keyword defaults or closure cell then change, or whose name is rebound."""
        h, h2, h3, i, e, acc, sv, cap = t + 'h', t + 'h2', t + 'h3', t + 'i', t + 'e', t, t + 'sv', t + 'cap'
        shape = self.pick(['plain', 'plain', 'kwonly', 'closure'])
        out = []
        if shape == 'kwonly':
            out += ['def %s(a, *, c=5):' % h, "    return (%r, a, c)" % h,
                    'def %s(a, *, c=6):' % h2, "    return (%r, a - c)" % h2]
        elif shape == 'closure':
            # (at module level cap is a global: then neither function has a free variable)
            out += ['%s = %s' % (cap, self.lit_int()),
                    'def %s(a, b=1):' % h, "    return (%r, a, b, %s)" % (h, cap),
                    'def %s(a, b=2):' % h2, "    return (%r, a - b, %s)" % (h2, cap)]
        else:
            out += ['def %s(a, b=1):' % h, "    return (%r, a, b)" % h,
                    'def %s(a, b=2):' % h2, "    return (%r, a - b)" % h2]
        with_h3 = self.chance(0.5)
        if with_h3:
            out += ['def %s(a, b, c):' % h3, "    return (%r, a, b, c)" % h3]
        muts = [('%s.__code__ = %s.__code__' % (h, h2), '%s.__code__' % h),
                ("%s.__code__ = (lambda a, b=0, *, c=0: ('lc', a, b, c)).__code__" % h, '%s.__code__' % h),
                ('%s = %s' % (h, h2), h), ('%s = abs' % h, h), ('%s = HF0' % h, h),
                ('%s = %s.__get__(5)' % (h, h2), h), ('%s = R0' % h, h)]
        if shape == 'kwonly':
            muts += [('%s.__kwdefaults__ = None' % h, '%s.__kwdefaults__' % h),
                     ("%s.__kwdefaults__ = {'c': 9}" % h, '%s.__kwdefaults__' % h),
                     ('%s.__defaults__ = (100,)' % h, '%s.__defaults__' % h)]
        else:
            muts += [('%s.__defaults__ = (100,)' % h, '%s.__defaults__' % h),
                     ('%s.__defaults__ = None' % h, '%s.__defaults__' % h),
                     ('%s.__defaults__ = (7, 8)' % h, '%s.__defaults__' % h)]
        if shape == 'closure':
            muts += [("%s = 'new cap'" % cap, cap), ('%s = [%s]' % (cap, i), cap)]
        if with_h3:
            muts += [('%s.__code__ = %s.__code__' % (h, h3), '%s.__code__' % h)]
        first = self.pick(muts)
        out.append('%s = %s' % (sv, first[1]))
        out.append('%s = []' % acc)
        out = [indent + l for l in out]
        calls = ['{h}({i})', '{h}({i})', '{h}(*({i},))'] + \
            (['{h}({i}, c=3)'] if shape == 'kwonly' else ['{h}({i}, 3)', '{h}(b={i}, a=1)'])
        call = self.pick(calls).format(h=h, i=i)
        n, j, j2 = self.ic_loop_len()
        ind = indent + '    '
        out.append(indent + 'for %s in range(%d):' % (i, n))
        out.append(ind + 'if %s == %d:' % (i, j))
        out += self.ic_guarded([first[0]], acc, e, ind + '    ', 'mut')
        r = self.r.random()
        if r < 0.4:
            out.append(ind + 'if %s == %d:' % (i, j2))
            out += self.ic_guarded(['%s = %s' % (first[1], sv)], acc, e, ind + '    ', 'undo')
        elif r < 0.6:
            m2 = self.pick(muts)
            out.append(ind + 'if %s == %d:' % (i, j2))
            out += self.ic_guarded([m2[0]], acc, e, ind + '    ', 'mut')
        out += self.ic_guarded(['%s.append(%s)' % (acc, call)], acc, e, ind)
        out.append(indent + "print('wm', %s)" % acc)
        return out

    # -- monkey-patching -----------------------------------------------------------------------
    def st_monkey(self, ctx, scope, indent, depth):
        """Globals, builtins, module attributes and class methods patched in the middle of a
        loop that uses them, and put back in `finally`."""
        t = self.fresh(ctx, 'ic')
        kind = self.pick(['global', 'global', 'builtins', 'builtins', 'module', 'module', 'func', 'func',
                          'method', 'method', 'value'])
        fn = getattr(self, 'mp_' + kind)
        site, patches, saves, restores = fn(ctx, t)
        acc, i, e = t, t + 'i', t + 'e'
        n, j, j2 = self.ic_loop_len()
        ind = indent + '    '
        out = [indent + '%s = []' % acc] + [indent + s for s in saves] + [indent + 'try:']
        out.append(ind + 'for %s in range(%d):' % (i, n))
        ind2 = ind + '    '
        out.append(ind2 + 'if %s == %d:' % (i, j))
        out += self.ic_guarded([patches[0]], acc, e, ind2 + '    ', 'patch')
        if len(patches) > 1:
            out.append(ind2 + 'if %s == %d:' % (i, j2))
            out += self.ic_guarded([patches[1]], acc, e, ind2 + '    ', 'patch2')
        out += self.ic_guarded(['%s.append(%s)' % (acc, site.format(i=i))], acc, e, ind2)
        out.append(indent + 'finally:')
        out += [ind + s for s in restores]
        out.append(indent + "print('mp', %s)" % acc)
        return out

    def global_form(self, ctx, name):
        """How this code rebinds a module global: 'direct' (declared global or at module
        level) or through globals()."""
        if ctx.kind == 'module':
            return self.pick(['direct', 'dict'])
        if ctx.nested_level == 0 and ctx.kind == 'func' and self.chance(0.7):
            ctx.globals_written.add(name)
            return 'direct'
        return 'dict'

    def mp_global(self, ctx, t):
        """A module global shadowing a builtin, then deleted or replaced again."""
        name = self.pick(sorted(BUILTIN_SITES))
        form = self.global_form(ctx, name)
        set_ = (lambda v: '%s = %s' % (name, v)) if form == 'direct' else (lambda v: 'globals()[%r] = %s' % (name, v))
        unset = 'del %s' % name if form == 'direct' else 'del globals()[%r]' % name
        patches = [set_(self.pick(REPLACEMENTS))]
        r = self.r.random()
        if r < 0.5:
            patches.append(unset)
        elif r < 0.75:
            patches.append(set_(self.pick(REPLACEMENTS + ['builtins.%s' % name])))
        return BUILTIN_SITES[name], patches, [], ['globals().pop(%r, None)' % name]

    def mp_builtins(self, ctx, t):
        """The builtin itself replaced in the builtins module, then deleted or put back."""
        name = self.pick(sorted(n for n in BUILTIN_SITES if n != 'print'))
        sv = t + 'sv'
        patches = ['builtins.%s = %s' % (name, self.pick(REPLACEMENTS))]
        r = self.r.random()
        if r < 0.4:
            patches.append('del builtins.%s' % name)
        elif r < 0.7:
            patches.append('builtins.%s = %s' % (name, sv))
        elif r < 0.85:
            patches.append('builtins.%s = %s' % (name, self.pick(REPLACEMENTS)))
        elif r < 0.95:
            # a name added to builtins: its keys change, the patched one stays
            patches.append('builtins.ICNEW%s = 1' % t)
        return BUILTIN_SITES[name], patches, ['%s = builtins.%s' % (sv, name)], \
            ['builtins.%s = %s' % (name, sv), "builtins.__dict__.pop('ICNEW%s', None)" % t]

    def mp_module(self, ctx, t):
        """An attribute of a module object (MOD, or one the call makes) patched or deleted."""
        fresh = self.chance(0.4)
        m = t + 'm' if fresh else 'MOD'
        saves = []
        if fresh:
            saves += ['%s = types.ModuleType(%r)' % (m, m), '%s.sqrt = math.sqrt' % m, '%s.k = 4' % m, '%s.f = HF2' % m]
        attr, site = self.pick([('sqrt', '%s.sqrt({i})' % m), ('sqrt', '%s.sqrt({i} + 0.5)' % m),
                                ('k', '%s.k + {i}' % m), ('f', '%s.f({i})' % m), ('k', '%s.k' % m)])
        repl = {'sqrt': ["lambda x: ('p', x)", 'abs', 'HF2', 'str', 'math.floor'],
                'k': ["'s'", '2.5', '{i}', '[1]'], 'f': ['HF1', "lambda a: ('lf', a)", 'hex', 'R0']}[attr]
        patches = ['%s.%s = %s' % (m, attr, self.pick(repl).replace('{i}', t + 'i'))]
        r = self.r.random()
        if r < 0.3:
            patches.append('del %s.%s' % (m, attr))
        elif r < 0.5:
            patches = ['del %s.%s' % (m, attr), "%s.__getattr__ = lambda n: ('mga', n)" % m]
        elif r < 0.65:
            patches.append('%s.%s = %s' % (m, attr, self.pick(repl).replace('{i}', t + 'i')))
        elif r < 0.75 and fresh:
            patches.append('%s.__dict__.clear()' % m)
        restores = []
        if not fresh:
            sv = t + 'sv'
            saves.append('%s = %s.__dict__.get(%r, ICMISS)' % (sv, m, attr))
            restores = ['RESTORE(%s, %r, %s)' % (m, attr, sv), "RESTORE(%s, '__getattr__', ICMISS)" % m]
        return site, patches, saves, restores or ['pass']

    def mp_func(self, ctx, t):
        """A module function's name rebound or deleted, or its __code__/__defaults__ replaced."""
        name = self.pick(['HF0', 'HF0', 'HF1'])
        other = 'HF1' if name == 'HF0' else 'HF0'
        sv = t + 'sv'
        site = self.pick(['%s({i})' % name, '%s({i}, 5)' % name, '%s(a={i})' % name])
        r = self.r.random()
        if r < 0.45:
            attr = self.pick(['__code__', '__code__', '__defaults__'])
            repl = {'__code__': ['%s.__code__' % other, 'HF2.__code__', 'HF3.__code__',
                                 "(lambda a, b=0: ('lc', a, b)).__code__"],
                    '__defaults__': ['(100,)', 'None', "('d',)"]}[attr]
            patches = ['%s.%s = %s' % (name, attr, self.pick(repl))]
            if self.chance(0.5):
                patches.append('%s.%s = %s' % (name, attr, sv))
            return site, patches, ['%s = %s.%s' % (sv, name, attr)], ['%s.%s = %s' % (name, attr, sv)]
        form = self.global_form(ctx, name)
        set_ = (lambda v: '%s = %s' % (name, v)) if form == 'direct' else (lambda v: 'globals()[%r] = %s' % (name, v))
        repl = [other, 'HF2', 'abs', "lambda a, b=0: ('lam', a, b)", 'R0', 'HF3']
        patches = [set_(self.pick(repl))]
        r = self.r.random()
        if r < 0.35:
            patches.append('del %s' % name if form == 'direct' else 'del globals()[%r]' % name)
        elif r < 0.6:
            patches.append(set_(sv))
        save = "%s = globals()[%r]" % (sv, name)
        return site, patches, [save], [set_(sv)]

    def mp_method(self, ctx, t):
        """A method or class attribute of a prelude class (used by its subclasses' instances
        too) patched with a function, lambda, builtin, staticmethod or classmethod."""
        c = self.pick(self.recv)
        subs = [d for d in self.recv if d.base is c]
        recvs = [self.recv_new(c)] + [self.recv_new(d) for d in subs[:2]]
        attr = self.pick(['m', 'm', 'm', 'k', 'p'])
        sv, rv = t + 'sv', t + 'r'
        site = {'m': '%s[{i} %% %d].m({i})', 'k': '%s[{i} %% %d].k', 'p': '%s[{i} %% %d].p'}[attr] % (rv, len(recvs))
        repl = {'m': ["lambda self, a: ('lam', a)", 'HM0', 'staticmethod(HF2)', 'classmethod(HM0)', 'abs',
                      "staticmethod(lambda a: ('st', a))", 'len', 'property(lambda self: HF2)'],
                'k': ['{i}', "'pk'", "property(lambda self: ('pk', self.v))", 'HF2'],
                'p': ["property(lambda self: ('np', self.v))", '5']}[attr]
        rep = lambda: self.pick(repl).replace('{i}', t + 'i')
        if attr == 'm' and c.mway == 'def' and self.chance(0.3):
            # the method itself changed: defaults that call sites filled in, or its code
            svd = t + 'svd'
            patches = [self.pick(['%s.m.__defaults__ = None', '%s.m.__defaults__ = ()', "%s.m.__defaults__ = ('d',)",
                                  '%s.m.__code__ = HM0.__code__'])]
            patches = [patches[0] % c.name]
            what = '__code__' if '__code__' in patches[0] else '__defaults__'
            if self.chance(0.4):
                patches.append('%s.m.%s = %s' % (c.name, what, svd))
            saves = ['%s = [%s]' % (rv, ', '.join(recvs)), '%s = %s.m.%s' % (svd, c.name, what)]
            return site, patches, saves, ['%s.m.%s = %s' % (c.name, what, svd)]
        patches = ['%s.%s = %s' % (c.name, attr, rep())]
        r = self.r.random()
        if r < 0.3:
            patches.append('del %s.%s' % (c.name, attr))
        elif r < 0.5:
            patches.append('RESTORE(%s, %r, %s)' % (c.name, attr, sv))
        elif r < 0.7:
            patches.append('%s.%s = %s' % (c.name, attr, rep()))
        saves = ['%s = [%s]' % (rv, ', '.join(recvs)), '%s = %s.__dict__.get(%r, ICMISS)' % (sv, c.name, attr)]
        return site, patches, saves, ['RESTORE(%s, %r, %s)' % (c.name, attr, sv)]

    def mp_value(self, ctx, t):
        """A module global value (MK0) rebound to another type, deleted, or deleted and
        added again (a new index in the globals' keys); or an unrelated global added."""
        form = self.global_form(ctx, 'MK0')
        set_ = (lambda v: 'MK0 = %s' % v) if form == 'direct' else (lambda v: "globals()['MK0'] = %s" % v)
        dl = 'del MK0' if form == 'direct' else "del globals()['MK0']"
        sv = t + 'sv'
        site = self.pick(['MK0 + {i}', 'MK0 * 2', '[MK0, {i}]', 'MK0 == 3', '(MK0, len([{i}]), HF2({i}))'])
        repl = ['2.5', "'str'", '[1]', '2 ** 64', 'None', '-1']
        new = "globals()['ICNEW%s'] = 1" % t
        patches = [self.pick([set_(self.pick(repl)), set_(self.pick(repl)), '%s; %s' % (dl, set_(sv)), new])]
        r = self.r.random()
        if r < 0.3:
            patches.append(dl)
        elif r < 0.5:
            patches.append(set_(self.pick(repl)))
        elif r < 0.65:
            patches.append('%s; %s' % (dl, set_(sv)))
        elif r < 0.75:
            patches.append(new)
        return site, patches, ["%s = globals()['MK0']" % sv], [set_(sv), "globals().pop('ICNEW%s', None)" % t]
