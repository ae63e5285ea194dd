// The attribute-family inline caches: lookups through the cached entries, the full CPython
// lookups they fall back to, and the filling of entries from what a lookup found. See
// helpers_attr.h for the guards and why they are sound.
#include "runtime/helpers_attr.h"

#include <structmember.h>  // PyMemberDef, T_OBJECT_EX, READONLY

#include "runtime/helpers_call.h"
#include "runtime/interned.h"
#include "runtime/helpers_names.h"
#include "runtime/shim.h"

namespace pyjion::rt {
namespace {

// The type's version tag if it has a valid one (the lookup that filled an entry assigned
// it), else 0.
uint32_t VersionOf(PyTypeObject* tp) {
  return (tp->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG) ? tp->tp_version_tag : 0;
}

PyObject** ValuesOf(PyObject* obj) {
  return *reinterpret_cast<PyObject***>(reinterpret_cast<char*>(obj) + kValuesPointerOffset);
}

bool HasManagedDict(PyTypeObject* tp) { return (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) != 0; }

uint64_t DictTag(PyObject* dict) {
  return reinterpret_cast<PyDictObject*>(dict)->ma_version_tag;
}

// The instance dict pointer at a byte offset (tp_dictoffset > 0, or kManagedDictOffset),
// maybe NULL.
PyObject* DictAt(PyObject* obj, int32_t offset) {
  return *reinterpret_cast<PyObject**>(reinterpret_cast<char*>(obj) + offset);
}

// The array holding owner's attributes by shared-key index (tp has a managed dict): its
// values array, or the values of its instance dict when that is a split table over tp's
// shared keys; NULL if neither (a combined dict, or no attributes at all).
PyObject** AttributeValues(PyObject* owner, PyTypeObject* tp) {
  PyObject** values = ValuesOf(owner);
  if (values != nullptr) return values;
  return pj_split_values_over_cached_keys(DictAt(owner, kManagedDictOffset), tp);
}

// name's value in an exact dict with a lookup that runs no user code, or nullptr (absent,
// or not such a dict: *unusable).
PyObject* LookupInDict(AttrCache* cache, PyObject* dict, bool* unusable) {
  if (dict == nullptr) return nullptr;
  if (!PyDict_CheckExact(dict) || !pj_dict_has_exact_str_keys(dict)) {
    *unusable = true;
    return nullptr;
  }
  if (cache->hash == -1) cache->hash = PyObject_Hash(cache->name);  // a str: cannot fail
  return _PyDict_GetItem_KnownHash(dict, cache->name, cache->hash);
}

// Where owner's own attributes are, if they are in a dict: *offset of its pointer.
// Managed dicts count only while the values array is gone (else kValues applies).
bool InstanceDictOffset(PyObject* owner, PyTypeObject* tp, int32_t* offset) {
  if (HasManagedDict(tp)) {
    if (ValuesOf(owner) != nullptr) return false;
    *offset = kManagedDictOffset;
    return true;
  }
  if (tp->tp_dictoffset <= 0 || tp->tp_dictoffset > 0xffffff) return false;
  *offset = static_cast<int32_t>(tp->tp_dictoffset);
  return true;
}

// Fills e->own (and index/offset) if owner has no attribute `name` of its own now, in a way
// StillNoOwnAttribute can check again; false if it has one or that cannot be known cheaply.
bool NoOwnAttribute(AttrCache* cache, PyObject* owner, PyTypeObject* tp, AttrEntry* e) {
  if (HasManagedDict(tp) && AttributeValues(owner, tp) != nullptr) {
    const Py_ssize_t nentries = pj_shared_keys_nentries(tp);
    if (nentries < 0 || nentries > 0xffffff || pj_shared_keys_index(tp, cache->name) >= 0)
      return false;
    e->own = Own::kValues;
    e->index = static_cast<uint32_t>(nentries);
    return true;
  }
  if (!HasManagedDict(tp) && tp->tp_dictoffset == 0) {
    e->own = Own::kNone;
    return true;
  }
  if (!InstanceDictOffset(owner, tp, &e->offset)) return false;
  e->own = Own::kDict;
  bool unusable = false;
  return LookupInDict(cache, DictAt(owner, e->offset), &unusable) == nullptr && !unusable;
}

// The guard of an entry filled by NoOwnAttribute (same type version checked already).
bool StillNoOwnAttribute(AttrCache* cache, PyObject* owner, PyTypeObject* tp,
                         const AttrEntry& e) {
  switch (e.own) {
    case Own::kNone:
      return true;
    case Own::kValues:
      return AttributeValues(owner, tp) != nullptr &&
             pj_shared_keys_nentries(tp) == static_cast<Py_ssize_t>(e.index);
    case Own::kDict: {
      if (HasManagedDict(tp) && ValuesOf(owner) != nullptr) return false;
      bool unusable = false;
      return LookupInDict(cache, DictAt(owner, e.offset), &unusable) == nullptr && !unusable;
    }
  }
  return false;
}

// A T_OBJECT_EX member descriptor (a __slots__ entry), its byte offset in *offset.
bool IsObjectSlot(PyObject* descr, bool for_store, uint32_t* offset) {
  if (descr == nullptr || !Py_IS_TYPE(descr, &PyMemberDescr_Type)) return false;
  PyMemberDef* m = reinterpret_cast<PyMemberDescrObject*>(descr)->d_member;
  if (m->type != T_OBJECT_EX || (for_store && (m->flags & READONLY))) return false;
  if (m->offset < 0 || m->offset > 0xffffff) return false;
  *offset = static_cast<uint32_t>(m->offset);
  return true;
}

// Adds (or refreshes) an entry, newest first, and mirrors the inline kinds.
void Remember(AttrCache* cache, const AttrEntry& e) {
  if (cache->fills >= kMaxFills) return;
  ++cache->fills;
  int at = kAttrWays - 1;
  for (int i = 0; i < kAttrWays; ++i) {
    const AttrEntry& old = cache->entries[i];
    if (old.kind == AttrKind::kEmpty || (old.kind == e.kind && old.version == e.version &&
                                         old.owner == e.owner)) {
      at = i;
      break;
    }
  }
  for (int i = at; i > 0; --i) cache->entries[i] = cache->entries[i - 1];
  cache->entries[0] = e;
  switch (e.kind) {
    case AttrKind::kInstanceValue:
      if (e.owner != nullptr) break;  // a shadow guard the machine code does not check
      cache->value_version = e.version;
      cache->value_index = e.index;
      break;
    case AttrKind::kMethod:
      if (e.own == Own::kValues) {
        cache->value_version = e.version;
        cache->value_index = e.index;
        cache->method = e.obj;
      } else if (e.own == Own::kNone) {
        cache->slot_version = e.version;
        cache->nodict_method = e.obj;
      }
      break;
    case AttrKind::kSlot:
      cache->slot_version = e.version;
      cache->slot_offset = e.index;
      break;
    case AttrKind::kModule:
      cache->module = e.owner;
      cache->module_tag = e.tag;
      cache->module_value = e.obj;
      break;
    default:
      break;
  }
}

// descr.<name> as the descriptor's own attribute gives it, if that is the object in its
// private field *field (which checks the layout that field was read through), else
// nullptr; borrowed: descr keeps it. The name is interned: a fresh str would be kept by the
// type attribute cache until evicted.
PyObject* FieldAsAttribute(PyObject* descr, InternedName& name, PyObject* const* field) {
  Py_INCREF(descr);  // the lookup allocates: a collection's finalizers may drop the class's
  PyObject* n = name.get();
  PyObject* value = n != nullptr ? PyObject_GetAttr(descr, n) : nullptr;
  if (value == nullptr) PyErr_Clear();
  const bool same = value != nullptr && value == *field;
  Py_XDECREF(value);
  Py_DECREF(descr);
  return same ? value : nullptr;
}

// descrobject.c's propertyobject (private): its functions follow the object header.
struct PropertyLayout {
  PyObject_HEAD
  PyObject* prop_get;
  PyObject* prop_set;
  PyObject* prop_del;
};

// The fget (for_set: fset) of an exact property, as the property's own attribute gives it
// (which also checks the layout above), if it is a plain function; else nullptr.
PyObject* PropertyFunction(PyObject* descr, bool for_set) {
  if (!Py_IS_TYPE(descr, &PyProperty_Type)) return nullptr;
  static InternedName fget("fget"), fset("fset");
  auto* layout = reinterpret_cast<PropertyLayout*>(descr);
  PyObject* func = for_set ? FieldAsAttribute(descr, fset, &layout->prop_set)
                           : FieldAsAttribute(descr, fget, &layout->prop_get);
  return func != nullptr && PyFunction_Check(func) ? func : nullptr;
}

// Whether a property entry's function is still the property's: property.__init__ can be
// called again on a live property, which changes its functions and not the type's version.
bool SameFunction(const AttrEntry& e) {
  const auto* layout = reinterpret_cast<PropertyLayout*>(e.owner);
  return (e.kind == AttrKind::kProperty ? layout->prop_get : layout->prop_set) == e.obj;
}


// A class attribute that an instance attribute of the same name shadows stays shadowed
// only while its type is no data descriptor; the owner's version tag does not see a
// mutable type gaining __set__ (test_opcache's descriptor added after optimisation), so
// only class attributes of immutable types let the instance's own value be cached.
bool ShadowedForGood(PyObject* descr) {
  return descr == nullptr ||
         (Py_TYPE(descr)->tp_descr_set == nullptr &&
          PyType_HasFeature(Py_TYPE(descr), Py_TPFLAGS_IMMUTABLETYPE));
}

// Else (an enum member or another instance of a class as a dataclass default, say) the
// entry also guards the class attribute's type (so do kClassValue entries of such values
// read from the class itself): while `obj` is still of type `owner` at
// version `tag`, that type has gained no __set__ (nor __get__): modifying a type or any of
// its bases changes its version. Fills e->obj/owner/tag; false if that cannot be guarded.
bool GuardShadow(AttrCache* cache, PyObject* descr, AttrEntry* e) {
  PyTypeObject* dtp = Py_TYPE(descr);
  if (dtp->tp_descr_set != nullptr) return false;
  (void)_PyType_Lookup(dtp, cache->name);  // assigns dtp a version tag if it can
  const uint32_t version = VersionOf(dtp);
  if (version == 0) return false;
  e->obj = descr;  // kept alive by the instance's type, whose version the entry checks
  e->owner = reinterpret_cast<PyObject*>(dtp);
  e->tag = version;
  return true;
}

// The guard GuardShadow filled (true for entries without one).
bool ShadowHolds(const AttrEntry& e) {
  if (e.owner == nullptr) return true;
  PyTypeObject* dtp = Py_TYPE(e.obj);
  return reinterpret_cast<PyObject*>(dtp) == e.owner && dtp->tp_version_tag == e.tag;
}

// The guard of kClassValue: the receiver is a class of metaclass `type` at the version
// the entry was filled with, and the value's type (if mutable) is unchanged.
bool ClassValueHolds(PyObject* owner, PyTypeObject* tp, const AttrEntry& e) {
  return tp == &PyType_Type &&
         reinterpret_cast<PyTypeObject*>(owner)->tp_version_tag == e.version && ShadowHolds(e);
}

}  // namespace

// funcobject.c's staticmethod and classmethod (private): the callable follows the header.
struct WrapperLayout {
  PyObject_HEAD
  PyObject* callable;
};

PyObject* WrappedCallable(PyObject* descr) {
  const bool is_static = Py_IS_TYPE(descr, &PyStaticMethod_Type);
  if (!is_static && !Py_IS_TYPE(descr, &PyClassMethod_Type)) return nullptr;
  static InternedName func_name("__func__");
  PyObject* func =
      FieldAsAttribute(descr, func_name, &reinterpret_cast<WrapperLayout*>(descr)->callable);
  return func != nullptr && (is_static || PyFunction_Check(func)) ? func : nullptr;
}

bool StillWraps(PyObject* descr, PyObject* callable) {
  return reinterpret_cast<WrapperLayout*>(descr)->callable == callable;
}

namespace {

// The guards of kStaticMethod and kClassMethod: the receiver still finds the same wrapper
// (its class's version and no attribute of its own, or the class's own version), which
// still wraps `obj` (staticmethod.__init__ can be called again on a live one).
bool WrapperHolds(AttrCache* cache, PyObject* owner, PyTypeObject* tp, const AttrEntry& e) {
  if (!StillWraps(e.owner, e.obj)) return false;
  if (e.on_class)
    return tp == &PyType_Type &&
           reinterpret_cast<PyTypeObject*>(owner)->tp_version_tag == e.version;
  return tp->tp_version_tag == e.version && StillNoOwnAttribute(cache, owner, tp, e);
}

// Fills the callable, wrapper and kind of a staticmethod or classmethod entry for `res`,
// what the lookup gave through `descr` on the receiver's type (or class): the callable
// (staticmethod) or a method bound to `cls` (classmethod, for_method only).
bool WrapperEntry(PyObject* descr, PyObject* res, PyObject* cls, bool for_method,
                  AttrEntry* e) {
  PyObject* callable = WrappedCallable(descr);
  if (callable == nullptr) return false;
  if (Py_IS_TYPE(descr, &PyStaticMethod_Type)) {
    if (res != callable) return false;
    e->kind = AttrKind::kStaticMethod;
  } else {
    if (!for_method || !PyMethod_Check(res) || PyMethod_GET_FUNCTION(res) != callable ||
        PyMethod_GET_SELF(res) != cls)
      return false;
    e->kind = AttrKind::kClassMethod;
  }
  e->obj = callable;  // kept alive by the wrapper, while it wraps it (WrapperHolds)
  e->owner = descr;   // kept alive by the type
  return true;
}

// kInstanceValue, kOwnValue (version checked): the instance's value (borrowed), or nullptr.
PyObject* CachedValue(PyObject* owner, PyTypeObject* tp, const AttrEntry& e) {
  PyObject** values = AttributeValues(owner, tp);
  return values != nullptr ? values[e.index] : nullptr;
}

// kDictValue (version checked): the value in the instance's own dict (borrowed), or nullptr.
PyObject* CachedDictValue(AttrCache* cache, PyObject* owner, PyTypeObject* tp,
                          const AttrEntry& e) {
  if (HasManagedDict(tp) && ValuesOf(owner) != nullptr) return nullptr;
  bool unusable = false;
  return LookupInDict(cache, DictAt(owner, e.offset), &unusable);
}

// The cached answer for owner, or nullptr on a miss. *error when the getter raised.
PyObject* LoadCached(PyObject* owner, AttrCache* cache, bool* error) {
  PyTypeObject* tp = Py_TYPE(owner);
  const uint32_t version = tp->tp_version_tag;
  for (const AttrEntry& e : cache->entries) {
    switch (e.kind) {
      case AttrKind::kEmpty:
        return nullptr;
      case AttrKind::kInstanceValue:
        if (version == e.version && ShadowHolds(e)) {
          if (PyObject* v = CachedValue(owner, tp, e)) return Py_NewRef(v);
        }
        break;
      case AttrKind::kSlot:
        if (version == e.version) {
          PyObject* v = *reinterpret_cast<PyObject**>(reinterpret_cast<char*>(owner) + e.index);
          if (v != nullptr) return Py_NewRef(v);
        }
        break;
      case AttrKind::kProperty:
        if (version == e.version && SameFunction(e)) {
          PyObject* res = CallFunction(e.obj, {owner}, &cache->call);  // property_descr_get
          *error = res == nullptr;
          return res;
        }
        break;
      case AttrKind::kModule:
        if (owner == e.owner && DictTag(PyModule_GetDict(owner)) == e.tag) return Py_NewRef(e.obj);
        break;
      case AttrKind::kDictValue:
        if (version == e.version && ShadowHolds(e)) {
          if (PyObject* v = CachedDictValue(cache, owner, tp, e)) return Py_NewRef(v);
        }
        break;
      case AttrKind::kBoundMethod:
        if (version == e.version && StillNoOwnAttribute(cache, owner, tp, e)) {
          PyObject* res = Py_TYPE(e.obj)->tp_descr_get(e.obj, owner, reinterpret_cast<PyObject*>(tp));
          *error = res == nullptr;
          return res;
        }
        break;
      case AttrKind::kClassValue:
        if (ClassValueHolds(owner, tp, e)) return Py_NewRef(e.obj);
        break;
      case AttrKind::kClassAttr:
        if (version == e.version && ShadowHolds(e) && StillNoOwnAttribute(cache, owner, tp, e))
          return Py_NewRef(e.obj);
        break;
      case AttrKind::kStaticMethod:
        if (WrapperHolds(cache, owner, tp, e)) return Py_NewRef(e.obj);
        break;
      case AttrKind::kGetSet:
        if (version == e.version) {
          PyGetSetDef* gs = reinterpret_cast<PyGetSetDescrObject*>(e.obj)->d_getset;
          PyObject* res = gs->get(owner, gs->closure);
          *error = res == nullptr;
          return res;
        }
        break;
      default:
        break;
    }
  }
  return nullptr;
}

// A module attribute found in its dict (module_getattro looks there after the generic
// lookup, which finds nothing on ModuleType for ordinary names).
void FillModule(AttrCache* cache, PyObject* module, PyObject* res) {
  PyObject* dict = PyModule_GetDict(module);
  if (dict == nullptr || !PyDict_CheckExact(dict) || !pj_dict_has_exact_str_keys(dict)) return;
  if (_PyType_Lookup(Py_TYPE(module), cache->name) != nullptr) return;
  if (PyDict_GetItemWithError(dict, cache->name) != res) {
    PyErr_Clear();
    return;
  }
  AttrEntry e;
  e.kind = AttrKind::kModule;
  e.obj = res;
  e.owner = module;
  e.tag = DictTag(dict);
  if (e.tag != 0) Remember(cache, e);
}

// Whether attr's __get__ with no instance returns attr itself: no __get__, a function, or
// a descriptor of a builtin's method, slot wrapper, member or getset (int.__repr__,
// list.append: descrobject.c's *_get return the descriptor for a NULL instance).
bool GetsItselfFromClass(PyObject* attr) {
  PyTypeObject* t = Py_TYPE(attr);
  return t->tp_descr_get == nullptr || t == &PyFunction_Type || t == &PyMethodDescr_Type ||
         t == &PyWrapperDescr_Type || t == &PyMemberDescr_Type || t == &PyGetSetDescr_Type;
}

// An attribute of a class itself, when the metaclass is `type` and has no data descriptor
// of that name (type_getattro: then the class's own attribute wins; `type` is immutable):
// a value whose __get__ without an instance gives itself (GetsItselfFromClass), kept alive
// by the class while its version is unchanged; or a staticmethod's callable, or
// (for_method) a classmethod's function called with the class.
void FillClassValue(AttrCache* cache, PyObject* type, PyObject* res, bool for_method) {
  if (!Py_IS_TYPE(type, &PyType_Type)) return;
  PyTypeObject* tp = reinterpret_cast<PyTypeObject*>(type);
  PyObject* meta = _PyType_Lookup(&PyType_Type, cache->name);
  if (meta != nullptr && Py_TYPE(meta)->tp_descr_set != nullptr) return;
  PyObject* attr = _PyType_Lookup(tp, cache->name);
  if (attr == nullptr) return;
  AttrEntry e;
  if (attr == res && GetsItselfFromClass(attr)) {
    // a value of a mutable type (an instance of a Python class) could gain __get__, or
    // another __class__, without the class's version changing: guarded as a shadow is
    if (!PyType_HasFeature(Py_TYPE(attr), Py_TPFLAGS_IMMUTABLETYPE) &&
        !GuardShadow(cache, attr, &e))
      return;
    e.kind = AttrKind::kClassValue;
    e.obj = res;
  } else if (WrapperEntry(attr, res, type, for_method, &e)) {
    e.on_class = true;
  } else {
    return;
  }
  e.version = VersionOf(tp);
  if (e.version != 0) Remember(cache, e);
}

// The entry of a value the instance holds itself, if `res` is what is there now:
// kInstanceValue (its values array) or kDictValue (its dict).
bool OwnValueEntry(AttrCache* cache, PyObject* owner, PyTypeObject* tp, PyObject* res,
                   AttrEntry* e) {
  if (HasManagedDict(tp) && AttributeValues(owner, tp) != nullptr) {
    const Py_ssize_t index = pj_shared_keys_index(tp, cache->name);
    if (index < 0 || AttributeValues(owner, tp)[index] != res) return false;
    e->kind = AttrKind::kInstanceValue;
    e->index = static_cast<uint32_t>(index);
    return true;
  }
  if (!InstanceDictOffset(owner, tp, &e->offset)) return false;
  bool unusable = false;
  if (LookupInDict(cache, DictAt(owner, e->offset), &unusable) != res || unusable) return false;
  e->kind = AttrKind::kDictValue;
  return true;
}

// What the generic lookup of an instance attribute went through, as a cache entry.
void FillInstance(AttrCache* cache, PyObject* owner, PyObject* res) {
  PyTypeObject* tp = Py_TYPE(owner);
  if (tp->tp_getattro != PyObject_GenericGetAttr) return;
  PyObject* descr = _PyType_Lookup(tp, cache->name);
  const uint32_t version = VersionOf(tp);
  if (version == 0) return;
  AttrEntry e;
  e.version = version;
  if (descr != nullptr && Py_TYPE(descr)->tp_descr_set == nullptr &&
      (PyFunction_Check(descr) || Py_IS_TYPE(descr, &PyMethodDescr_Type)) &&
      Py_TYPE(res) == (PyFunction_Check(descr) ? &PyMethod_Type : &PyCFunction_Type)) {
    // a method fetched as an attribute (to be called later): bound each time, the instance
    // having no attribute of that name of its own
    if (!NoOwnAttribute(cache, owner, tp, &e)) return;
    e.kind = AttrKind::kBoundMethod;
    e.obj = descr;  // kept alive by the type
  } else if (descr != nullptr && Py_TYPE(descr)->tp_descr_set != nullptr) {
    if (IsObjectSlot(descr, false, &e.index)) {
      e.kind = AttrKind::kSlot;
    } else if (Py_IS_TYPE(descr, &PyGetSetDescr_Type) &&
               reinterpret_cast<PyGetSetDescrObject*>(descr)->d_getset->get != nullptr) {
      e.kind = AttrKind::kGetSet;  // frame.f_back, code.co_name, func.__name__, ...
      e.obj = descr;               // kept alive by the type
    } else if (PyObject* fget = PropertyFunction(descr, false)) {
      e.kind = AttrKind::kProperty;
      e.obj = fget;
      e.owner = descr;
    } else {
      return;
    }
  } else if (!ShadowedForGood(descr) && !GuardShadow(cache, descr, &e)) {
    return;
  } else if (descr != nullptr && res == descr && Py_TYPE(descr)->tp_descr_get == nullptr &&
             NoOwnAttribute(cache, owner, tp, &e)) {
    e.kind = AttrKind::kClassAttr;  // a class constant read through self
    e.obj = descr;                  // kept alive by the type
  } else if (!OwnValueEntry(cache, owner, tp, res, &e)) {
    return;
  }
  Remember(cache, e);
}

// LOAD_METHOD gave NULL | res for an instance: a staticmethod's callable or a classmethod
// bound to the instance's type, or an attribute it holds itself (a callable kept on the
// instance: self.write = file.write), which wins over a method of its type.
void FillOwnAttribute(AttrCache* cache, PyObject* owner, PyObject* res) {
  PyTypeObject* tp = Py_TYPE(owner);
  if (tp->tp_getattro != PyObject_GenericGetAttr) return;
  PyObject* descr = _PyType_Lookup(tp, cache->name);
  AttrEntry e;
  e.version = VersionOf(tp);
  if (e.version == 0) return;
  if (descr != nullptr && WrapperEntry(descr, res, reinterpret_cast<PyObject*>(tp), true, &e)) {
    if (NoOwnAttribute(cache, owner, tp, &e)) Remember(cache, e);  // self.util(), self.make()
    return;
  }
  if (!ShadowedForGood(descr) && !GuardShadow(cache, descr, &e)) return;
  if (!OwnValueEntry(cache, owner, tp, res, &e)) return;
  if (e.kind == AttrKind::kInstanceValue) e.kind = AttrKind::kOwnValue;  // never inline here
  Remember(cache, e);
}

}  // namespace
}  // namespace pyjion::rt

