// `super().name(...)` without the super object (runtime/helpers_super.cc): CALL 0 of the
// builtin super followed by LOAD_METHOD, in a function with a __class__ cell (or CALL 2,
// `super(C, self).name`), looked up as super_init_without_args and super_getattro would,
// through a site cache keyed on the instance's exact type and its version tag (which
// changes with any class of its MRO).
#pragma once

#include <Python.h>

#include <cstdint>

#include "runtime/shim.h"

namespace pyjion::rt {

constexpr int kSuperWays = 4;  // instance types remembered per site (a base class's
                               // super().__init__ runs for each of its subclasses)

struct SuperEntry {
  PyTypeObject* obj_type = nullptr;  // compared only
  uint32_t version = 0;              // obj_type's tp_version_tag when filled (nonzero)
  PyTypeObject* start = nullptr;     // the __class__ cell's class (compared only)
  PyObject* meth = nullptr;          // what the MRO after `start` gives for the name: a
                                     // function or a method/slot descriptor (borrowed: a
                                     // dict of obj_type's MRO holds it while `version`)
};

struct SuperCache {
  PyObject* name = nullptr;  // borrowed from co_names
  SuperEntry entries[kSuperWays];
  uint32_t next = 0;   // the way the next fill takes
  uint32_t fills = 0;  // kMaxSuperFills: the site stays with the ordinary path
};
constexpr uint32_t kMaxSuperFills = 16;

}  // namespace pyjion::rt

extern "C" {

// base: the stack slots [NULL, callable] of `super().name`'s CALL 0 (owned). When the
// callable is the builtin super, the frame's first argument (local 0, through its cell
// when first_is_cell) an instance (not a class) of a subtype of the class in the __class__
// cell (local class_index), and the name found on the instance type's MRO after that
// class, in plain dicts of str keys, is a function or a method descriptor the instance
// fits: base becomes [meth, self] (new references; the callable's released), as LOAD_METHOD
// would leave it after CALL 0 made the super object, and 1 is returned. Otherwise 0 with
// nothing changed (the ordinary CALL and LOAD_METHOD follow). Runs no Python code and
// raises nothing.
long rt_super_method(PjFrame* frame, PyObject** base, int first_is_cell, int class_index,
                     pyjion::rt::SuperCache* cache);
// The same for `super(start, obj).name` (CALL 2 of super, then LOAD_METHOD): base is
// [NULL, callable, start, obj]; on 1 it is [meth, self] (the two slots above released).
long rt_super_method_args(PyObject** base, pyjion::rt::SuperCache* cache);
// How many times rt_super_method or rt_super_method_args returned 1 (stats()['super_methods']).
unsigned long long rt_super_methods(void);

}  // extern "C"
