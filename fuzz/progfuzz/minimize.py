"""Delta-debugging of a diverging program down to a small reproducer.

    small = minimize(source, still_fails, deadline)

still_fails(source) -> bool reruns both processes and says whether the divergence (or
crash) of interest persists. The program is edited as a Python AST: first the CASES list
is cut down to the failing call, then every list of statements (module, functions,
classes, if/for/while/try/with/match bodies, handlers) and every list of expressions
(tuple/list/set elements, call arguments, keywords) is reduced ddmin-style, compound
statements are replaced by one of their bodies, and expressions by one of their operands.
A candidate that does not compile is never run. Passes repeat until nothing shrinks or
the deadline passes.
"""
import ast
import time
import warnings

# list fields that may be reduced; Dict keys/values and Compare ops/comparators go in
# pairs and are left alone
LIST_FIELDS = ('body', 'orelse', 'finalbody', 'handlers', 'cases', 'elts', 'args', 'keywords',
               'decorator_list', 'bases', 'targets', 'values', 'names', 'items', 'generators', 'ifs')
SKIP_PARENTS = (ast.Dict, ast.Compare, ast.arguments, ast.MatchMapping, ast.MatchClass)


def unparse(tree):
    try:
        src = ast.unparse(tree) + '\n'
    except Exception:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            compile(src, '<candidate>', 'exec')
    except (SyntaxError, ValueError):
        return None
    return src


