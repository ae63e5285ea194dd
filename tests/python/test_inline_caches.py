"""The JIT's own inline caches (attributes, stores, methods, globals) and direct calls
between compiled functions, against the interpreter.

Each test runs code that first warms a site (so its cache is filled at run time), then
changes what the cache assumed (a class or module mutated, a descriptor added, an instance
dict made, a receiver of another type, an attribute deleted) and goes on using the site:
the results, exceptions, messages and tracebacks must be the interpreter's. run_both also
asserts that the function really ran compiled.
"""
import sys
import warnings

import pytest

import pyjion_x64

from jitutil import assert_compiled, jit_enabled, run_both, run_both_warm


# ---- LOAD_ATTR / STORE_ATTR: instance values, slots, properties ------------------------


def descriptor_gains_get_and_set_after_warm_up(n):
    """CPython's test_opcache: a class attribute shadowed by the instance's own value,
    whose type becomes a data descriptor (which then wins) after the sites are warm."""
    class Descriptor:
        pass

    class C:
        x = Descriptor()

        def __init__(self):
            self.x = 1

    def load(o):
        return o.x

    def store(o, v):
        o.x = v

    o = C()
    seen = []
    for i in range(n):
        if i == n - 3:
            Descriptor.__get__ = lambda self, instance, owner: ("get", instance is o)
            Descriptor.__set__ = lambda self, instance, value: seen.append(("set", value))
        store(o, i)
        seen.append(load(o))
    return seen[-8:], vars(o)


def test_class_attribute_becomes_a_data_descriptor():
    run_both(descriptor_gains_get_and_set_after_warm_up, 40)

class Plain:
    def __init__(self, x, y):
        self.x = x
        self.y = y


class Slotted:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


def attr_loop(kinds, n):
    objs = [k(j, -j) for j, k in enumerate(kinds)]  # fresh objects for each run
    total = 0
    for i in range(n):
        o = objs[i % len(objs)]
        total += o.x * 3 + o.y
        o.x = o.x + 1
    return total, [(o.x, o.y) for o in objs]


def test_instance_values_and_slots_monomorphic():
    run_both(attr_loop, [Plain], 500)
    run_both(attr_loop, [Slotted], 500)


def test_polymorphic_and_megamorphic_receivers():
    kinds = []
    for k in range(24):  # more receiver types than the cache holds
        kinds.append(type("K%d" % k, (Plain,) if k % 2 else (Slotted,), {}))
    run_both(attr_loop, kinds, 2000)
    run_both(attr_loop, kinds[:3], 300)


def mutate_class_midway(n):
    class C:
        def __init__(self):
            self.v = 1
    c = C()
    out = []
    for i in range(n):
        if i == n // 2:
            C.v = property(lambda self: 100)  # a data descriptor now shadows the instance
        out.append(c.v)
    return out


def test_class_mutated_after_warm_up():
    run_both(mutate_class_midway, 40)


def delete_then_load(n):
    c = Plain(1, 2)
    out = []
    for i in range(n):
        if i == n - 3:
            del c.x
        try:
            out.append(c.x)
        except AttributeError as e:
            out.append(str(e))
    return out


def test_deleted_attribute_raises_the_interpreters_error():
    run_both(delete_then_load, 20)


def materialise_dict(n):
    c = Plain(1, 2)
    out = []
    for i in range(n):
        if i == 5:
            c.__dict__["z"] = 9  # the values array is gone: a real dict now
        out.append(c.x + c.y)
        c.y = i
    return out, sorted(vars(c).items())


def test_instance_dict_made_after_warm_up():
    run_both(materialise_dict, 20)


def new_attributes_keep_insertion_order(n):
    objs = []
    for i in range(n):
        c = Plain(i, i)
        if i % 3 == 0:
            c.z = i
        if i % 2 == 0:
            c.w = -i
        c.x = 5
        if i % 4 == 1:
            del c.y
            c.y = "again"  # an emptied entry filled again goes to the end of the order
        objs.append(list(vars(c)))
    return objs


def test_store_attr_insertion_order_is_the_interpreters():
    run_both(new_attributes_keep_insertion_order, 30)


def slot_delete(n):
    s = Slotted(1, 2)
    out = []
    for i in range(n):
        if i == 4:
            del s.y
        try:
            out.append(s.y)
        except AttributeError as e:
            out.append(str(e))
        if i == 7:
            s.y = 10
    return out


def test_slots_deleted_and_refilled():
    run_both(slot_delete, 12)


class WithProperty:
    def __init__(self, v):
        self._v = v

    @property
    def v(self):
        if self._v < 0:
            raise ValueError("negative %d" % self._v)
        return self._v * 2


def property_loop(n):
    objs = [WithProperty(i) for i in range(n)]
    objs[-1]._v = -1
    total = 0
    for o in objs:
        total += o.v
    return total


def test_property_getter_runs_and_raises():
    run_both(property_loop, 30)
    assert_compiled(WithProperty.v.fget)


def replace_property(n):
    class C:
        @property
        def p(self):
            return 1
    c = C()
    out = []
    for i in range(n):
        if i == 3:
            C.p = property(lambda self: 2)
        if i == 6:
            del C.p
            c.p = 3
        out.append(c.p)
    return out


def test_property_replaced_and_removed():
    run_both(replace_property, 10)


class WithSetter:
    def __init__(self, v):
        self._v = v
        self.sets = 0

    @property
    def v(self):
        return self._v

    @v.setter
    def v(self, value):
        if value < 0:
            raise ValueError("negative %d" % value)
        self._v = value
        self.sets += 1


def property_setter_loop(n):
    objs = [WithSetter(i) for i in range(4)]
    out = []
    for i in range(n):
        o = objs[i % 4]
        try:
            o.v = o.v + i if i != n - 2 else -i
        except ValueError as e:
            out.append(str(e))
    return out, [(o.v, o.sets) for o in objs]


def test_property_setter_runs_and_raises():
    run_both(property_setter_loop, 30)
    assert_compiled(WithSetter.v.fset)


def property_functions_reinitialised(n):
    # property.__init__ called again on the live property: new functions, same class
    # version, so the sites must notice that the property's functions changed
    class C:
        def __init__(self):
            self.log = []

        p = property(lambda self: "old get", lambda self, v: self.log.append(("old", v)))

    prop = C.__dict__["p"]
    c = C()
    out = []
    for i in range(n):
        if i == 4:
            prop.__init__(lambda self: "new get", lambda self, v: self.log.append(("new", v)))
        if i == 7:
            prop.__init__(lambda self: "read-only now")
        try:
            c.p = i
        except AttributeError as e:
            out.append(str(e))
        out.append(c.p)
    return out, c.log


def test_property_functions_reinitialised_after_warm_up():
    run_both(property_functions_reinitialised, 10)


def property_setter_removed_or_replaced(n):
    class C:
        @property
        def p(self):
            return self.__dict__.get("p", "getter")

        @p.setter
        def p(self, v):
            self.__dict__["p"] = ("set", v)

    c = C()
    out = []
    for i in range(n):
        if i == 3:
            C.p = property(C.p.fget, lambda self, v: self.__dict__.__setitem__("p", ("new", v)))
        if i == 6:
            del C.p  # assignments now make an instance attribute
        c.p = i
        out.append(c.p)
    return out


def test_property_setter_replaced_and_removed():
    run_both(property_setter_removed_or_replaced, 10)


def property_references(n):
    # the owner and the value keep the references the interpreter gives them while the
    # property's functions run, and none is lost or leaked after
    seen = []

    class C:
        @property
        def p(self):
            seen.append(sys.getrefcount(self))
            return 1

        @p.setter
        def p(self, v):
            seen.append((sys.getrefcount(self), sys.getrefcount(v)))

    c = C()
    value = object()
    for _ in range(n):
        c.p = value
        c.p
    return seen, sys.getrefcount(c), sys.getrefcount(value)


