// Inline caches of the attribute family, owned by the JIT and filled at run time:
// LOAD_ATTR, STORE_ATTR and LOAD_METHOD sites each get one, in the compiled code's cache
// arena (runtime/cache_arena.h). Compiled code checks the inline fields itself (the
// machine code reads them at the offsets of these structs) and calls the rt_*_ic helper on
// a miss; the helper checks the other entries, falls back to the full CPython lookup and
// refills the cache from what that lookup found.
//
// Every entry is guarded by a type version tag (tp_version_tag: never reused, and changed
// whenever the type or one of its bases is modified; 0 means "none" and is never cached),
// plus what the kind needs: a module's dict version tag, the count of an instance layout's
// attribute names. So a guard that passes means the full lookup would find the very same
// thing; anything else (descriptors added later, __getattr__, __getattribute__, a mutated
// class or module, an instance dict) fails a guard and takes the full path. A site that
// keeps seeing new receivers stops filling after kMaxFills (megamorphic: the full path,
// without thrashing). Borrowed pointers in entries are kept alive by what the guard checks
// (the type's or the module's dict). Semantics follow CPython 3.11's LOAD_ATTR_*,
// STORE_ATTR_* and LOAD_METHOD_* specialisations, and more kinds (property getters and
// setters, class attributes).
#pragma once

#include <Python.h>

#include <cstdint>

#include "runtime/shim.h"