using namespace pyjion::rt;

extern "C" PyObject* rt_load_attr_ic(PyThreadState* tstate, PyObject* owner, AttrCache* cache) {
  bool error = false;
  PyObject* res = LoadCached(owner, cache, &error);
  if (res == nullptr && !error) {
    res = PyObject_GetAttr(owner, cache->name);
    if (res != nullptr && cache->fills < kMaxFills) {
      if (PyModule_CheckExact(owner)) FillModule(cache, owner, res);
      else if (PyType_Check(owner)) FillClassValue(cache, owner, res, false);
      else FillInstance(cache, owner, res);
    }
  }
  Py_DECREF(owner);
  return res;
}

extern "C" int rt_store_attr_ic(PyObject* value, PyObject* owner, AttrCache* cache) {
  PyTypeObject* tp = Py_TYPE(owner);
  const uint32_t version = tp->tp_version_tag;
  for (const AttrEntry& e : cache->entries) {
    if (e.kind == AttrKind::kEmpty) break;
    if (e.version != version) continue;
    if (e.kind == AttrKind::kInstanceValue && ShadowHolds(e)) {
      PyObject** values = ValuesOf(owner);
      if (values == nullptr) continue;
      PyObject* old = values[e.index];
      values[e.index] = value;
      if (old == nullptr) pj_values_add_to_insertion_order(values, e.index);
      else Py_DECREF(old);
      Py_DECREF(owner);
      return 0;
    }
    if (e.kind == AttrKind::kSlot) {
      auto* addr = reinterpret_cast<PyObject**>(reinterpret_cast<char*>(owner) + e.index);
      PyObject* old = *addr;
      *addr = value;
      Py_XDECREF(old);
      Py_DECREF(owner);
      return 0;
    }
    if (e.kind == AttrKind::kDictValue && ShadowHolds(e)) {
      // the instance dict at e.offset (managed: only while the values array is gone), as
      // _PyObjectDict_SetItem stores there once the dict exists
      if (HasManagedDict(tp) && ValuesOf(owner) != nullptr) continue;
      PyObject* dict = DictAt(owner, e.offset);
      if (dict == nullptr || !PyDict_CheckExact(dict)) continue;
      const int err = PyDict_SetItem(dict, cache->name, value);
      Py_DECREF(value);
      Py_DECREF(owner);
      return err;
    }
    if (e.kind == AttrKind::kPropertySet && SameFunction(e)) {
      PyObject* res = CallFunction(e.obj, {owner, value}, &cache->call);  // property_descr_set
      Py_XDECREF(res);
      Py_DECREF(value);
      Py_DECREF(owner);
      return res == nullptr ? -1 : 0;
    }
  }
  const int err = PyObject_SetAttr(owner, cache->name, value);
  if (err == 0 && cache->fills < kMaxFills && tp->tp_setattro == PyObject_GenericSetAttr) {
    PyObject* descr = _PyType_Lookup(tp, cache->name);
    AttrEntry e;
    e.version = VersionOf(tp);
    if (e.version != 0) {
      if (IsObjectSlot(descr, true, &e.index)) {
        e.kind = AttrKind::kSlot;
        Remember(cache, e);
      } else if (PyObject* fset = descr != nullptr ? PropertyFunction(descr, true) : nullptr) {
        e.kind = AttrKind::kPropertySet;
        e.obj = fset;
        e.owner = descr;
        Remember(cache, e);
      } else if (ShadowedForGood(descr) || GuardShadow(cache, descr, &e)) {
        if (HasManagedDict(tp) && ValuesOf(owner) != nullptr) {
          const Py_ssize_t index = pj_shared_keys_index(tp, cache->name);
          if (index >= 0 && ValuesOf(owner)[index] == value) {
            e.kind = AttrKind::kInstanceValue;
            e.index = static_cast<uint32_t>(index);
            Remember(cache, e);
          }
        } else if (InstanceDictOffset(owner, tp, &e.offset)) {
          PyObject* dict = DictAt(owner, e.offset);
          if (dict != nullptr && PyDict_CheckExact(dict)) {
            e.kind = AttrKind::kDictValue;  // a store into the instance's dict
            Remember(cache, e);
          }
        }
      }
    }
  }
  Py_DECREF(value);
  Py_DECREF(owner);
  return err;
}

