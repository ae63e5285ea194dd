// Runtime helpers of the containers families (see helpers_containers.h for the contracts).
// Each mirrors one CPython 3.11 ceval.c instruction body, with the same calls in the same
// order and the same error messages; where ceval uses an internal that is not exported
// (_PyDict_FromItems, _PyDict_SetItem_Take2, _PyList_AppendTakeRef, unpack_iterable,
// format_kwargs_error) the equivalent is rebuilt here from exported functions.
#include "runtime/helpers_containers.h"
#include "runtime/helpers.h"

namespace {

void ReleaseItems(PyObject** items, int n) {
  for (int i = 0; i < n; ++i) Py_DECREF(items[i]);
}

// ceval's `while (n--) Py_DECREF(POP());`: last item first. The order is visible when a
// release runs a finalizer (BUILD_MAP/BUILD_CONST_KEY_MAP with a repeated key, BUILD_STRING
// of str subclasses returned by __format__).
void ReleaseItemsLastFirst(PyObject** items, int n) {
  for (int i = n - 1; i >= 0; --i) Py_DECREF(items[i]);
}

// _PyDict_FromItems: a dict presized like dict_new_presized(n, all_keys_exact_str). With
// only str keys, growing an empty dict one insertion at a time reaches the same table size
// and keeps the compact str-keys layout, so PyDict_New stands in for the unexported
// str-keys presizing; otherwise _PyDict_NewPresized is exactly the general-keys variant.
PyObject* DictFromItems(PyObject** keys, int key_stride, PyObject** values, int value_stride,
                        int n) {
  bool unicode = true;
  for (int i = 0; i < n && unicode; ++i) unicode = PyUnicode_CheckExact(keys[i * key_stride]);
  PyObject* dict = unicode ? PyDict_New() : _PyDict_NewPresized(n);
  if (dict == nullptr) return nullptr;
  for (int i = 0; i < n; ++i) {
    if (PyDict_SetItem(dict, keys[i * key_stride], values[i * value_stride]) < 0) {
      Py_DECREF(dict);
      return nullptr;
    }
  }
  return dict;
}


// _PyDict_SetItem_Take2 (steals key and value), releasing them in its order: key then value
// when hashing fails, value then key when the insertion fails (an __eq__ raising in the
// lookup). PyDict_SetItem cannot tell the caller which of the two failed, so the hash is
// computed here (the same single __hash__ call; a str's is cached) and the insertion is
// _PyDict_SetItem_KnownHash, which like Take2 goes to insert_to_emptydict/insertdict.
int DictSetItemTake2(PyObject* dict, PyObject* key, PyObject* value) {
  const Py_hash_t hash = PyObject_Hash(key);
  if (hash == -1) {
    Py_DECREF(key);
    Py_DECREF(value);
    return -1;
  }
  if (_PyDict_SetItem_KnownHash(dict, key, value, hash) < 0) {
    Py_DECREF(value);
    Py_DECREF(key);
    return -1;
  }
  // On success insertdict has already released any replaced value and then its (extra)
  // reference to a key that was present; these releases drop the references stolen here.
  Py_DECREF(key);
  Py_DECREF(value);
  return 0;
}

// ceval's unpack_iterable (borrows v): items are written downwards from `top`, so the
// first item ends up at top[-1]. after == -1 is a plain unpack of `before` items.
bool UnpackIterable(PyObject* v, int before, int after, PyObject** top) {
  PyObject** sp = top;
  int i = 0;
  PyObject* it = PyObject_GetIter(v);
  if (it == nullptr) {
    if (PyErr_ExceptionMatches(PyExc_TypeError) && Py_TYPE(v)->tp_iter == nullptr &&
        !PySequence_Check(v)) {
      PyErr_Format(PyExc_TypeError, "cannot unpack non-iterable %.200s object",
                   Py_TYPE(v)->tp_name);
    }
    return false;
  }
  for (; i < before; ++i) {
    PyObject* w = PyIter_Next(it);
    if (w == nullptr) {
      if (!PyErr_Occurred()) {
        if (after == -1) {
          PyErr_Format(PyExc_ValueError, "not enough values to unpack (expected %d, got %d)",
                       before, i);
        } else {
          PyErr_Format(PyExc_ValueError,
                       "not enough values to unpack (expected at least %d, got %d)",
                       before + after, i);
        }
      }
      goto error;
    }
    *--sp = w;
  }
  if (after == -1) {
    PyObject* w = PyIter_Next(it);
    if (w == nullptr) {
      if (PyErr_Occurred()) goto error;
      Py_DECREF(it);
      return true;
    }
    Py_DECREF(w);
    PyErr_Format(PyExc_ValueError, "too many values to unpack (expected %d)", before);
    goto error;
  }
  {
    PyObject* l = PySequence_List(it);
    if (l == nullptr) goto error;
    *--sp = l;
    ++i;
    const Py_ssize_t ll = PyList_GET_SIZE(l);
    if (ll < after) {
      PyErr_Format(PyExc_ValueError,
                   "not enough values to unpack (expected at least %d, got %zd)",
                   before + after, before + ll);
      goto error;
    }
    // The items after the starred target move from the list's tail onto the stack.
    for (int j = after; j > 0; --j, ++i) *--sp = PyList_GET_ITEM(l, ll - j);
    Py_SET_SIZE(l, ll - after);
  }
  Py_DECREF(it);
  return true;

error:
  for (; i > 0; --i, ++sp) Py_DECREF(*sp);
  Py_XDECREF(it);
  return false;
}

PyObject* EmptyStr() {
  static PyObject* empty = PyUnicode_New(0, 0);  // the interpreter's singleton, kept alive
  return empty;
}

}  // namespace