namespace pyjion::rt {

constexpr int kAttrWays = 4;        // receiver types remembered per site
constexpr uint32_t kMaxFills = 16;  // refills after which a site stays generic

enum class AttrKind : uint8_t {
  kEmpty,
  kInstanceValue,  // entry `index` of a managed-dict instance's values array (loads: or
                   // of its split dict over the type's shared keys; stores: the array only)
  kSlot,           // __slots__ member at byte offset `index` (T_OBJECT_EX)
  kProperty,       // LOAD_ATTR: the exact property `owner`, whose fget `obj` (a function)
                   // is called with the instance, while the property's fget is still it
  kModule,         // `obj` in the dict of module `owner` while its version tag is `tag`
  kClassValue,     // `obj`, found on the class that is the receiver (plain metaclass)
  kDictValue,      // the value of `name` in the instance's own dict (at `offset`)
  kMethod,         // LOAD_METHOD: method `obj` of the type, when the instance has no
                   // attribute `name` of its own (see Own)
  kBoundMethod,    // LOAD_ATTR: obj.__get__(owner): a method bound to the owner, same rule
  kClassAttr,      // LOAD_ATTR: `obj`, a plain class attribute (no descriptor: of an
                   // immutable type, or guarded as a shadow is), when the instance has no
                   // attribute `name` (see Own)
  kGetSet,         // LOAD_ATTR: the getter of the type's getset descriptor `obj` (a data
                   // descriptor: no instance attribute can shadow it)
  kPropertySet,    // STORE_ATTR: the exact property `owner`, whose fset `obj` (a function)
                   // is called with the instance and the value, while its fset is still it
  kOwnValue,       // LOAD_METHOD: NULL | the instance's own attribute, entry `index` of its
                   // values array as kInstanceValue (a callable kept on the instance:
                   // self.write = file.write); kDictValue serves instance dicts
  kStaticMethod,   // NULL | the callable `obj` of the staticmethod `owner` on the type (or,
                   // `on_class`, on the class itself as kClassValue), while it still wraps it
  kClassMethod,    // LOAD_METHOD: the function `obj` of the classmethod `owner` | the class
                   // (the bound method CPython makes is never seen), same guards
};

// Where an instance keeps its own attributes, for the "has no attribute `name` of its own"
// guard of kMethod and kBoundMethod (kDictValue uses kDict).
enum class Own : uint8_t {
  kNone,    // the type has no instance dict at all (tp_dictoffset 0: builtins, __slots__)
  kValues,  // managed dict keyed by the type's shared keys (a values array, or a split dict
            // over those keys): the layout has `index` names, none of them `name` (a new
            // name adds one)
  kDict,    // a dict at byte offset `offset` (tp_dictoffset > 0, or the managed dict
            // pointer of an instance whose values array is gone): looked up each time
};

struct AttrEntry {
  uint32_t version = 0;       // tp_version_tag of Py_TYPE(owner) (kClassValue: of owner)
  AttrKind kind = AttrKind::kEmpty;
  Own own = Own::kNone;
  bool on_class = false;      // kStaticMethod, kClassMethod: the receiver is the class itself
  uint32_t index = 0;
  int32_t offset = 0;         // Own::kDict, kDictValue: where the instance dict pointer is
  PyObject* obj = nullptr;    // borrowed
  PyObject* owner = nullptr;  // kModule: the module (compared by identity only); kProperty,
                              // kPropertySet: the property (kept alive by the type);
                              // kInstanceValue, kDictValue, kClassAttr, kOwnValue,
                              // kClassValue: the type
                              // of the class attribute `obj` the value shadows (or is), when
                              // that type is mutable (see ShadowHolds), else NULL
  uint64_t tag = 0;           // kModule: its dict's ma_version_tag; shadow: that type's
                              // tp_version_tag
};

// One LOAD_ATTR / STORE_ATTR / LOAD_METHOD site.
struct AttrCache {
  // Read by machine code: copies of the newest entry of the two inline kinds (0: none).
  uint32_t value_version = 0;  // kInstanceValue (LOAD_ATTR/STORE_ATTR), kMethod Own::kValues
  uint32_t value_index = 0;    //   values index, or the layout's name count
  uint32_t slot_version = 0;   // kSlot (LOAD_ATTR/STORE_ATTR), kMethod Own::kNone
  uint32_t slot_offset = 0;    //   member offset
  PyObject* method = nullptr;  // LOAD_METHOD: the method of the value/slot entry
  PyObject* nodict_method = nullptr;
  PyObject* module = nullptr;  // kModule (LOAD_ATTR, LOAD_METHOD): the module (identity),
  uint64_t module_tag = 0;     //   its dict's ma_version_tag when filled
  PyObject* module_value = nullptr;  // and the attribute, borrowed from that dict
  // Read by the helpers.
  AttrEntry entries[kAttrWays];
  PyObject* name = nullptr;    // borrowed from co_names
  Py_hash_t hash = -1;         // hash(name), for dict lookups (-1 until needed)
  uint32_t fills = 0;
  PjCallCache call{};          // the direct call of the last property function called
};

// The values array of an instance with a managed dict (NULL once its __dict__ exists):
// 3.11 keeps it four words before the object (_PyObject_ValuesPointer).
constexpr int kValuesPointerOffset = -4 * static_cast<int>(sizeof(PyObject*));
// ... and its dict, once made, three words before (_PyObject_ManagedDictPointer).
constexpr int kManagedDictOffset = -3 * static_cast<int>(sizeof(PyObject*));

// The callable of an exact staticmethod or classmethod, as its __func__ gives it (which
// also checks the private layout it is read through); nullptr if descr is not one, or for
// a classmethod of something other than a plain function. Borrowed: descr keeps it while
// StillWraps(descr, it) (staticmethod.__init__ can be called again on a live one).
PyObject* WrappedCallable(PyObject* descr);
bool StillWraps(PyObject* descr, PyObject* callable);

}  // namespace pyjion::rt

extern "C" {

// LOAD_ATTR (owner -- owner.name): steals owner; new reference or NULL.
PyObject* rt_load_attr_ic(PyThreadState* tstate, PyObject* owner, pyjion::rt::AttrCache* cache);
// STORE_ATTR (value, owner --): steals both; 0 or -1.
int rt_store_attr_ic(PyObject* value, PyObject* owner, pyjion::rt::AttrCache* cache);
// LOAD_METHOD (owner -- meth_or_NULL, self_or_attr) on base[0..1], as rt_load_method.
int rt_load_method_ic(PyObject** base, pyjion::rt::AttrCache* cache);

// dict_shim.c: managed-dict internals.
Py_ssize_t pj_shared_keys_index(PyTypeObject* tp, PyObject* name);
Py_ssize_t pj_shared_keys_nentries(PyTypeObject* tp);
PyObject** pj_split_values_over_cached_keys(PyObject* dict, PyTypeObject* tp);
void pj_values_add_to_insertion_order(PyObject** values, Py_ssize_t index);

}  // extern "C"