def test_property_functions_see_the_interpreters_references():
    run_both(property_references, 10)


class Dynamic:
    def __init__(self):
        self.a = 1

    def __getattr__(self, name):
        return "missing " + name


class Intercepting:
    def __init__(self):
        self.a = 1

    def __getattribute__(self, name):
        if name == "a":
            return 42
        return object.__getattribute__(self, name)


def getattr_overrides(kinds, n):
    objs = [k() for k in kinds]
    out = []
    for i in range(n):
        for o in objs:
            out.append(o.a)
            out.append(getattr(o, "b", None))
    return out


def test_getattr_and_getattribute_overrides():
    run_both(getattr_overrides, [Dynamic, Intercepting, lambda: Plain(1, 2)], 10)


def class_swap(n):
    class A:
        def __init__(self):
            self.x = 1
    class B:
        def __init__(self):
            self.x = 2
    a = A()
    out = []
    for i in range(n):
        if i == 4:
            a.__class__ = B
            a.x = 3
        out.append((a.x, type(a).__name__))
    return out


def test_instance_class_assigned_after_warm_up():
    run_both(class_swap, 10)


# ---- class attributes read through instances, getset descriptors ------------------------


def class_constants_through_instances(n):
    # self.CONST where only the class has it: cached until the instance, the class or the
    # attribute's kind changes (an instance value, a new class value, a property, deleted)
    class Base:
        LIMIT = 10
        label = "base"

    class Slotted:
        __slots__ = ("x",)
        LIMIT = 3

    class WithDict:
        pass

    WithDict.LIMIT = 7
    objs = [Base(), Base(), Slotted(), WithDict()]
    objs[3].__dict__["other"] = 1  # a materialised instance dict
    out = []
    for i in range(n):
        for o in objs:
            try:
                out.append((o.LIMIT, type(o).__name__))
            except AttributeError as e:
                out.append(str(e))
        out.append(objs[0].label)
        if i == n // 5:
            objs[0].LIMIT = -1          # this instance shadows the class constant
        if i == 2 * n // 5:
            Base.LIMIT = 11             # the class value changes
            WithDict.LIMIT = 8
        if i == 3 * n // 5:
            Base.label = property(lambda self: "a property now")
        if i == 4 * n // 5:
            del Base.LIMIT              # objs[1] has nothing left; objs[0] keeps its own
            del Slotted.LIMIT
            objs[3].__dict__["LIMIT"] = "own"
    return out


def test_class_constants_read_through_instances():
    run_both(class_constants_through_instances, 25)


def split_dict_instances(n):
    # attributes and methods of instances whose attributes live in a split dict (a subclass
    # of a builtin, or an instance whose __dict__ was asked for), read inline until the
    # shared keys gain a name, an instance shadows the method, an attribute is deleted, a
    # dict is replaced or made combined, or the class changes
    class DictWithAttrs(dict):
        # dict's tp_new is not object's: no values array; the first attribute store makes
        # a split dict over the class's shared keys
        def total(self):
            return self.base + len(self)

    class Plain:
        def total(self):
            return self.base * 2

    objs = [DictWithAttrs(a=1), DictWithAttrs(), Plain(), Plain()]
    for i, o in enumerate(objs):
        o.base = i
    vars(objs[3])  # its values array becomes a split dict
    out = []
    for i in range(n):
        for o in objs[:2]:  # each site sees one type: its entry is the inline one
            try:
                out.append((o.base, o.total()))
            except AttributeError as e:
                out.append(str(e))
        for o in objs[2:]:
            try:
                out.append((o.base, o.total()))
            except AttributeError as e:
                out.append(str(e))
        if i == n // 8:
            objs[0].extra = "a new name in the shared keys"
        if i == 2 * n // 8:
            objs[1].total = lambda: "own attribute"
        if i == 3 * n // 8:
            del objs[3].base
        if i == 4 * n // 8:
            objs[3].__dict__ = {"base": 100, "total": lambda: "own, in a combined dict"}
        if i == 5 * n // 8:
            objs[0].__dict__[7] = "a key that is no str"
        if i == 6 * n // 8:
            DictWithAttrs.total = lambda self: ("patched", self.base)
        if i == 7 * n // 8:
            objs[2].__dict__["base"] = "through the dict"
    return out


def test_split_dict_instances():
    run_both(split_dict_instances, 64)


def getset_attributes(n):
    # getset descriptors of builtin types (data descriptors: nothing shadows them), on the
    # same sites as objects of other types and after the value behind them changes
    import sys

    def here():
        f = sys._getframe()
        return f.f_code.co_name, f.f_back.f_code.co_name, f.f_lineno > 0

    def g():
        pass

    out = []
    for i in range(n):
        out.append(here())
        out.append(g.__name__)
        if i == n // 2:
            g.__name__ = "renamed"      # through the getset's setter
        try:
            raise ValueError(i)
        except ValueError as e:
            out.append(e.__traceback__ is not None)
            out.append(e.args)
        for o in (g, len, types.SimpleNamespace(__name__="ns")):
            out.append(o.__name__)      # a getset, a builtin's getset, an instance value
    return out


def test_getset_descriptors_of_builtin_types():
    run_both(getset_attributes, 20)


# ---- class and module attributes ------------------------------------------------------

class Config:
    scale = 3
    names = ("a", "b")

    @staticmethod
    def helper(x):
        return x + 1


def class_attrs(n):
    Config.scale = 3  # each run starts from the same class
    out = 0
    for i in range(n):
        if i == n // 2:
            Config.scale = 5
        out += Config.scale + len(Config.names) + Config.helper(i)
    return out


def test_class_attribute_changed_between_loads():
    run_both(class_attrs, 50)


import math  # noqa: E402  (module attribute tests below patch and restore it)
import types  # noqa: E402


TAU = math.tau


def module_attrs(n):
    out = []
    try:
        for i in range(n):
            if i == 3:
                math.tau = 7.0
            out.append(math.tau + math.floor(1.5))
    finally:
        math.tau = TAU
    return out


def test_module_attribute_monkeypatched():
    run_both(module_attrs, 8)


def module_function_patched(n):
    out = []
    real = math.floor
    for i in range(n):
        if i == 3:
            math.floor = lambda x: "patched"
        out.append(math.floor(2.5))
    math.floor = real
    return out


def test_module_function_monkeypatched_under_load_method():
    run_both(module_function_patched, 8)


class ModuleSubclass(types.ModuleType):
    @property
    def value(self):
        return "property"


def module_sites_polymorphic_and_mutated(n):
    # The same LOAD_ATTR and LOAD_METHOD sites over two modules alternately, a module
    # subclass, a module-level __getattr__ and a non-module; the modules gain unrelated
    # names, lose the cached one and get it back while the sites are warm.
    a, b = types.ModuleType("a"), types.ModuleType("b")
    a.value, b.value = 1, 2
    a.f, b.f = (lambda x: ("a", x)), (lambda x: ("b", x))
    sub = ModuleSubclass("sub")
    sub.f = lambda x: ("sub", x)
    lazy = types.ModuleType("lazy")
    lazy.__getattr__ = lambda name: "lazy " + name
    other = types.SimpleNamespace(value=4, f=lambda x: ("ns", x))
    out = []
    for i in range(n):
        for m in (a, a, b, sub, lazy, other):
            try:
                out.append((m.value, m.f(i)))
            except (AttributeError, TypeError) as e:
                out.append((type(e).__name__, str(e)))
        if i == n // 4:
            a.unrelated = i            # the dict's version changes, the value does not
        if i == n // 2:
            del a.value                # the cached name is gone: AttributeError from here
            del b.f
        if i == 3 * n // 4:
            a.value = "back"
            b.f = len
    return out