// ---- subscripts, slices, attributes ------------------------------------------------------

extern "C" void rt_dict_key_missing(PyObject* sub) {
  if (!PyErr_Occurred()) _PyErr_SetKeyError(sub);
}

extern "C" int rt_store_subscr(PyObject* value, PyObject* container, PyObject* sub) {
  int err = PyObject_SetItem(container, sub, value);
  Py_DECREF(value);
  Py_DECREF(container);
  Py_DECREF(sub);
  return err != 0 ? -1 : 0;
}

// The generic STORE_SUBSCR on an exact dict (PyObject_SetItem is dict_ass_sub, i.e.
// PyDict_SetItem), releasing value, dict, sub in its order. The JIT takes this path when it
// has no type feedback (the interpreter has not specialised the instruction); with
// STORE_SUBSCR_DICT as feedback it calls rt_store_subscr_dict_specialised, whose order
// differs from this one when a release runs a finalizer: a failed hash or __eq__, or a
// temporary dict.
extern "C" int rt_store_subscr_dict(PyObject* value, PyObject* dict, PyObject* sub) {
  int err = PyDict_SetItem(dict, sub, value);
  Py_DECREF(value);
  Py_DECREF(dict);
  Py_DECREF(sub);
  return err != 0 ? -1 : 0;
}

// STORE_SUBSCR_DICT, for an instruction the interpreter specialised (type feedback):
// _PyDict_SetItem_Take2 releases key and value in its order (key first when hashing fails,
// value first when the insertion fails, the replaced value and then a key already present
// on success), then the dict is released.
extern "C" int rt_store_subscr_dict_specialised(PyObject* value, PyObject* dict, PyObject* sub) {
  const int err = DictSetItemTake2(dict, sub, value);
  Py_DECREF(dict);
  return err;
}

extern "C" int rt_delete_subscr(PyObject* container, PyObject* sub) {
  int err = PyObject_DelItem(container, sub);
  Py_DECREF(container);
  Py_DECREF(sub);
  return err != 0 ? -1 : 0;
}

extern "C" PyObject* rt_build_slice(PyObject* start, PyObject* stop, PyObject* step) {
  PyObject* slice = PySlice_New(start, stop, step);
  Py_DECREF(start);
  Py_DECREF(stop);
  Py_XDECREF(step);
  return slice;
}

namespace {

// A slice bound as _PyEval_SliceIndex reads it, for None or an exact int (clamped to the
// Py_ssize_t range, running no user code); false for anything else.
bool PlainSliceIndex(PyObject* v, Py_ssize_t* out) {
  if (v == Py_None) return true;
  if (!PyLong_CheckExact(v)) return false;
  *out = PyNumber_AsSsize_t(v, nullptr);  // clamps, cannot fail for an int
  return true;
}

}  // namespace

extern "C" PyObject* rt_subscr_slice(PyObject* container, PyObject* start, PyObject* stop) {
  Py_ssize_t lo = 0, hi = PY_SSIZE_T_MAX;
  PyObject *res = nullptr, *slice = nullptr;
  const bool str = PyUnicode_CheckExact(container), list = PyList_CheckExact(container),
             tuple = PyTuple_CheckExact(container);
  if ((str || list || tuple) && PlainSliceIndex(start, &lo) && PlainSliceIndex(stop, &hi)) {
    // what unicode_subscript, list_subscript and tuple_subscript do with a step of 1
    const Py_ssize_t len = str ? PyUnicode_GET_LENGTH(container) : Py_SIZE(container);
    PySlice_AdjustIndices(len, &lo, &hi, 1);
    res = str ? PyUnicode_Substring(container, lo, hi)
               : list ? PyList_GetSlice(container, lo, hi) : PyTuple_GetSlice(container, lo, hi);
    Py_DECREF(start);
    Py_DECREF(stop);
  } else {  // BUILD_SLICE, then BINARY_SUBSCR
    slice = rt_build_slice(start, stop, nullptr);
    if (slice != nullptr) res = PyObject_GetItem(container, slice);
  }
  Py_DECREF(container);  // BINARY_SUBSCR's order: the container, then the slice
  Py_XDECREF(slice);
  return res;
}

