// rt_for_iter_pair (runtime/helpers_iter.h): CPython 3.11's enum_next, dictiter_iternextitem
// and zip_next (two iterators, not strict) with the pair written into UNPACK_SEQUENCE's
// slots instead of returned in a tuple. Each keeps its iterator's reusable result tuple
// exactly as its tp_iternext leaves it (refilled when nothing else holds it), so objects die
// at the same moments as in the interpreter. The iterators' structs are private to
// CPython; their layouts are mirrored here and checked at start-up, as is the dict key and
// value iterators' that FOR_ITER steps inline (DictIterLayoutKnown).
#include "runtime/helpers_iter.h"

#include "runtime/helpers.h"

namespace {

struct EnumObject {  // Objects/enumobject.c
  PyObject_HEAD
  Py_ssize_t en_index;
  PyObject* en_sit;
  PyObject* en_result;
  PyObject* en_longindex;
};

struct DictIterObject {  // Objects/dictobject.c
  PyObject_HEAD
  PyDictObject* di_dict;  // NULL once exhausted
  Py_ssize_t di_used;
  Py_ssize_t di_pos;
  PyObject* di_result;
  Py_ssize_t len;
};

struct ZipObject {  // Python/bltinmodule.c
  PyObject_HEAD
  Py_ssize_t tuplesize;
  PyObject* ittuple;
  PyObject* result;
  int strict;
};

struct SeqIterObject {  // list and tuple iterators (Objects/listobject.c, tupleobject.c)
  PyObject_HEAD
  Py_ssize_t it_index;
  PyObject* it_seq;  // NULL once exhausted
};

struct GcHead {  // PyGC_Head (internal/pycore_gc.h), just before a GC object
  uintptr_t gc_next;  // 0: not tracked
  uintptr_t gc_prev;
};

// _PyObject_GC_IS_TRACKED.
bool IsTracked(PyObject* o) { return (reinterpret_cast<GcHead*>(o) - 1)->gc_next != 0; }

// The next item of a source iterator (a new reference), or NULL: tp_iternext, with list and
// tuple iterators that have an item left stepped here (listiter_next, tupleiter_next).
PyObject* NextOf(PyObject* it) {
  PyTypeObject* tp = Py_TYPE(it);
  if (tp == &PyListIter_Type || tp == &PyTupleIter_Type) {
    auto* si = reinterpret_cast<SeqIterObject*>(it);
    PyObject* seq = si->it_seq;
    if (seq != nullptr) {
      const bool list = tp == &PyListIter_Type;
      if (si->it_index < (list ? PyList_GET_SIZE(seq) : PyTuple_GET_SIZE(seq))) {
        PyObject* item = list ? PyList_GET_ITEM(seq, si->it_index) : PyTuple_GET_ITEM(seq, si->it_index);
        si->it_index++;
        return Py_NewRef(item);
      }
    }
  }
  return (*tp->tp_iternext)(it);
}

// The pair in UNPACK_SEQUENCE 2's order: the first item ends on top.
void WritePair(PyObject** slots, PyObject* first, PyObject* second) {
  slots[0] = second;
  slots[1] = first;
}

// A reusable result tuple that nothing else holds takes first and second (stolen), as the
// iterators' tp_iternext refill it, the old items released after; the slots get new
// references. Otherwise the slots take first and second (the tuple the iterator would make
// dies in UNPACK_SEQUENCE, leaving its items there).
void Deliver(PyObject* result, PyObject* first, PyObject* second, PyObject** slots) {
  if (Py_REFCNT(result) == 1) {
    PyObject* old_first = PyTuple_GET_ITEM(result, 0);
    PyObject* old_second = PyTuple_GET_ITEM(result, 1);
    PyTuple_SET_ITEM(result, 0, first);
    PyTuple_SET_ITEM(result, 1, second);
    WritePair(slots, Py_NewRef(first), Py_NewRef(second));
    Py_DECREF(old_first);
    Py_DECREF(old_second);
    if (!IsTracked(result)) PyObject_GC_Track(result);  // bpo-42536
    return;
  }
  WritePair(slots, first, second);
}

// enum_next. en_index at PY_SSIZE_T_MAX (counting on in en_longindex) is enum_next's.
long EnumNext(EnumObject* en, PyObject** slots) {
  if (en->en_index == PY_SSIZE_T_MAX) return -1;
  PyObject* item = NextOf(en->en_sit);
  if (item == nullptr) return 0;
  PyObject* index = PyLong_FromSsize_t(en->en_index);
  if (index == nullptr) {
    Py_DECREF(item);
    return 0;
  }
  en->en_index++;
  Deliver(en->en_result, index, item, slots);
  return 1;
}

// dictiter_iternextitem while the dict is unchanged and has items left; its end and its
// errors (size or keys changed) are its own.
long DictItemsNext(DictIterObject* di, PyObject** slots) {
  PyDictObject* d = di->di_dict;
  if (d == nullptr || di->di_used != d->ma_used || di->len == 0) return -1;
  Py_ssize_t pos = di->di_pos;
  PyObject *key, *value;
  if (!_PyDict_Next(reinterpret_cast<PyObject*>(d), &pos, &key, &value, nullptr)) return -1;
  di->di_pos = pos;
  di->len--;
  Deliver(di->di_result, Py_NewRef(key), Py_NewRef(value), slots);
  return 1;
}

// zip_next for two iterators, not strict (strict's length errors are zip_next's). As there,
// a reused result takes each item as it comes, releasing the one it held.
long ZipNext(ZipObject* lz, PyObject** slots) {
  if (lz->tuplesize != 2 || lz->strict) return -1;
  PyObject* result = lz->result;
  const bool reuse = Py_REFCNT(result) == 1;
  if (reuse) Py_INCREF(result);  // as zip_next: held while the sources run
  for (int i = 0; i < 2; ++i) {
    PyObject* item = NextOf(PyTuple_GET_ITEM(lz->ittuple, i));
    if (item == nullptr) {
      // reused, the result keeps the first item; else the fresh tuple zip_next made dies
      if (i == 1) Py_DECREF(slots[1]);
      if (reuse) Py_DECREF(result);
      return 0;
    }
    slots[1 - i] = item;  // UNPACK_SEQUENCE's order: the first item on top
    if (reuse) {
      PyObject* old = PyTuple_GET_ITEM(result, i);
      PyTuple_SET_ITEM(result, i, Py_NewRef(item));
      Py_DECREF(old);
    }
  }
  if (reuse) {
    if (!IsTracked(result)) PyObject_GC_Track(result);
    Py_DECREF(result);
  }
  return 1;
}

// Whether a fresh iterator of each kind shows the fields where the mirrors put them, and
// one step moves them as expected.
bool ProbeGcHead() {
  PyObject* list = PyList_New(0);
  bool ok = list != nullptr && PyObject_GC_IsTracked(list) && IsTracked(list);
  if (ok) {
    PyObject_GC_UnTrack(list);
    ok = !IsTracked(list);
    PyObject_GC_Track(list);
  }
  Py_XDECREF(list);
  PyErr_Clear();
  return ok;
}

bool ProbeEnum() {
  PyObject* list = Py_BuildValue("[ii]", 5, 6);
  PyObject* en = list != nullptr ? PyObject_CallOneArg(reinterpret_cast<PyObject*>(&PyEnum_Type), list)
                                 : nullptr;
  bool ok = false;
  if (en != nullptr && Py_IS_TYPE(en, &PyEnum_Type)) {
    auto* e = reinterpret_cast<EnumObject*>(en);
    if (e->en_index == 0 && e->en_sit != nullptr && Py_IS_TYPE(e->en_sit, &PyListIter_Type) &&
        e->en_result != nullptr && PyTuple_CheckExact(e->en_result) &&
        PyTuple_GET_SIZE(e->en_result) == 2 && e->en_longindex == nullptr) {
      PyObject* first = PyIter_Next(en);
      ok = first == e->en_result && e->en_index == 1;
      Py_XDECREF(first);
    }
  }
  Py_XDECREF(en);
  Py_XDECREF(list);
  PyErr_Clear();
  return ok;
}

// A dict iterator (`iter(d)`, `iter(d.values())`, `iter(d.items())`) of a two-item dict:
// dict, used, position, remaining length and result (a pair for items, else NULL) where
// the mirror has them, one step moving position and length on (and giving the reused
// result, for items). FOR_ITER steps key and value iterators inline (DictIterNext).
enum class DictView { kKeys, kValues, kItems };
bool ProbeDictIter(DictView view_kind) {
  static PyTypeObject* const kTypes[] = {&PyDictIterKey_Type, &PyDictIterValue_Type,
                                         &PyDictIterItem_Type};
  const bool items = view_kind == DictView::kItems;
  PyObject* dict = Py_BuildValue("{iiii}", 1, 2, 3, 4);
  PyObject* view = dict == nullptr                   ? nullptr
                   : view_kind == DictView::kKeys   ? Py_NewRef(dict)
                   : items ? PyObject_CallMethod(dict, "items", nullptr)
                           : PyObject_CallMethod(dict, "values", nullptr);
  PyObject* it = view != nullptr ? PyObject_GetIter(view) : nullptr;
  bool ok = false;
  if (it != nullptr && Py_IS_TYPE(it, kTypes[static_cast<int>(view_kind)])) {
    auto* di = reinterpret_cast<DictIterObject*>(it);
    const bool result_ok = items ? di->di_result != nullptr && PyTuple_CheckExact(di->di_result) &&
                                       PyTuple_GET_SIZE(di->di_result) == 2
                                 : di->di_result == nullptr;
    if (di->di_dict == reinterpret_cast<PyDictObject*>(dict) && di->di_used == 2 &&
        di->di_pos == 0 && di->len == 2 && result_ok) {
      PyObject* first = PyIter_Next(it);
      const bool item_ok = items ? first == di->di_result
                                 : first != nullptr &&
                                       PyLong_AsLong(first) == (view_kind == DictView::kValues ? 2 : 1);
      ok = item_ok && di->di_pos == 1 && di->len == 1;
      Py_XDECREF(first);
    }
  }
  Py_XDECREF(it);
  Py_XDECREF(view);
  Py_XDECREF(dict);
  PyErr_Clear();
  return ok;
}

bool ProbeZip() {
  PyObject* a = Py_BuildValue("[ii]", 1, 2);
  PyObject* b = Py_BuildValue("(ii)", 3, 4);
  PyObject* zip = a != nullptr && b != nullptr
                      ? PyObject_CallFunctionObjArgs(reinterpret_cast<PyObject*>(&PyZip_Type), a, b, nullptr)
                      : nullptr;
  bool ok = false;
  if (zip != nullptr && Py_IS_TYPE(zip, &PyZip_Type)) {
    auto* z = reinterpret_cast<ZipObject*>(zip);
    if (z->tuplesize == 2 && z->ittuple != nullptr && PyTuple_CheckExact(z->ittuple) &&
        PyTuple_GET_SIZE(z->ittuple) == 2 && Py_IS_TYPE(PyTuple_GET_ITEM(z->ittuple, 0), &PyListIter_Type) &&
        Py_IS_TYPE(PyTuple_GET_ITEM(z->ittuple, 1), &PyTupleIter_Type) && z->result != nullptr &&
        PyTuple_CheckExact(z->result) && PyTuple_GET_SIZE(z->result) == 2 && z->strict == 0) {
      PyObject* first = PyIter_Next(zip);
      ok = first == z->result;
      Py_XDECREF(first);
    }
  }
  Py_XDECREF(zip);
  Py_XDECREF(b);
  Py_XDECREF(a);
  PyErr_Clear();
  return ok;
}

}  // namespace

extern "C" long rt_for_iter_pair(PyObject* iter, PyObject** slots) {
  PyTypeObject* tp = Py_TYPE(iter);
  if (tp == &PyEnum_Type) return EnumNext(reinterpret_cast<EnumObject*>(iter), slots);
  if (tp == &PyDictIterItem_Type) return DictItemsNext(reinterpret_cast<DictIterObject*>(iter), slots);
  if (tp == &PyZip_Type) return ZipNext(reinterpret_cast<ZipObject*>(iter), slots);
  return -1;
}

namespace pyjion::rt {
bool PairIterLayoutsKnown() {
  // NextOf steps list and tuple iterators as FOR_ITER's inline paths do
  static const bool known = ListIterLayoutKnown() && TupleIterLayoutKnown() && ProbeGcHead() &&
                            ProbeEnum() && ProbeDictIter(DictView::kItems) && ProbeZip();
  return known;
}

bool DictIterLayoutKnown() {
  static const bool known = ProbeDictIter(DictView::kKeys) && ProbeDictIter(DictView::kValues);
  return known;
}
}  // namespace pyjion::rt