def test_module_attribute_sites_polymorphic_and_mutated():
    run_both(module_sites_polymorphic_and_mutated, 24)


# ---- LOAD_METHOD ----------------------------------------------------------------------

class Greeter:
    def __init__(self, name):
        self.name = name

    def greet(self, other):
        return "%s greets %s" % (self.name, other)


GREET = Greeter.greet


def shadowed_method(n):
    Greeter.greet = GREET  # each run starts from the same class
    g = Greeter("a")
    out = []
    for i in range(n):
        if i == 3:
            g.greet = lambda other: "instance attribute wins " + other
        if i == 6:
            del g.greet
            Greeter.greet = lambda self, other: "class replaced " + other
        out.append(g.greet(str(i)))
    return out


def test_instance_attribute_shadows_a_cached_method():
    try:
        run_both(shadowed_method, 10)
    finally:
        Greeter.greet = GREET


def instance_held_callables(n):
    """LOAD_METHOD finding the instance's own attribute (pickle's self.write(...)), then
    the attribute replaced, deleted (the class's method again), shadowing a method, given
    to a materialised instance dict, a data descriptor of that name added to the class,
    another receiver type at the site, and an attribute that is not callable."""
    class Sink:
        def __init__(self):
            self.out = []
            self.write = self.out.append  # kept on the instance, called as a method

        def flush(self):
            return "class flush"

    class Other:
        def write(self, x):
            return "Other.write %r" % (x,)

        def flush(self):
            return "Other.flush"

    sinks = [Sink(), Sink(), Sink()]
    log = []
    for i in range(n):
        s = sinks[i % 3]
        if i == 6:
            s.write = lambda x: log.append(("replaced", x))
        if i == 9:
            s.flush = lambda: "instance flush"
        if i == 12:
            vars(sinks[0])["write"] = lambda x: log.append(("via vars", x))
            sinks[0].extra = 1
        if i == 15:
            del sinks[1].write  # sinks[2] keeps its own until the property comes
            Sink.write = lambda self, x: log.append(("class method", x))
        if i == 18:
            Sink.write = property(lambda self: lambda x: log.append(("property", x)))
        if i == 21:
            s = Other()
        if i == 23:
            del Sink.write
            s.write = "not callable"
            sinks[1].write = sinks[1].out.append
        try:
            log.append(s.write(i))
        except TypeError as e:
            log.append(str(e))
        log.append(s.flush())
    return log, [x.out for x in sinks]


def test_callables_held_by_instances_under_load_method():
    run_both(instance_held_callables, 26)


def mutable_class_attributes_shadowed(n):
    """Instance values shadowing class attributes of a mutable type (an enum member or an
    instance as a dataclass default), read and written at warm sites; then that type gains
    __get__ (a class constant read through the instance changes), __set__ (a data
    descriptor: it wins over the instance's value), and a default's __class__ is swapped."""
    class Default:
        pass

    class Other:
        def __set__(self, instance, value):
            instance.__dict__["seen"] = value

        def __get__(self, instance, owner):
            return "Other.__get__"

    class Item:
        color = Default()
        shape = Default()  # never set on instances: a class constant read through self

        def __init__(self, c):
            self.color = c

    items = [Item(i) for i in range(3)]
    out = []
    for i in range(n):
        o = items[i % 3]
        if i == 8:
            Default.__get__ = lambda self, instance, owner: "get"
        if i == 12:
            Default.__set__ = lambda self, instance, value: out.append(("set", value))
        if i == 16:
            del Default.__get__, Default.__set__
            Item.__dict__["color"].__class__ = Other
        o.color = i * 10
        shape = o.shape
        out.append((o.color, shape if isinstance(shape, str) else type(shape).__name__))
    return out, [vars(x) for x in items]


def class_constants_of_mutable_types(n):
    """A class attribute that is an instance of a Python class, read from the class itself
    at a warm site (progfuzz found this one): then its type gains __get__, loses it, and
    the value's __class__ is swapped for a class with __get__."""
    class Value:
        pass

    class WithGet:
        def __get__(self, instance, owner):
            return ("WithGet", instance is None)

    value = Value()

    class Holder:
        k = value

    out = []
    for i in range(n):
        if i == 4:
            Value.__get__ = lambda self, instance, owner: ("Value.__get__", owner.__name__)
        if i == 8:
            del Value.__get__
        if i == 12:
            value.__class__ = WithGet
        k = Holder.k
        out.append(k if isinstance(k, tuple) else type(k).__name__)
    return out


def test_class_constants_of_mutable_types_read_from_the_class():
    run_both(class_constants_of_mutable_types, 16)


def test_shadowed_class_attributes_of_mutable_types():
    run_both(mutable_class_attributes_shadowed, 20)


def builtin_methods(n):
    acc = []
    d = {}
    for i in range(n):
        acc.append(i)
        d.setdefault(i % 3, []).append(i)
        s = "-".join(str(x) for x in acc[-3:])
    return acc, d, s


def test_methods_of_builtin_types():
    run_both(builtin_methods, 30)


class WithClassmethod:
    count = 0

    @classmethod
    def make(cls, n):
        return cls.count + n

    @staticmethod
    def util(n):
        return n * 2


def class_and_static_methods(n):
    obj = WithClassmethod()
    total = 0
    for i in range(n):
        total += WithClassmethod.make(i) + obj.make(i) + WithClassmethod.util(i) + obj.util(i)
    return total


def test_classmethods_and_staticmethods():
    run_both(class_and_static_methods, 40)


# ---- direct calls and class instantiation ------------------------------------------------

def wrapped_methods_mutated(n):
    """staticmethods and classmethods called through instances and classes (subclasses
    too) at warm sites; then a staticmethod re-initialised with another function (the
    class's version does not change), a classmethod replaced on the class, an instance
    attribute shadowing one, a metaclass gaining the name, and classmethod chaining onto
    a property (3.11 still calls its __get__)."""
    def first(x):
        return ("first", x)

    def second(x):
        return ("second", x)

    class Meta(type):
        pass

    class Base(metaclass=Meta):
        util = staticmethod(first)

        @classmethod
        def make(cls, x):
            return (cls.__name__, x)

    class Sub(Base):
        pass

    objs = [Base(), Sub()]
    out = []
    for i in range(n):
        o = objs[i % 2]
        if i == 6:
            Base.__dict__["util"].__init__(second)
        if i == 9:
            Base.make = classmethod(lambda cls, x: ("replaced", cls.__name__, x))
        if i == 12:
            objs[1].make = lambda x: ("own", x)
            objs[0].util = lambda x: ("own util", x)
        if i == 15:
            Meta.make = lambda cls, x: ("meta", x)  # the class's own attribute still wins
        if i == 18:
            Base.make = classmethod(property(lambda cls: "chained " + cls.__name__))
        if i < 18:
            out.append((o.make(i), o.util(i), Sub.make(i), Base.util(i), type(o).make(i)))
        else:
            m = o.make  # the property's value, or the instance's own function
            out.append((m if isinstance(m, str) else m(i), Sub.make, o.util(i), Sub.util(i)))
    return out


def test_static_and_class_methods_mutated_after_warm_up():
    run_both(wrapped_methods_mutated, 22)