extern "C" PyObject* rt_load_attr(PyObject* owner, PyObject* name) {
  PyObject* res = PyObject_GetAttr(owner, name);
  Py_DECREF(owner);
  return res;
}

extern "C" int rt_store_attr(PyObject* value, PyObject* owner, PyObject* name) {
  int err = PyObject_SetAttr(owner, name, value);
  Py_DECREF(value);
  Py_DECREF(owner);
  return err != 0 ? -1 : 0;
}

extern "C" int rt_delete_attr(PyObject* owner, PyObject* name) {
  int err = PyObject_SetAttr(owner, name, nullptr);
  Py_DECREF(owner);
  return err != 0 ? -1 : 0;
}

// ---- building containers ---------------------------------------------------------------

extern "C" PyObject* rt_build_tuple(PyObject** items, int n) {
  PyObject* tup = PyTuple_New(n);
  if (tup == nullptr) {
    ReleaseItems(items, n);
    return nullptr;
  }
  for (int i = 0; i < n; ++i) PyTuple_SET_ITEM(tup, i, items[i]);
  return tup;
}

extern "C" PyObject* rt_build_list(PyObject** items, int n) {
  PyObject* list = PyList_New(n);
  if (list == nullptr) {
    ReleaseItems(items, n);
    return nullptr;
  }
  for (int i = 0; i < n; ++i) PyList_SET_ITEM(list, i, items[i]);
  return list;
}

extern "C" PyObject* rt_build_set(PyObject** items, int n) {
  PyObject* set = PySet_New(nullptr);
  if (set == nullptr) {
    ReleaseItems(items, n);
    return nullptr;
  }
  int err = 0;
  for (int i = 0; i < n; ++i) {
    if (err == 0) err = PySet_Add(set, items[i]);
    Py_DECREF(items[i]);
  }
  if (err != 0) {
    Py_DECREF(set);
    return nullptr;
  }
  return set;
}

extern "C" PyObject* rt_build_map(PyObject** items, int n) {
  PyObject* map = DictFromItems(items, 2, items + 1, 2, n);
  ReleaseItemsLastFirst(items, 2 * n);  // value then key of the last pair first, as ceval pops
  return map;
}

extern "C" PyObject* rt_build_const_key_map(PyObject** values, PyObject* keys, int n) {
  PyObject* map = nullptr;
  if (!PyTuple_CheckExact(keys) || PyTuple_GET_SIZE(keys) != static_cast<Py_ssize_t>(n)) {
    PyErr_SetString(PyExc_SystemError, "bad BUILD_CONST_KEY_MAP keys argument");
  } else {
    map = DictFromItems(&PyTuple_GET_ITEM(keys, 0), 1, values, 1, n);
  }
  Py_DECREF(keys);  // ceval pops the keys tuple first, then the values last to first
  ReleaseItemsLastFirst(values, n);
  return map;
}

extern "C" PyObject* rt_build_string(PyObject** items, int n) {
  PyObject* str = _PyUnicode_JoinArray(EmptyStr(), items, n);
  // ceval pops the parts last first; a str subclass from __format__ may have a finalizer.
  ReleaseItemsLastFirst(items, n);
  return str;
}

extern "C" PyObject* rt_list_to_tuple(PyObject* list) {
  PyObject* tuple = PyList_AsTuple(list);
  Py_DECREF(list);
  return tuple;
}

// internal/pycore_long.h and pycore_floatobject.h (exported; the str one is public).
extern "C" int _PyLong_FormatAdvancedWriter(_PyUnicodeWriter* writer, PyObject* obj,
                                            PyObject* format_spec, Py_ssize_t start,
                                            Py_ssize_t end);
extern "C" int _PyFloat_FormatAdvancedWriter(_PyUnicodeWriter* writer, PyObject* obj,
                                             PyObject* format_spec, Py_ssize_t start,
                                             Py_ssize_t end);