extern "C" int rt_load_method_ic(PyObject** base, AttrCache* cache) {
  PyObject* owner = base[0];
  PyTypeObject* tp = Py_TYPE(owner);
  const uint32_t version = tp->tp_version_tag;
  for (const AttrEntry& e : cache->entries) {
    PyObject* found = nullptr;  // borrowed
    bool method = false;
    switch (e.kind) {
      case AttrKind::kEmpty:
        break;
      case AttrKind::kMethod:
        if (version == e.version && StillNoOwnAttribute(cache, owner, tp, e)) found = e.obj;
        method = true;
        break;
      case AttrKind::kModule:
        if (owner == e.owner && DictTag(PyModule_GetDict(owner)) == e.tag) found = e.obj;
        break;
      case AttrKind::kClassValue:
        if (ClassValueHolds(owner, tp, e)) found = e.obj;
        break;
      case AttrKind::kOwnValue:
        if (version == e.version && ShadowHolds(e)) found = CachedValue(owner, tp, e);
        break;
      case AttrKind::kDictValue:
        if (version == e.version && ShadowHolds(e)) found = CachedDictValue(cache, owner, tp, e);
        break;
      case AttrKind::kStaticMethod:
        if (WrapperHolds(cache, owner, tp, e)) found = e.obj;
        break;
      case AttrKind::kClassMethod:
        if (WrapperHolds(cache, owner, tp, e)) {  // function | class
          base[0] = Py_NewRef(e.obj);
          if (e.on_class) {
            base[1] = owner;
          } else {
            base[1] = Py_NewRef(reinterpret_cast<PyObject*>(tp));
            Py_DECREF(owner);
          }
          return 0;
        }
        break;
      default:
        break;
    }
    if (e.kind == AttrKind::kEmpty) break;
    if (found == nullptr) continue;
    if (method) {  // meth | self
      base[0] = Py_NewRef(found);
      base[1] = owner;
    } else {  // NULL | attr
      base[0] = nullptr;
      base[1] = Py_NewRef(found);
      Py_DECREF(owner);
    }
    return 0;
  }
  // NULL | attr releases the owner: keep it for the fill (released within this
  // instruction either way, before anything else can run).
  const bool keep = cache->fills < kMaxFills;
  if (keep) Py_INCREF(owner);
  if (rt_load_method(base, cache->name) < 0) {
    if (keep) Py_DECREF(owner);
    return -1;
  }
  if (!keep) return 0;
  if (base[0] == nullptr) {
    if (PyModule_CheckExact(owner)) FillModule(cache, owner, base[1]);
    else if (PyType_Check(owner)) FillClassValue(cache, owner, base[1], true);
    else FillOwnAttribute(cache, owner, base[1]);
    Py_DECREF(owner);
    return 0;
  }
  Py_DECREF(owner);  // still referenced by base[1]
  // meth | self: _PyObject_GetMethod found a method descriptor on the type and nothing in
  // the instance dict.
  PyObject* meth = base[0];
  if (tp->tp_getattro != PyObject_GenericGetAttr || _PyType_Lookup(tp, cache->name) != meth)
    return 0;
  AttrEntry e;
  e.version = VersionOf(tp);
  e.obj = meth;  // kept alive by the type
  if (e.version == 0) return 0;
  if (!NoOwnAttribute(cache, owner, tp, &e)) return 0;
  e.kind = AttrKind::kMethod;
  Remember(cache, e);
  return 0;
}
