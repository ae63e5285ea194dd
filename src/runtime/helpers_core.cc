// Core runtime helpers: exception unwinding, unbound locals, operators, truth tests and
// iteration. Semantics follow CPython 3.11's Python/ceval.c; see helpers.h for the
// ownership convention (stack operands are stolen).
#include "runtime/helpers.h"

namespace pyjion::rt {

void FormatExcCheckArg(PyThreadState* tstate, PyObject* exc, const char* fmt, PyObject* name) {
  if (name == nullptr) return;
  const char* name_str = PyUnicode_AsUTF8(name);
  if (name_str == nullptr) return;
  PyErr_Format(exc, fmt, name_str);
  if (exc != PyExc_NameError) return;
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  if (PyErr_GivenExceptionMatches(value, PyExc_NameError)) {
    auto* ne = reinterpret_cast<PyNameErrorObject*>(value);
    if (ne->name == nullptr) (void)PyObject_SetAttrString(value, "name", name);
  }
  PyErr_Restore(type, value, tb);
}

// ceval's format_kwargs_error (CALL_FUNCTION_EX, DICT_MERGE): turns the AttributeError of a
// non-mapping and the KeyError of a duplicate key from _PyDict_MergeEx into TypeErrors.
void FormatKwargsError(PyObject* func, PyObject* kwargs) {
  if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
    PyErr_Clear();
    PyObject* funcstr = _PyObject_FunctionStr(func);
    if (funcstr != nullptr) {
      PyErr_Format(PyExc_TypeError, "%U argument after ** must be a mapping, not %.200s",
                   funcstr, Py_TYPE(kwargs)->tp_name);
      Py_DECREF(funcstr);
    }
  } else if (PyErr_ExceptionMatches(PyExc_KeyError)) {
    PyObject *exc, *val, *tb;
    PyErr_Fetch(&exc, &val, &tb);
    if (val != nullptr && PyTuple_Check(val) && PyTuple_GET_SIZE(val) == 1) {
      PyErr_Clear();
      PyObject* funcstr = _PyObject_FunctionStr(func);
      if (funcstr != nullptr) {
        PyObject* key = PyTuple_GET_ITEM(val, 0);
        PyErr_Format(PyExc_TypeError, "%U got multiple values for keyword argument '%S'",
                     funcstr, key);
        Py_DECREF(funcstr);
      }
      Py_XDECREF(exc);
      Py_XDECREF(val);
      Py_XDECREF(tb);
    } else {
      PyErr_Restore(exc, val, tb);
    }
  }
}

namespace {

// The words after an iterator's object header.
const Py_ssize_t* Fields(PyObject* it) {
  return reinterpret_cast<const Py_ssize_t*>(reinterpret_cast<const char*>(it) + sizeof(PyObject));
}

// A list or tuple iterator (of the sequence Py_BuildValue makes from fmt, two ints 1, 2):
// index then sequence after the header, the index moving on by one step.
bool ProbeSeqIter(const char* fmt, PyTypeObject* iter_type) {
  PyObject* seq = Py_BuildValue(fmt, 1, 2);
  PyObject* it = seq != nullptr ? PyObject_GetIter(seq) : nullptr;
  bool ok = false;
  if (it != nullptr && Py_IS_TYPE(it, iter_type) && Fields(it)[0] == 0 &&
      Fields(it)[1] == reinterpret_cast<Py_ssize_t>(seq)) {
    PyObject* first = PyIter_Next(it);
    ok = first != nullptr && PyLong_AsLong(first) == 1 && Fields(it)[0] == 1;
    Py_XDECREF(first);
  }
  Py_XDECREF(it);
  Py_XDECREF(seq);
  PyErr_Clear();
  return ok;
}

bool ProbeRangeIter() {
  PyObject* range = PyObject_CallFunction(reinterpret_cast<PyObject*>(&PyRange_Type), "iii", 7, 100, 3);
  PyObject* it = range != nullptr ? PyObject_GetIter(range) : nullptr;
  bool ok = false;
  if (it != nullptr && Py_IS_TYPE(it, &PyRangeIter_Type)) {
    const Py_ssize_t* f = Fields(it);
    if (f[0] == 0 && f[1] == 7 && f[2] == 3 && f[3] == 31) {
      PyObject* first = PyIter_Next(it);
      ok = first != nullptr && PyLong_AsLong(first) == 7 && f[0] == 1;
      Py_XDECREF(first);
    }
  }
  Py_XDECREF(it);
  Py_XDECREF(range);
  PyErr_Clear();
  return ok;
}

}  // namespace

bool ListIterLayoutKnown() {
  static const bool known = ProbeSeqIter("[ii]", &PyListIter_Type);
  return known;
}