def builtin_descriptors_read_from_classes(n):
    """Class attributes whose __get__ without an instance is the descriptor itself (slot
    wrappers, method, member and getset descriptors), read from builtin and Python classes,
    also names `type` has too (non-data: the class's own wins; data: type's wins); then
    the Python class's attributes replaced after warm-up."""
    class Slotted:
        __slots__ = ("x",)

        def mro(self):
            return "own mro"

    class Plain:
        pass

    out = []
    for i in range(n):
        if i == n // 2:
            Plain.__repr__ = lambda self: "patched"
            Slotted.x = "no longer a member"
            Slotted.mro = staticmethod(lambda: "static mro")
        out.append((int.__repr__ is int.__dict__["__repr__"], list.append is list.__dict__["append"],
                    dict.__repr__, Plain.__repr__ is object.__repr__, repr(Plain.__repr__)[:22],
                    type(Slotted.x).__name__, Slotted.mro(Slotted()) if i < n // 2 else Slotted.mro(),
                    Slotted.__name__, Slotted.__doc__, type(int.real).__name__))
        list.append(out, i)
    return out


def test_builtin_descriptors_read_from_classes():
    run_both(builtin_descriptors_read_from_classes, 12)


def polymorphic_direct_calls(n):
    """One call site cycling through six compiled functions (more than the site remembers),
    in runs and alternating; meanwhile one function's __defaults__ go and come back and
    another's __code__ is replaced, and a function of the site dies and its code with it."""
    def f0(a, b=0):
        return ("f0", a, b)

    def f1(a, b=1):
        return ("f1", a, b)

    def f2(a, b=2):
        return ("f2", a, b)

    def f3(a, b=3):
        return ("f3", a, b)

    fs = [f0, f1, f2, f3, lambda a, b=4: ("l4", a, b), lambda a, b=5: ("l5", a, b)]
    out = []
    for i in range(n):
        if i == n // 3:
            f1.__defaults__ = None
        if i == n // 2:
            f1.__defaults__ = (11,)
            f2.__code__ = (lambda a, b=22: ("new f2", a, b)).__code__
        if i == 2 * n // 3:
            fs[5] = eval("lambda a, b=6: ('e6', a, b)")
        k = i % 6 if i % 20 < 10 else (i // 3) % 3
        try:
            out.append(fs[k](i))
        except TypeError as e:
            out.append(str(e))
    return out


def test_polymorphic_direct_call_sites():
    run_both(polymorphic_direct_calls, 120)


def add3(a, b=10, c=100):
    return a + b + c


def direct_calls(n):
    total = 0
    for i in range(n):
        total += add3(i) + add3(i, 1) + add3(i, 1, 2)
    return total


def test_direct_calls_with_defaults():
    run_both(direct_calls, 100)
    assert_compiled(add3)


class HasMethod:
    def m(self, x):
        return ("method", x)


def one_arg(x):
    return ("attribute", x)


def two_args(x, y=5):
    return ("defaults", x, y)


def gen_func(x):
    yield x


def replaced(x):
    return ("old", x)


def replacement(x):
    return ("new", x)


REPLACED_CODE = replaced.__code__


def raising(x):
    raise ValueError(x)


def one_site_many_callees(n):
    # one CALL site that sees a Python method (self + x), a function in an instance's
    # attribute (LOAD_METHOD gives [NULL, function]), defaults, a generator function, a
    # function whose __code__ is replaced, one that raises, and a builtin
    with_attr = HasMethod()
    with_attr.m = one_arg
    with_defaults = HasMethod()
    with_defaults.m = two_args
    as_gen = HasMethod()
    as_gen.m = gen_func
    swapped = HasMethod()
    swapped.m = replaced
    failing = HasMethod()
    failing.m = raising
    builtin = HasMethod()
    builtin.m = abs
    objs = [HasMethod(), with_attr, with_defaults, as_gen, swapped, failing, builtin]
    replaced.__code__ = REPLACED_CODE
    out = []
    for i in range(n):
        o = objs[i % len(objs)] if i >= n // 2 else objs[0]
        if i == 3 * n // 4:
            replaced.__code__ = replacement.__code__
        try:
            r = o.m(-i)
        except ValueError as e:
            r = ("raised", e.args)
        out.append(list(r) if o is as_gen else r)
    # the NULL of a plain call through a conditional expression (not known to be NULL)
    for i in range(n):
        out.append(one_arg(i if i % 2 else -i))
    return out


def test_one_call_site_many_direct_callees():
    try:
        run_both(one_site_many_callees, 60)
    finally:
        replaced.__code__ = REPLACED_CODE
    assert_compiled(HasMethod.m)
    assert_compiled(one_arg)


class Point:
    def __init__(self, x, y=0):
        self.x = x
        self.y = y


class Bad:
    def __init__(self):
        return 1


class Raises:
    def __init__(self, v):
        raise KeyError(v)


class WithNew:
    def __new__(cls, v):
        obj = super().__new__(cls)
        obj.made = v
        return obj

    def __init__(self, v):
        self.v = v


class Meta(type):
    def __call__(cls, *args):
        return ("meta", args)


class Metered(metaclass=Meta):
    def __init__(self, v):
        self.v = v


import abc  # noqa: E402


class Abstract(abc.ABC):
    @abc.abstractmethod
    def f(self):
        pass

    def __init__(self):
        self.a = 1


def instantiate(n):
    out = []
    for i in range(n):
        p = Point(i, i + 1)
        q = Point(i)
        out.append((p.x, p.y, q.y, WithNew(i).made, Metered(i)))
    for cls in (Bad, Raises, Abstract):
        try:
            cls() if cls is not Raises else cls(5)
        except Exception as e:
            out.append((type(e).__name__, str(e)))
    return out


def test_class_instantiation_runs_init_directly():
    run_both(instantiate, 20)
    assert_compiled(Point.__init__)


def class_changed_under_an_instantiation_site(n):
    # one CALL site instantiating classes whose __init__ it runs directly (rt_call_class):
    # then __init__ is replaced, a __new__ comes and goes, a subclass meets the site, its
    # base changes, __init__ returns something, the class becomes abstract
    class P:
        def __init__(self, x, y=0):
            self.x, self.y = x, y

    class Q(P):
        pass

    def new_init(self, x, y=1):
        self.x, self.y = -x, y

    out = []
    cls = P
    for i in range(n):
        try:
            o = cls(i)
            out.append((type(o).__name__, o.x, o.y, getattr(o, "made", None)))
        except TypeError as e:
            out.append(str(e))
        if i == n // 8:
            P.__init__ = new_init
        if i == 2 * n // 8:
            P.__new__ = staticmethod(lambda c, *a: setattr(o := object.__new__(c), "made", a) or o)
        if i == 3 * n // 8:
            del P.__new__
        if i == 4 * n // 8:
            cls = Q
        if i == 5 * n // 8:
            P.__init__ = lambda self, x: ("not", "None")
        if i == 6 * n // 8:
            del P.__init__
            P.__init__ = lambda self, x: setattr(self, "x", x) or setattr(self, "y", "last")
        if i == 7 * n // 8:
            Q.__abstractmethods__ = frozenset({"f"})
    return out


def test_instantiation_site_sees_the_class_change():
    run_both(class_changed_under_an_instantiation_site, 48)


def keyword_instantiation(n):
    # class instantiation with keyword arguments (__init__ run directly, as positional
    # instantiation is), then __init__ replaced by one that binds them otherwise, one that
    # rejects them, and __kwdefaults__ changed
    class Node:
        def __init__(self, x, y=0, *, pinned=False, tag="n"):
            self.v = (x, y, pinned, tag)

    def other(self, x, pinned=None, **rest):
        self.v = ("other", x, pinned, sorted(rest))

    out = []
    for i in range(n):
        try:
            out.append(Node(i, pinned=i % 2 == 0).v)
            out.append(Node(x=i, tag="t%d" % i, y=-i).v)
        except TypeError as e:
            out.append(str(e))
        if i == n // 4:
            Node.__init__.__kwdefaults__ = {"pinned": "default", "tag": "k"}
        if i == n // 2:
            Node.__init__ = other
        if i == 3 * n // 4:
            Node.__init__ = lambda self, x: None
    return out


def test_keyword_instantiation():
    run_both(keyword_instantiation, 16)


def python_operator_methods(n):
    # BINARY_OP on instances of Python classes: the site calls V.__add__ itself where
    # CPython's dispatch comes down to that call (same class or an int/float on the right),
    # and leaves the rest to PyNumber_*: reflected methods, __iadd__, subclasses of int and
    # of list, a bool on the right, NotImplemented, methods replaced and deleted when warm
    class V:
        def __init__(self, x):
            self.x = x

        def __add__(self, o):
            return V(self.x + (o.x if isinstance(o, V) else o))

        def __radd__(self, o):
            return V(("radd", o, self.x))

        def __mul__(self, k):
            return V(self.x * k)

        def __sub__(self, o):
            if isinstance(o, V) and o.x == 0:
                return NotImplemented
            if o == 13:
                raise ValueError("unlucky")
            return V(self.x - (o.x if isinstance(o, V) else o))

    class W(V):
        def __iadd__(self, o):
            self.x = ("iadd", self.x, o)
            return self

    class I(int):
        def __add__(self, o):
            return NotImplemented  # int's own slot still adds

    class L(list):
        def __add__(self, o):
            return NotImplemented  # list's concatenation may still apply

    out = []
    a, b = V(1), V(2)
    for i in range(n):
        c = a
        c += b  # no __iadd__: __add__
        w = W(i)
        w += 1
        out.append(((a + b).x, (a - b).x, c.x, w.x, (1 + a).x, (a + True).x, I(1) + 2))
        try:
            out.append(((a * 2).x, (a * 2.5).x))
        except TypeError as e:
            out.append(str(e))
        for x, y in ((a, V(0)), (a, 0.5j), (a, 13)):
            try:
                out.append((x - y).x)
            except (TypeError, ValueError) as e:
                out.append(repr(e))
        try:
            out.append(L([1]) + L([2]))
        except TypeError as e:
            out.append(repr(e))
        if i == n // 4:
            V.__add__ = lambda self, o: V(-1)
        if i == n // 2:
            del V.__mul__
        if i == 3 * n // 4:
            V.__mul__ = lambda self, k: V(("mul", k))
            V.__sub__ = lambda self, o: NotImplemented
    return out


def test_python_operator_methods():
    run_both(python_operator_methods, 40)
    run_both_warm(python_operator_methods, (4,), 40)


def deep(n):
    return 0 if n == 0 else 1 + deep(n - 1)


def recursion_limit():
    try:
        return deep(100000)
    except RecursionError as e:
        return str(e)


def test_direct_recursion_hits_the_interpreters_limit():
    run_both(recursion_limit)


def who_called():
    f = sys._getframe(1)
    return f.f_code.co_name, f.f_lineno, sys._getframe(2).f_code.co_name


def keep_frame(x):
    return sys._getframe()


def frames_through_direct_calls(n):
    out = []
    for i in range(n):
        out.append(who_called())
    f = keep_frame(3)  # the frame object outlives the call: it takes its frame data
    out.append((f.f_locals, f.f_code.co_name, f.f_back.f_code.co_name, f.f_lineno))
    return out


def test_frames_seen_through_direct_calls():
    run_both(frames_through_direct_calls, 5)
    assert_compiled(who_called)


def fail_inner(x):
    return 1 / x


def fail_outer(x):
    return fail_inner(x) + 1


def tracebacks_through_direct_calls():
    for x in (2, 1, 0):
        fail_outer(x)


def test_tracebacks_through_direct_calls():
    exc = run_both(tracebacks_through_direct_calls)
    assert isinstance(exc, ZeroDivisionError)


# ---- BEFORE_WITH: the manager's class and its __enter__ / __exit__ -------------------------

def with_site(mgr, i):
    r = "suppressed"
    with mgr as c:
        if i % 5 == 4:
            raise KeyError(i)
        r = (c, i)
    return r


def with_managers_mutated(n):
    """A `with` site (and the __exit__ call after its body) warmed on one class, then its
    __enter__ and __exit__ replaced, deleted, made None, a builtin, a staticmethod, an
    __exit__(self, *args), instance attributes of those names (which special lookup
    ignores), the manager's __class__ assigned, a base class changed; also managers
    whose methods are builtin method descriptors (io.StringIO) and a lock."""
    import io
    import threading

    log = []

    class Base:
        def __exit__(self, t, e, tb):
            log.append(("base exit", t, str(e)))
            return "base exit"

    class M(Base):
        def __init__(self, v):
            self.v = v

        def __enter__(self):
            return ("enter", self.v)

        def __exit__(self, t, e, tb):
            log.append(("exit", t, str(e), tb is None))
            return t is KeyError

    class Other:
        def __enter__(self):
            return "other"

        def __exit__(self, *args):
            log.append(("other exit", len(args), args[0], str(args[1])))
            return len(args) == 3

    m = M(1)
    out = []
    for i in range(n):
        step = i // 4
        try:
            if i % 4 == 0:
                if step == 1:
                    M.__enter__ = lambda self: ("lambda enter", self.v)
                elif step == 2:
                    M.__exit__ = lambda self, *a: log.append(("varargs exit", a[0], len(a)))
                elif step == 3:
                    del M.__exit__  # Base's now
                elif step == 4:
                    M.__enter__ = staticmethod(lambda: "static enter")
                elif step == 5:
                    m.__enter__ = lambda: "instance attribute"
                    m.__exit__ = None
                elif step == 6:
                    M.__exit__ = None
                elif step == 7:
                    M.__exit__ = abs
                elif step == 8:
                    del M.__enter__
                elif step == 9:
                    M.__enter__ = lambda self: "back"
                    M.__exit__ = lambda self, t, e, tb: log.append(("lambda exit", t, str(e), tb is None))
                    m.__class__ = Other
                elif step == 10:
                    m.__class__ = M
                    Base.__exit__ = lambda self, t, e, tb: "new base exit"
                    del M.__exit__
            out.append(with_site(m, i))
        except Exception as e:
            out.append((type(e).__name__, str(e)))
        for mgr in (io.StringIO("s"), threading.Lock(), Other()):
            try:
                out.append(with_site(mgr, i)[1])
            except Exception as e:
                out.append((type(e).__name__, str(e)))
    return out, log


def test_with_statement_managers_mutated_after_warm_up():
    run_both(with_managers_mutated, 48)
    assert_compiled(with_site)


class WithEnterDescriptor:
    """__enter__ is a method descriptor of another builtin type: binding it raises."""
    __enter__ = list.copy

    def __exit__(self, *args):
        return False


class WithExitCallable:
    """__exit__ is a callable without __get__: called with the three arguments only."""
    def __enter__(self):
        return "enter"


WithExitCallable.__exit__ = staticmethod(lambda *a: len(a) == 3)


def async_with_managers(n):
    """BEFORE_ASYNC_WITH's cache: __aenter__ and __aexit__ of a class replaced after the
    site was warmed, driven without an event loop."""
    class A:
        async def __aenter__(self):
            return "aenter"

        async def __aexit__(self, t, e, tb):
            return t is KeyError

    async def site(mgr, i):
        async with mgr as c:
            if i % 3 == 2:
                raise KeyError(i)
            return (c, i)
        return "suppressed"

    out = []
    a = A()
    for i in range(n):
        if i == n // 2:
            async def aenter(self):
                return "replaced"
            A.__aenter__ = aenter
        if i == n - 2:
            del A.__aexit__
        coro = site(a, i)
        try:
            coro.send(None)
        except StopIteration as stop:
            out.append(stop.value)
        except Exception as e:
            out.append((type(e).__name__, str(e)))
    return out


def test_with_statement_descriptors_that_bind_oddly():
    for mgr in (WithEnterDescriptor(), WithExitCallable()):
        for _ in range(3):
            run_both(with_site, mgr, 1)
            run_both(with_site, mgr, 4)


def test_async_with_managers_mutated_after_warm_up():
    run_both(async_with_managers, 12)


# ---- instances whose __dict__ sits at a fixed offset (subclasses of C types) -----------

class AppError(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code

    def describe(self):
        return "error %d" % self.code


class Counter(dict):
    def bump(self, k):
        self[k] = self.get(k, 0) + 1
        self.total = getattr(self, "total", 0) + 1
        return self.total


def c_type_subclasses(n):
    out = []
    c = Counter()
    for i in range(n):
        try:
            raise AppError(i)
        except AppError as e:
            out.append((e.code, e.describe()))
        out.append(c.bump(i % 3))
        if i == n // 2:
            c.bump = lambda k: "shadowed in the instance dict"
            e2 = AppError(-1)
            e2.describe = lambda: "instance describe"
            out.append(e2.describe())
    return out, sorted(c.items()), c.total


def test_instances_with_a_plain_dict_attributes_and_methods():
    run_both(c_type_subclasses, 20)


class DictSub(dict):
    pass


def stores_into_instance_dicts(n):
    """STORE_ATTR into an instance dict: subclasses of C types (the dict at tp_dictoffset)
    and plain instances whose values array gave way to a dict (vars() then a deleted
    attribute); then the dict replaced (by another dict, by a dict subclass), the class
    gaining a property or a __setattr__ for the name, and a class attribute of that name
    whose type gains __set__."""
    import random

    class Rng(random.Random):
        pass

    class Err(Exception):
        pass

    class Plain:
        pass

    class Setter:
        def __set__(self, obj, value):
            obj.__dict__["seen"] = ("set", value)

        def __get__(self, obj, owner=None):
            return self if obj is None else obj.__dict__.get("seen")

    class Holder:
        pass

    shadow = type("Shadow", (), {})()
    Holder.x = shadow

    objs = [Rng(1), Err("e"), Plain(), Holder()]
    for o in objs[2:]:
        o.x = 0
        o.y = 0
        vars(o)
        del o.y  # the values array is gone: a dict from here on
    out = []
    for i in range(n):
        if i == 4:
            objs[0].__dict__ = {"kept": 1}
            objs[2].__dict__ = DictSub(z=1)
        if i == 6:
            Rng.x = property(lambda self: "prop", lambda self, v: out.append(("prop set", v)))
        if i == 8:
            Err.__setattr__ = lambda self, k, v: out.append(("setattr", k, v))
        if i == 10:
            type(shadow).__set__ = Setter.__set__
            type(shadow).__get__ = Setter.__get__
        for o in objs:
            try:
                o.x = i
                out.append((type(o).__name__, o.x, sorted(vars(o).items())))
            except Exception as e:
                out.append((type(e).__name__, str(e)))
    return out


def test_stores_into_instance_dicts():
    run_both(stores_into_instance_dicts, 14)


# ---- builtin callables taken straight to their C functions ------------------------------

import array  # noqa: E402
import collections  # noqa: E402


def builtin_calls(n):
    out = []
    d = collections.OrderedDict()
    a = array.array("i")
    dq = collections.deque()
    for i in range(n):
        out.append(len(out))
        out.append(isinstance(i, int))
        d.setdefault(i % 5, []).append(i)
        a.append(i)
        dq.appendleft(i)
        s = " ".join(str(x) for x in out[-3:])
        out.append(s.upper().count("1"))
        if i == n // 2:
            try:
                len(5)
            except TypeError as e:
                out.append(str(e))
            try:
                out.append("x".join([1]))
            except TypeError as e:
                out.append(str(e))
    return out, list(d.items()), a.tolist()[-3:], list(dq)[:3]


def test_builtin_functions_and_methods_called_directly():
    run_both(builtin_calls, 30)


import re  # noqa: E402

WORD = re.compile(r"(\w+)-(\d+)")


def defining_class_methods(n):
    # re.Pattern.match/sub and array.extend are METH_METHOD: their C functions also take the
    # defining class, so a call site must not take them for plain METH_FASTCALL ones
    out = []
    a = array.array("i")
    for i in range(n):
        m = WORD.match("item-%d" % i)
        out.append(m.group(2) if m else None)
        out.append(WORD.sub(r"\2", "x-%d y-%d" % (i, i + 1)))
        a.extend([i, i])
    return out, len(a)


def test_methods_that_take_their_defining_class():
    run_both(defining_class_methods, 30)


import random  # noqa: E402


class Rng(random.Random):  # a managed-dict subclass of a C type: no values array
    def roll(self):
        return self._randbelow(6) + 1


def bound_methods_and_c_subclass_dicts(n):
    r = Rng(7)
    out = []
    draw = r.random  # a builtin method bound through LOAD_ATTR
    for i in range(n):
        out.append(r.roll())
        out.append(round(draw(), 6))
        f = r.roll  # a Python method bound through LOAD_ATTR
        out.append(f())
        if i == n // 2:
            r.roll = lambda: 0          # now an attribute of the instance itself
            r._randbelow = lambda k: 100
    return out


def test_bound_methods_and_dicts_of_c_type_subclasses():
    run_both(bound_methods_and_c_subclass_dicts, 20)


# ---- builtins called from the machine code itself (BuiltinCall) ----------------------------

import math  # noqa: E402
import types  # noqa: E402


class ListSub(list):
    pass


def py_len(x):
    return -1


def every_builtin_form(n):
    # each convention (METH_O, METH_NOARGS, METH_FASTCALL) as a method descriptor
    # ([descr, self, args]) and as a builtin function ([NULL, func, args]), including a
    # module's function through LOAD_METHOD and a builtin method bound to its object; then
    # what each site assumed changes under it
    global len
    mod = types.ModuleType("m")
    mod.floor = math.floor
    lst, d, s = [], {1: "one"}, "abc"
    ap = lst.append
    out = []
    for i in range(n):
        lst.append(i)                       # descriptor, METH_O
        ap(-i)                              # bound builtin method, METH_O
        out.append(d.get(i % 3, "none"))    # descriptor, METH_FASTCALL
        out.append(s.upper())               # descriptor, METH_NOARGS
        out.append(len(lst))                # builtin function, METH_O
        out.append(isinstance(i, int))      # builtin function, METH_FASTCALL
        out.append(mod.floor(i / 3))        # module function: [NULL, func] after LOAD_METHOD
        out.append(list(d.keys()))
        try:
            out.append([].pop())            # raises inside the C function
        except IndexError as e:
            out.append(str(e))
        try:
            out.append(s.index("z"))
        except ValueError as e:
            out.append(str(e))
        if i == n // 2:
            lst = ListSub(lst)              # self of another type
            ap = ListSub().append
            d = collections.OrderedDict(d)
            s = "xyz"
            mod.floor = lambda x: ("patched", x)
            len = py_len                    # builtin shadowed by a global
        if i == 3 * n // 4:
            del len
            mod.floor = math.ceil
    return out, lst[:5], len(lst)


def test_builtin_calls_of_every_form_and_their_invalidation():
    try:
        run_both(every_builtin_form, 40)
    finally:
        globals().pop("len", None)


def deep_len(n, lst):
    len(lst)  # METH_O, but warm CPython code calls it without a recursion check
    return deep_len(n + 1, lst) + 1


def deep_abs(n, lst):
    abs(n)  # METH_O: enters a recursion level, so the limit may be met here
    return deep_abs(n + 1, lst) + 1


def deep_upper(n, s):
    s.upper()  # METH_NOARGS method descriptor: enters a recursion level
    return deep_upper(n + 1, s) + 1


def deep_get(n, d):
    d.get(n)  # METH_FASTCALL: no recursion check
    return deep_get(n + 1, d) + 1


def builtin_at_the_recursion_limit(fn, arg):
    try:
        return fn(0, arg)
    except RecursionError as e:
        return str(e)


@pytest.mark.parametrize("fn, arg", [(deep_len, [1]), (deep_abs, None), (deep_upper, "a"),
                                     (deep_get, {})])
def test_builtin_call_at_the_recursion_limit(fn, arg):
    # warm: the interpreter runs the specialised PRECALLs, whose recursion checks the
    # machine code makes too
    got = run_both_warm(builtin_at_the_recursion_limit, (fn, arg), fn, arg)
    assert "maximum recursion depth exceeded" in got
    assert_compiled(fn)


class Loud:
    def __init__(self, tag):
        self.tag = tag

    def __del__(self):
        print("del", self.tag)


def release_order(n):
    for i in range(n):
        # dict.get is METH_FASTCALL: warm, the interpreter releases the key before the dict
        # (and so the value inside it); cold, the dict first
        print({1: Loud("value %d" % i)}.get(Loud("key %d" % i)))
        print(len([Loud("in list %d" % i)]))


def test_builtin_calls_release_in_the_interpreters_order():
    run_both_warm(release_order, (2,), 6)
    run_both(release_order, 1)


class StrSub(str):
    pass


class StrOf:
    def __init__(self, result):
        self.result = result

    def __str__(self):
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


class IntSub(int):
    pass


class IntOf:
    def __init__(self, result):
        self.result = result

    def __int__(self):
        return self.result

    def __index__(self):
        return 3


def str_of_one_argument(n):
    # str(x) and int(x) go straight to PyObject_Str and PyNumber_Long once the site has seen
    # them (neither type has a vectorcall in 3.11); then globals (subclasses) shadow the
    # builtins and are deleted again
    global str, int
    out = []
    values = [1, 2.5, "s", StrSub("sub"), StrOf("custom"), StrOf(StrSub("subclass result")),
              None, b"x", [1, "a"]]
    for i in range(n):
        for v in values:
            r = str(v)
            out.append((r, type(r).__name__))
        for bad in (StrOf(42), StrOf(ValueError("no str"))):
            try:
                str(bad)
            except (TypeError, ValueError) as e:
                out.append(repr(e))
        out.append(str())                       # the other shapes of str(...)
        out.append(str(b"ab", "ascii"))
        out.append(str(object=i))
        out.append(types.MethodType(str, i)())  # [str, i] after PRECALL's unpacking
        out.append(StrSub(i))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # IntOf(True): __int__ returned non-int
            for v in ("12", " -7 ", "1_000", "\u0663\u0664", "9" * 30, StrSub("7"), 3.9, -2.5, True, IntOf(5), IntOf(True), IntOf("no"), b"42",
                      10**30, "x1", None, float("inf"), float("nan")):
                try:
                    r = int(v)
                    out.append((r, type(r).__name__))
                except (TypeError, ValueError, OverflowError) as e:
                    out.append(repr(e))
        out.append([(str(w.message), w.lineno) for w in caught])
        out.append((int(), int("ff", 16), int("17", base=8)))
        if i == n // 2:
            str = StrSub
            int = IntSub
        if i == 3 * n // 4:
            del str, int
    return out


def test_str_and_int_of_one_argument():
    try:
        run_both(str_of_one_argument, 40)
        run_both_warm(str_of_one_argument, (4,), 40)
    finally:
        globals().pop("str", None)
        globals().pop("int", None)


# ---- any other vectorcall callable, called from the machine code (VectorCall) -------------

import functools  # noqa: E402


class CallMe:
    def __call__(self, *args, **kw):
        return ("called", args, sorted(kw.items()))


class Meta2(type):
    pass


class WithMeta(metaclass=Meta2):
    def __init__(self, v=0):
        self.v = v


def other_callables(n):
    out = []
    part = functools.partial(max, 0)
    callee = int
    for i in range(n):
        out.append(callee(i * 1.5))                  # a type (tp_vectorcall)
        out.append(float(i))
        out.append(tuple(range(i % 4)))
        out.append(sorted([3, 1, 2], reverse=i % 2 == 0))   # a builtin with keywords
        out.append(dict(a=i, b=2))
        out.append(part(i - 5))                      # functools.partial's vectorcall
        out.append(CallMe()(i, k=i))                 # no vectorcall: the handler
        out.append(WithMeta(i).v)
        out.append(str(i) + repr(i))
        try:
            out.append(int("x%d" % i))               # raises inside the vectorcall
        except ValueError as e:
            out.append(str(e))
        try:
            out.append(sorted([1], bogus=1))
        except TypeError as e:
            out.append(str(e))
        if i == n // 2:
            callee = CallMe()                        # no longer a vectorcall type
            part = lambda x: ("lambda", x)           # a Python function at the same site
    return out


def test_other_vectorcall_callables_and_keywords():
    run_both(other_callables, 30)


class Grid:
    def __init__(self, w):
        self.w = w
        self.cells = [0] * (w * w)

    def __getitem__(self, xy):
        x, y = xy
        return self.cells[y * self.w + x]

    def __setitem__(self, xy, v):
        x, y = xy
        self.cells[y * self.w + x] = v
        return "ignored"


class Tally(dict):
    def __getitem__(self, k):
        return dict.get(self, k, 0)


class Plain(dict):
    pass


def python_subscript_methods(n):
    # BINARY_SUBSCR and STORE_SUBSCR sites (their caches call the Python __getitem__ /
    # __setitem__): one pair meeting instances of Python classes and built-in containers
    # (array.array is a heap type too), one pair meeting an instance of one class that is
    # changed while the cache is warm: a method replaced, deleted, given to the instance
    # instead, not a function, None
    import array

    class G(Grid):
        pass

    g = G(4)
    out = []
    containers = [g, Tally(a=1), Plain(a=2), [5, 6], array.array("d", [1.5, 2.5]), {"a": 3}]
    for i in range(n):
        c = containers[i % len(containers)]
        key = (i % 4, i % 3) if c is g else ("a" if isinstance(c, dict) else i % 2)
        try:
            c[key] = i
            out.append(c[key])
            out.append(c["missing" if isinstance(c, dict) else key])
        except (TypeError, KeyError, IndexError, ValueError) as e:
            out.append((type(e).__name__, str(e)))
    for i in range(n):
        try:
            g[i % 4, 2] = i
            out.append(g[i % 4, 2])
        except (TypeError, ValueError) as e:
            out.append((type(e).__name__, str(e)))
        if i == n // 6:
            G.__getitem__ = lambda self, xy: ("lambda", xy)
        if i == 2 * n // 6:
            del G.__getitem__                         # back to Grid's
        if i == 3 * n // 6:
            g.__getitem__ = lambda xy: "instance"     # not what a subscript looks up
            G.__getitem__ = staticmethod(lambda xy: ("static", xy))
        if i == 4 * n // 6:
            def setitem(self, xy, v):
                raise ValueError("read-only %r" % (xy,))
            G.__setitem__ = setitem
        if i == 5 * n // 6:
            G.__setitem__ = None
    return out


def test_python_subscript_methods():
    run_both(python_subscript_methods, 72)
    run_both_warm(python_subscript_methods, (6,), 12)


def subscripts_of_a_grid(g, n):
    total = 0
    for i in range(n):
        g[i % 4, 1] = i
        total += g[i % 4, 1]
    return total


def test_subscript_methods_keep_reference_counts():
    g = Grid(4)
    with jit_enabled(0):
        subscripts_of_a_grid(g, 3)
        before = pyjion_x64.info(Grid.__getitem__)["run_count"], sys.getrefcount(g)
        assert subscripts_of_a_grid(g, 100) == sum(range(100))
        after = pyjion_x64.info(Grid.__getitem__)["run_count"], sys.getrefcount(g)
    assert after == (before[0] + 100, before[1])
    assert_compiled(subscripts_of_a_grid)
    assert_compiled(Grid.__setitem__)


def star_target(a, b, c=3):
    return (a, b, c)


class StarHolder:
    def method(self, x, y=0):
        return (type(self).__name__, x, y)


def star_calls(n):
    # CALL_FUNCTION_EX with a tuple and no (or empty) keyword arguments calls compiled
    # functions directly: plain functions, bound methods, defaults, wrong counts, and the
    # shapes that take PyObject_Call (keywords, a list, many arguments, *args parameters)
    def many(*args):
        return len(args)

    h = StarHolder()
    out = []
    for i in range(n):
        args = (i, i + 1)
        empty = {}
        out.append(star_target(*args))
        out.append(star_target(*args, **empty))
        out.append(star_target(*(i,), b=i))
        out.append(star_target(*[i, 2, 3]))
        out.append(h.method(*args[:1]))
        out.append(h.method(*args, **empty))
        out.append(many(*range(i % 12)))
        for bad in ((), (1, 2, 3, 4)):
            try:
                star_target(*bad)
            except TypeError as e:
                out.append(str(e))
        try:
            h.method(*args, **{"x": 1})
        except TypeError as e:
            out.append(str(e))
    return out


def test_star_calls():
    run_both(star_calls, 14)
    assert_compiled(star_target)
    assert_compiled(StarHolder.method)


def star_wrapper(f):
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs)
    return wrapper


@star_wrapper
def wrapped(a, b):
    return a + b


def test_star_call_reference_counts():
    # a decorator's wrapper calls the compiled function directly through f(*args, **kwargs)
    big = 10 ** 30
    inner = wrapped.__closure__[0].cell_contents
    with jit_enabled(0):
        wrapped(big, 1)
        before, runs = sys.getrefcount(big), pyjion_x64.info(inner)["run_count"]
        for _ in range(100):
            assert wrapped(big, 1) == big + 1
        assert sys.getrefcount(big) == before
    assert pyjion_x64.info(inner)["run_count"] == runs + 100
    assert_compiled(inner)
    assert_compiled(wrapped)


class Ranked:
    def __init__(self, rank, log):
        self.rank, self.log = rank, log

    def __lt__(self, other):
        self.log.append(("lt", self.rank, other.rank))
        return self.rank < other.rank

    def __gt__(self, other):
        self.log.append(("gt", self.rank, other.rank))
        if other.rank == "boom":
            raise ValueError("cannot rank")
        return self.rank > other.rank


def min_and_max(n):
    # min/max with two or more positional arguments are compared by the call site itself
    # (rt_call_min_max): the first of equal items wins, NaN and mixed types behave as the
    # builtins do, Python comparison methods run in the builtins' order, and every other
    # shape (one iterable, key=, default=, a shadowing global) takes the ordinary call
    import builtins
    log = []
    a, b = 10 ** 20, 10 ** 20
    nan = float("nan")
    out = []
    for i in range(n):
        out.append((max(i, 3), min(i, 3), max(i, 2.5, -1), min("b", "a", "c")))
        out.append((max(a, b) is a, min(a, b) is a, repr(max(nan, 1)), max(1, nan),
                    repr(min(nan, 1))))
        out.append((max([i, 7]), min((i, -7)), max([], default="empty"), max(i, -i, key=abs)))
        r = max(Ranked(1, log), Ranked(3, log), Ranked(2, log))
        out.append(r.rank)
        out.append(min(Ranked(1, log), Ranked(0, log)).rank)
        for bad in ((1, "a"), (Ranked(1, log), Ranked("boom", log))):
            try:
                out.append(max(*bad[::-1]) if i % 2 else max(bad[0], bad[1]))
            except (TypeError, ValueError) as e:
                out.append((type(e).__name__, str(e)))
        if i == n // 2:
            saved = builtins.max
            builtins.max = lambda *args: ("patched", args)
            out.append(max(1, 2))
            builtins.max = saved
    out.append(log)
    return out


def test_min_and_max():
    run_both(min_and_max, 6)
    run_both_warm(min_and_max, (3,), 6)


def min_of_globals(x, y):
    return min(x, y)


def test_min_and_max_shadowed_and_reference_counts():
    big, other = 10 ** 30, 10 ** 31
    with jit_enabled(0):
        min_of_globals(big, other)
        before = sys.getrefcount(big), sys.getrefcount(other)
        for _ in range(100):
            assert min_of_globals(big, other) is big
        assert (sys.getrefcount(big), sys.getrefcount(other)) == before
        globals()["min"] = lambda x, y: "shadowed"
        try:
            assert min_of_globals(big, other) == "shadowed"
        finally:
            del globals()["min"]
        assert min_of_globals(other, big) is big
    assert_compiled(min_of_globals)


def python_comparison_methods(n):
    # COMPARE_OP on two instances of one Python class calls its comparison method directly
    # (rt_compare_op_ic): results of any type, NotImplemented going on to the reflected
    # method and then identity or TypeError, methods raising, replaced or deleted while
    # warm, a subclass on one side, dataclass and total_ordering methods, recursion
    import dataclasses
    import functools

    class V:
        def __init__(self, x):
            self.x = x

        def __lt__(self, other):
            return self.x < other.x

        def __eq__(self, other):
            if self.x == "ni":
                return NotImplemented
            return self.x == other.x

        def __gt__(self, other):
            return ("gt", self.x, other.x)

        __hash__ = None

    class W(V):
        def __gt__(self, other):
            return "W.__gt__"

    @dataclasses.dataclass(order=True)
    class D:
        a: int
        b: str = "x"

    @functools.total_ordering
    class T:
        def __init__(self, k):
            self.k = k

        def __eq__(self, other):
            return self.k == other.k

        def __lt__(self, other):
            return self.k < other.k

    class Deep:
        def __init__(self, d):
            self.d = d

        def __lt__(self, other):
            return self.d < other.d   # recurses through nested Deep objects

    out = []
    for i in range(n):
        a, b = V(i), V(i % 3)
        out.append((a < b, a == b, a != b, a > b))
        ni, other = V("ni"), V("ni")
        out.append((ni == ni, ni == other, ni != other))
        for x, y in ((a, W(1)), (W(2), a)):
            out.append((x > y, x < y))
        for x, y in ((a, b), (b, a)):
            try:
                out.append((x <= y) if i % 2 else (x >= y))
            except TypeError as e:
                out.append(str(e))
        out.append((D(i, "a") < D(i, "b"), D(i) == D(i), D(i) >= D(i - 1)))
        out.append((T(i) <= T(2), T(i) > T(2), T(i) == T(i)))
        if i == n // 4:
            V.__lt__ = lambda self, other: "replaced"
        if i == n // 2:
            del V.__lt__
        if i == 3 * n // 4:
            V.__lt__ = lambda self, other: 1 / 0
            try:
                out.append(V(1) < V(2))
            except ZeroDivisionError as e:
                out.append(repr(e))
            V.__lt__ = lambda self, other: ("restored", self.x < other.x)
    deep = Deep(1)
    for _ in range(400):
        deep = Deep(deep)
    other = Deep(2)
    for _ in range(400):
        other = Deep(other)
    out.append(deep < other)
    try:
        for _ in range(5000):
            deep = Deep(deep)
            other = Deep(other)
        out.append(deep < other)
    except RecursionError as e:
        out.append(str(e))
    return out


def test_python_comparison_methods():
    result = run_both(python_comparison_methods, 16)
    assert isinstance(result, list) and result[-1].startswith("maximum recursion depth")
    run_both_warm(python_comparison_methods, (4,), 16)