class Minimizer:
    def __init__(self, source, still_fails, deadline, log=None):
        self.tree = ast.parse(source)
        self.still_fails = still_fails
        self.deadline = deadline
        self.best = source
        self.tests = 0
        self.log = log or (lambda msg: None)
        self.tried = set()

    def out_of_time(self):
        return time.time() > self.deadline

    def test(self):
        """Whether the current tree still fails; remembers it as best if so."""
        if self.out_of_time():
            return False
        src = unparse(self.tree)
        if src is None or len(src) >= len(self.best) and src != self.best:
            return False
        if src in self.tried:
            return False
        self.tried.add(src)
        self.tests += 1
        if self.still_fails(src):
            self.best = src
            return True
        return False

    # -- list reduction ----------------------------------------------------------------------------
    def reduce_list(self, lst, min_len=0):
        """ddmin on a list held by the tree, in place."""
        n = 2
        while len(lst) > min_len and not self.out_of_time():
            chunk = max(1, (len(lst) + n - 1) // n)
            progress = False
            i = 0
            while i < len(lst) and not self.out_of_time():
                if len(lst) - min(chunk, len(lst) - i) < min_len:
                    break
                saved = lst[:]
                del lst[i:i + chunk]
                needs_pass = not lst and self._needs_pass(lst)
                if needs_pass:
                    lst.append(ast.Pass())
                if self.test():
                    progress = True
                    if needs_pass:
                        return True
                else:
                    lst[:] = saved
                    i += chunk
            if progress:
                n = max(2, n - 1)
                continue
            if chunk == 1:
                break
            n = min(len(lst), n * 2)
        return False

    def _needs_pass(self, lst):
        return getattr(self, '_cur_field', None) == 'body'

    def lists(self):
        """(node, field, list) for every reducible list, outermost first."""
        out = []
        for node in ast.walk(self.tree):
            if isinstance(node, SKIP_PARENTS):
                continue
            for field in LIST_FIELDS:
                v = getattr(node, field, None)
                if isinstance(v, list) and v and isinstance(v[0], ast.AST):
                    out.append((node, field, v))
        return out

    def pass_lists(self):
        before = len(self.best)
        for node, field, lst in self.lists():
            if self.out_of_time():
                break
            if not self._alive(lst):
                continue
            self._cur_field = field
            self.reduce_list(lst)
        self._cur_field = None
        return len(self.best) < before

    def _alive(self, lst):
        # a list that an earlier reduction removed from the tree
        for node in ast.walk(self.tree):
            for field in LIST_FIELDS:
                if getattr(node, field, None) is lst:
                    return True
        return False

    # -- structural simplifications -----------------------------------------------------------------
    def stmt_slots(self):
        for node in ast.walk(self.tree):
            for field in ('body', 'orelse', 'finalbody'):
                lst = getattr(node, field, None)
                if isinstance(lst, list):
                    for i, st in enumerate(lst):
                        if isinstance(st, ast.stmt):
                            yield lst, i, st

    def pass_unwrap(self):
        """Replace a compound statement by one of its bodies."""
        progress = False
        for lst, i, st in list(self.stmt_slots()):
            if self.out_of_time():
                break
            if i >= len(lst) or lst[i] is not st:
                continue
            bodies = []
            for field in ('body', 'orelse', 'finalbody'):
                b = getattr(st, field, None)
                if isinstance(b, list) and b and not isinstance(st, (ast.FunctionDef, ast.ClassDef)):
                    bodies.append(b)
            if isinstance(st, ast.Try):
                bodies += [h.body for h in st.handlers]
            if isinstance(st, ast.Match):
                bodies += [c.body for c in st.cases]
            for b in bodies:
                lst[i:i + 1] = b
                if self.test():
                    progress = True
                    break
                lst[i:i + len(b)] = [st]
        return progress

    def expr_slots(self):
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.JoinedStr, ast.FormattedValue)):
                continue
            for field, value in ast.iter_fields(node):
                if isinstance(value, ast.expr) and not isinstance(node, (ast.arguments, ast.keyword)) \
                        and field not in ('target', 'ctx', 'annotation', 'returns'):
                    yield node, field, value
                elif isinstance(value, list) and not isinstance(node, SKIP_PARENTS):
                    for i, v in enumerate(value):
                        if isinstance(v, ast.expr):
                            yield value, i, v

    def pass_exprs(self):
        """Replace an expression by one of its sub-expressions, or by a constant."""
        progress = False
        for holder, field, expr in list(self.expr_slots()):
            if self.out_of_time():
                break
            cur = holder[field] if isinstance(holder, list) else getattr(holder, field, None)
            if cur is not expr or isinstance(expr, (ast.Name, ast.Constant)):
                continue
            if isinstance(getattr(expr, 'ctx', None), (ast.Store, ast.Del)):
                continue
            cands = [c for c in ast.iter_child_nodes(expr) if isinstance(c, ast.expr)
                     and not isinstance(getattr(c, 'ctx', None), (ast.Store, ast.Del))]
            cands += [ast.Constant(0), ast.Constant(None)]
            for c in cands:
                self._set(holder, field, c)
                if self.test():
                    progress = True
                    break
                self._set(holder, field, expr)
        return progress

    @staticmethod
    def _set(holder, field, value):
        if isinstance(holder, list):
            holder[field] = value
        else:
            setattr(holder, field, value)

    def run(self):
        rounds = 0
        while not self.out_of_time():
            rounds += 1
            size = len(self.best)
            self.pass_lists()
            self.pass_unwrap()
            self.pass_lists()
            self.pass_exprs()
            self.log('minimize round %d: %d -> %d chars, %d runs' % (rounds, size, len(self.best), self.tests))
            if len(self.best) >= size:
                break
            self.tree = ast.parse(self.best)
        return self.best


def keep_cases(source, names):
    """The program with its CASES list reduced to the calls named (no other change)."""
    tree = ast.parse(source)
    for st in tree.body:
        if isinstance(st, ast.Assign) and any(isinstance(t, ast.Name) and t.id == 'CASES' for t in st.targets) \
                and isinstance(st.value, ast.List):
            st.value.elts = [e for e in st.value.elts
                             if isinstance(e, ast.Tuple) and isinstance(e.elts[0], ast.Constant)
                             and e.elts[0].value in names]
    return unparse(tree)


def minimize(source, still_fails, deadline, log=None):
    m = Minimizer(source, still_fails, deadline, log)
    return m.run(), m.tests