bool TupleIterLayoutKnown() {
  static const bool known = ProbeSeqIter("(ii)", &PyTupleIter_Type);
  return known;
}

bool RangeIterLayoutKnown() {
  static const bool known = ProbeRangeIter();
  return known;
}

}  // namespace pyjion::rt

using namespace pyjion;

static inline PyObject** StackBase(PjFrame* frame) {
  return frame->localsplus + frame->f_code->co_nlocalsplus;
}

extern "C" int rt_unwind(PyThreadState* tstate, PjFrame* frame, int depth, int level,
                         int lasti, int traceback) {
  if (traceback) {
    // ceval's `error:` (release builds): a failure without an exception becomes a
    // SystemError rather than a NULL exception pushed for the handler.
    if (!PyErr_Occurred()) {
      PyErr_SetString(PyExc_SystemError, "error return without exception set");
    }
    pj_add_traceback(tstate, frame);
  }
  PyObject** base = StackBase(frame);
  const int keep = level < 0 ? 0 : level;
  for (int i = depth - 1; i >= keep; --i) Py_CLEAR(base[i]);
  if (level < 0) return -1;
  int top = keep;
  if (lasti) {
    const long offset = static_cast<long>(frame->prev_instr - reinterpret_cast<uint16_t*>(
                                                                   _PyCode_CODE(frame->f_code)));
    PyObject* lasti_obj = PyLong_FromLong(offset);
    if (lasti_obj == nullptr) {  // cannot reach the handler: leave the frame
      for (int i = keep - 1; i >= 0; --i) Py_CLEAR(base[i]);
      return -1;
    }
    base[top++] = lasti_obj;
  }
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  PyException_SetTraceback(value, tb != nullptr ? tb : Py_None);
  Py_XDECREF(tb);
  Py_XDECREF(type);
  base[top] = value;
  return 0;
}

extern "C" int rt_unbound_local(PyThreadState* tstate, PjFrame* frame, int index) {
  PyObject* name = PyTuple_GET_ITEM(frame->f_code->co_localsplusnames, index);
  rt::FormatExcCheckArg(tstate, PyExc_UnboundLocalError, rt::kUnboundLocalMsg, name);
  return -1;
}

namespace {

PyObject* Steal1(PyObject* result, PyObject* a) {
  Py_DECREF(a);
  return result;
}

}  // namespace

extern "C" PyObject* rt_power(PyObject* a, PyObject* b) { return PyNumber_Power(a, b, Py_None); }
extern "C" PyObject* rt_inplace_power(PyObject* a, PyObject* b) {
  return PyNumber_InPlacePower(a, b, Py_None);
}

extern "C" PyObject* rt_unicode_inplace_add(PyObject** local, PyObject* rhs) {
  PyObject* lhs = *local;
  *local = nullptr;
  PyUnicode_Append(&lhs, rhs);
  Py_DECREF(rhs);
  return lhs;
}

extern "C" long rt_is_true(PyObject* obj) {
  int r = PyObject_IsTrue(obj);
  Py_DECREF(obj);
  return r;
}

extern "C" PyObject* rt_contains_op(PyObject* item, PyObject* container, int invert) {
  int r = rt_contains_op_bool(item, container, invert);
  if (r < 0) return nullptr;
  return Py_NewRef(r ? Py_True : Py_False);
}

extern "C" long rt_contains_op_bool(PyObject* item, PyObject* container, int invert) {
  int r = PySequence_Contains(container, item);
  Py_DECREF(item);
  Py_DECREF(container);
  if (r < 0) return -1;
  return r ^ invert;
}

extern "C" PyObject* rt_unary_positive(PyObject* v) { return Steal1(PyNumber_Positive(v), v); }
extern "C" PyObject* rt_unary_negative(PyObject* v) { return Steal1(PyNumber_Negative(v), v); }
extern "C" PyObject* rt_unary_invert(PyObject* v) { return Steal1(PyNumber_Invert(v), v); }
extern "C" PyObject* rt_unary_not(PyObject* v) {
  int r = rt_is_true(v);
  if (r < 0) return nullptr;
  return Py_NewRef(r ? Py_False : Py_True);
}

extern "C" PyObject* rt_get_iter(PyObject* iterable) {
  return Steal1(PyObject_GetIter(iterable), iterable);
}

extern "C" int rt_for_iter_end(PyThreadState* tstate) {
  if (PyErr_Occurred()) {
    if (!PyErr_ExceptionMatches(PyExc_StopIteration)) return -1;
    PyErr_Clear();
  }
  return 0;
}

extern "C" long rt_is_true_borrowed(PyObject* obj) { return PyObject_IsTrue(obj); }