namespace {

using FormatWriter = int (*)(_PyUnicodeWriter*, PyObject*, PyObject*, Py_ssize_t, Py_ssize_t);

// What the __format__ of an exact int, float or str does with a non-empty exact str spec
// (these types are immutable: nothing can replace the method); nullptr for other values.
FormatWriter BuiltinFormatWriter(PyObject* value, PyObject* spec) {
  if (spec == nullptr || !PyUnicode_CheckExact(spec) || PyUnicode_GET_LENGTH(spec) == 0)
    return nullptr;
  return PyLong_CheckExact(value)      ? _PyLong_FormatAdvancedWriter
         : PyFloat_CheckExact(value)   ? _PyFloat_FormatAdvancedWriter
         : PyUnicode_CheckExact(value) ? _PyUnicode_FormatAdvancedWriter
                                       : nullptr;
}

// format(value, spec) through `write`, as the type's __format__ does, without looking the
// method up and binding it.
PyObject* FormatWith(FormatWriter write, PyObject* value, PyObject* spec) {
  if (PyUnicode_Check(value) && PyUnicode_READY(value) < 0) return nullptr;  // as str.__format__
  _PyUnicodeWriter writer;
  _PyUnicodeWriter_Init(&writer);
  if (write(&writer, value, spec, 0, PyUnicode_GET_LENGTH(spec)) < 0) {
    _PyUnicodeWriter_Dealloc(&writer);
    return nullptr;
  }
  return _PyUnicodeWriter_Finish(&writer);
}

}  // namespace

extern "C" PyObject* rt_format_value(PyObject* value, PyObject* spec, int conversion) {
  PyObject* (*conv_fn)(PyObject*) = nullptr;
  switch (conversion) {
    case 0: break;
    case 1: conv_fn = PyObject_Str; break;
    case 2: conv_fn = PyObject_Repr; break;
    case 3: conv_fn = PyObject_ASCII; break;
    default:
      PyErr_Format(PyExc_SystemError, "unexpected conversion flag %d", conversion);
      Py_DECREF(value);
      Py_XDECREF(spec);
      return nullptr;
  }
  if (conv_fn != nullptr) {
    PyObject* converted = conv_fn(value);
    Py_DECREF(value);
    if (converted == nullptr) {
      Py_XDECREF(spec);
      return nullptr;
    }
    value = converted;
  }
  // format(str, no spec) is the str itself.
  if (PyUnicode_CheckExact(value) && spec == nullptr) return value;
  const FormatWriter write = BuiltinFormatWriter(value, spec);
  PyObject* result = write != nullptr ? FormatWith(write, value, spec)
                                      : PyObject_Format(value, spec);
  Py_DECREF(value);
  Py_XDECREF(spec);
  return result;
}

// ---- adding to a container deeper in the stack ------------------------------------------

extern "C" int rt_list_append(PyObject* list, PyObject* value) {
  int err = PyList_Append(list, value);  // _PyList_AppendTakeRef
  Py_DECREF(value);
  return err;
}

extern "C" int rt_set_add(PyObject* set, PyObject* value) {
  int err = PySet_Add(set, value);
  Py_DECREF(value);
  return err != 0 ? -1 : 0;
}

extern "C" int rt_map_add(PyObject* dict, PyObject* key, PyObject* value) {
  return DictSetItemTake2(dict, key, value);
}

extern "C" int rt_list_extend(PyObject* list, PyObject* iterable) {
  PyObject* none_val = _PyList_Extend(reinterpret_cast<PyListObject*>(list), iterable);
  if (none_val == nullptr) {
    if (PyErr_ExceptionMatches(PyExc_TypeError) && Py_TYPE(iterable)->tp_iter == nullptr &&
        !PySequence_Check(iterable)) {
      PyErr_Clear();
      PyErr_Format(PyExc_TypeError, "Value after * must be an iterable, not %.200s",
                   Py_TYPE(iterable)->tp_name);
    }
    Py_DECREF(iterable);
    return -1;
  }
  Py_DECREF(none_val);
  Py_DECREF(iterable);
  return 0;
}

extern "C" int rt_set_update(PyObject* set, PyObject* iterable) {
  int err = _PySet_Update(set, iterable);
  Py_DECREF(iterable);
  return err < 0 ? -1 : 0;
}

extern "C" int rt_dict_update(PyObject* dict, PyObject* update) {
  if (PyDict_Update(dict, update) < 0) {
    if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
      PyErr_Format(PyExc_TypeError, "'%.200s' object is not a mapping",
                   Py_TYPE(update)->tp_name);
    }
    Py_DECREF(update);
    return -1;
  }
  Py_DECREF(update);
  return 0;
}

extern "C" int rt_dict_merge(PyObject* dict, PyObject* update, PyObject* func) {
  if (_PyDict_MergeEx(dict, update, 2) < 0) {
    pyjion::rt::FormatKwargsError(func, update);
    Py_DECREF(update);
    return -1;
  }
  Py_DECREF(update);
  return 0;
}

// ---- unpacking ---------------------------------------------------------------------------

extern "C" int rt_unpack_sequence(PyObject* seq, int n, PyObject** out) {
  bool ok = UnpackIterable(seq, n, -1, out + n);
  Py_DECREF(seq);
  return ok ? 0 : -1;
}

extern "C" int rt_unpack_ex(PyObject* seq, int before, int after, PyObject** out) {
  bool ok = UnpackIterable(seq, before, after, out + before + 1 + after);
  Py_DECREF(seq);
  return ok ? 0 : -1;
}
