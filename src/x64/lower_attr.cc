// Lowerings of attributes, subscripts and slices:
// BINARY_SUBSCR STORE_SUBSCR DELETE_SUBSCR BUILD_SLICE LOAD_ATTR STORE_ATTR DELETE_ATTR.
//
// Inline fast paths, each behind guards that send everything else to the generic helper:
// - list[int] and tuple[int] loads and list[int] stores on exact types, for one-digit
//   indexes in range (negative ones count from the end); exact dicts are read with
//   PyDict_GetItemWithError, skipping the type dispatch (with a constant str key, first at
//   the entry where the site found it last). Subclasses always take the
//   generic path, which calls PyObject_GetItem as ceval does, borrowing the operands; where
//   the container may be an instance of a Python class, through the site's cache for its
//   __getitem__ / __setitem__ (runtime/helpers_dunder.h), called directly when compiled.
// - LOAD_ATTR / STORE_ATTR through the site's own inline cache (runtime/helpers_attr.h),
//   filled at run time: instance values and __slots__ members inline, the other cached
//   kinds and the full lookup in the helpers.
// Type feedback from the quickened code (Instr::hint) narrows which subscript fast paths are
// emitted; with no feedback all of them are. Guard failures and all other cases call one
// rt_* helper (helpers_containers.h) out of line, which steals the stack operands.
// All but DELETE_SUBSCR, BUILD_SLICE and DELETE_ATTR work on the virtual operand stack.
#include "runtime/helpers_attr.h"
#include "runtime/helpers_containers.h"
#include "runtime/helpers_dunder.h"
#include "x64/lower_common.h"
#include "x64/lowering.h"

namespace pyjion::x64 {
namespace {

using frontend::Hint;
using rt::TypeMethodCache;

// Whether the fast path for `h` is worth emitting: no feedback, or feedback saying h.
bool Want(const Instr& in, Hint h) { return in.hint == Hint::kNone || in.hint == h; }

// The site's cache for a container that may be an instance of a Python class with its own
// __getitem__ / __setitem__ (runtime/helpers_dunder.h): none for constants, nor where the
// interpreter's feedback names a built-in container.
TypeMethodCache* PythonSubscrCache(Lowering& L, const Instr& in, const Value& container) {
  if (container.known_type() != nullptr || in.hint != Hint::kNone) return nullptr;
  return L.caches().New<TypeMethodCache>();
}

}  // namespace

// BINARY_SUBSCR (container, sub -- container[sub]).
// Inline: exact list/tuple with an exact int index; an exact dict through
// PyDict_GetItemWithError. Everything else: PyObject_GetItem, out of line.
void emit_BINARY_SUBSCR(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const Operands o = PopOperands(L);  // l: container, r: subscript
  const Reg res = ResultReg(L, o);
  Label slow = pa.NewLabel(), join = pa.NewLabel(), not_seq = pa.NewLabel();
  TypeMethodCache* dunder = PythonSubscrCache(L, in, o.lv);
  L.Cold([&L, slow, join, o, res, dunder] {
    L.pa().Bind(slow);
    if (dunder != nullptr) {
      CallBorrowing(L, o, PJ_HELPER(rt_binary_subscr_ic), res, {APtr(dunder)});
    } else {
      CallBorrowing(L, o, PJ_HELPER(PyObject_GetItem), res);
    }
    L.pa().Jump(join);
  });
  const bool int_index = CouldBe(o.rv, &PyLong_Type);  // d["key"] needs no sequence paths
  const bool want_list = Want(in, Hint::kList) && int_index && CouldBe(o.lv, &PyList_Type);
  const bool want_tuple = Want(in, Hint::kTuple) && int_index && CouldBe(o.lv, &PyTuple_Type);
  const bool want_dict = Want(in, Hint::kDict) && !KnownType(o.rv, &PyLong_Type) &&
                         CouldBe(o.lv, &PyDict_Type);
  Label have_item = pa.NewLabel();
  if (want_list || want_tuple) {
    GuardType(L, o.rv, o.r, &PyLong_Type, not_seq);
    const std::pair<SeqKind, PyTypeObject*> kinds[] = {{SeqKind::kList, &PyList_Type},
                                                       {SeqKind::kTuple, &PyTuple_Type}};
    for (const auto& [kind, type] : kinds) {
      if (!(kind == SeqKind::kList ? want_list : want_tuple)) continue;
      Label next = pa.NewLabel();
      pa.Comment(kind == SeqKind::kList ? "list[int]" : "tuple[int]");
      pa.GuardExactType(o.l, type, next);
      pa.LoadSeqItem(kind, res, o.l, o.r, slow);
      pa.Jump(have_item);
      pa.Bind(next);
    }
  }
  pa.Bind(not_seq);
  if (want_dict) {
    // With feedback the interpreter runs BINARY_SUBSCR_DICT, which releases the key before
    // the dict, found or not; the generic instruction releases the dict first.
    const bool key_first = in.hint == Hint::kDict;
    Label missing = pa.NewLabel();
    L.Cold([&L, missing, o, key_first] {
      PyAsm& pa = L.pa();
      pa.Bind(missing);
      pa.CallHelper(PJ_HELPER(rt_dict_key_missing), {A(o.r)});
      ReleaseOwned(L, o, key_first);
      pa.Jump(L.ErrorHere());
    });
    pa.Comment("dict[key]");
    pa.GuardExactType(o.l, &PyDict_Type, slow);
    if (KnownType(o.rv, &PyUnicode_Type)) {  // d["name"]: where the site found it last
      auto* hint = L.caches().New<Py_ssize_t>();
      pa.CallHelper(PJ_HELPER(pj_dict_get_str_hinted), {A(o.l), A(o.r), APtr(hint)});
    } else {
      pa.CallHelper(PJ_HELPER(PyDict_GetItemWithError), {A(o.l), A(o.r)});  // borrowed
    }
    pa.BranchIfZero(Reg::kRet, missing);
    pa.Move(res, Reg::kRet);
    pa.IncRef(res);
    ReleaseOwned(L, o, key_first);
    pa.Jump(join);
  } else {
    pa.Jump(slow);
  }
  if (want_list || want_tuple) {
    pa.Bind(have_item);  // a borrowed item: own it, then release the operands
    pa.IncRef(res);
    DropOperands(L, o, res);
  }
  pa.Bind(join);
  L.FreeReg(o.l);
  L.FreeReg(o.r);
  L.PushReg(res);
}

// STORE_SUBSCR (value, container, sub --): container[sub] = value.
// Inline: exact list with an exact int index in range; exact dict through a helper.
void emit_STORE_SUBSCR(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const Operands o = PopOperands(L);  // l: container, r: subscript
  const Value value = L.Pop();
  const Reg val = L.ToReg(value);
  L.OwnValue(value, val);  // the container (or the helper) takes it
  Label slow = pa.NewLabel(), join = pa.NewLabel();
  const bool want_list = Want(in, Hint::kList), want_dict = Want(in, Hint::kDict);
  TypeMethodCache* dunder = PythonSubscrCache(L, in, o.lv);
  L.Cold([&L, slow, join, o, val, dunder] {
    PyAsm& pa = L.pa();
    pa.Bind(slow);
    OwnOperands(L, o);
    if (dunder != nullptr) {
      pa.CallHelper(PJ_HELPER(rt_store_subscr_ic), {A(val), A(o.l), A(o.r), APtr(dunder)});
    } else {
      pa.CallHelper(PJ_HELPER(rt_store_subscr), {A(val), A(o.l), A(o.r)});
    }
    pa.BranchIfNegative32(Reg::kRet, L.ErrorHere());
    pa.Jump(join);
  });
  if (want_list) {
    Label not_list = pa.NewLabel();
    pa.Comment("list[int] = value");
    GuardType(L, o.rv, o.r, &PyLong_Type, not_list);
    pa.GuardExactType(o.l, &PyList_Type, not_list);
    pa.ExchangeListItem(o.l, o.r, val, slow);
    pa.DecRef(val);  // the replaced item
    DropOperands(L, o, o.l);
    pa.Jump(join);
    pa.Bind(not_list);
  }
  if (want_dict && !KnownType(o.rv, &PyLong_Type)) {
    pa.Comment("dict[key] = value");
    pa.GuardExactType(o.l, &PyDict_Type, slow);
    OwnOperands(L, o);
    // with feedback the interpreter runs STORE_SUBSCR_DICT (_PyDict_SetItem_Take2, then the
    // dict); without, the generic STORE_SUBSCR (value, dict, key)
    pa.CallHelper(in.hint == Hint::kDict ? PJ_HELPER(rt_store_subscr_dict_specialised)
                                         : PJ_HELPER(rt_store_subscr_dict),
                  {A(val), A(o.l), A(o.r)});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorHere());
  } else {
    pa.Jump(slow);
  }
  pa.Bind(join);
  L.FreeReg(o.l);
  L.FreeReg(o.r);
  L.FreeReg(val);
}

// DELETE_SUBSCR (container, sub --): del container[sub].
void emit_DELETE_SUBSCR(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_delete_subscr), {AValue(L.Top(1)), AValue(L.Top(0))});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 2));
}

// BUILD_SLICE (start, stop[, step] -- slice); oparg 2 or 3. With two bounds and a
// BINARY_SUBSCR next (x[a:b]), both in one call that makes no slice for the built-in
// sequences (rt_subscr_slice); its failures are the subscript's.
void emit_BUILD_SLICE(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const int n = in.oparg == 3 ? 3 : 2;
  const Instr* next = L.PeekNext();
  if (n == 2 && next != nullptr && next->opcode == frontend::BINARY_SUBSCR) {
    L.FuseNext();
    L.SetPrevInstrUnit(next->index);
    pa.CallHelper(PJ_HELPER(rt_subscr_slice),
                  {AValue(L.Top(2)), AValue(L.Top(1)), AValue(L.Top(0))});
    pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 3));
    pa.Store(L.Top(2), Reg::kRet);
    return;
  }
  pa.CallHelper(PJ_HELPER(rt_build_slice),
                {AValue(L.Top(n - 1)), AValue(L.Top(n - 2)), n == 3 ? AValue(L.Top(0)) : AImm(0)});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - n));
  pa.Store(L.Top(n - 1), Reg::kRet);
}

// LOAD_ATTR (owner -- owner.name); name = co_names[oparg].
// Inline: the site's cache (rt::AttrCache) for an instance value or a __slots__ member of
// the receiver's type; out of line, its newest module entry (`os.path`); anything else
// (other receivers, properties, classes, a mutated type or module) goes through
// rt_load_attr_ic, which checks the other cached entries, does the full lookup on a miss
// and refills the cache.
void emit_LOAD_ATTR(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  auto* cache = L.caches().New<rt::AttrCache>();
  cache->name = L.Name(in.oparg);
  const Value owner = L.Pop();
  const Reg obj = L.ToReg(owner);
  const Reg res = L.AcquireReg();
  Label miss = pa.NewLabel(), join = pa.NewLabel();
  pa.Comment("cached attribute");
  pa.LoadAttrInline(res, obj, cache, miss);
  pa.IncRef(res);
  if (owner.owned()) pa.DecRef(obj);
  pa.Bind(join);
  L.Cold([&L, miss, join, owner, obj, res, cache] {
    PyAsm& pa = L.pa();
    pa.Bind(miss);
    Label helper = pa.NewLabel();
    pa.LoadModuleAttrInline(res, obj, cache, helper);
    pa.IncRef(res);
    if (owner.owned()) pa.DecRef(obj);
    pa.Jump(join);
    pa.Bind(helper);
    L.OwnValue(owner, obj);  // the helper steals it
    pa.CallHelper(PJ_HELPER(rt_load_attr_ic), {ATstate(), A(obj), APtr(cache)});
    pa.BranchIfZero(Reg::kRet, L.ErrorHere());
    pa.Move(res, Reg::kRet);
    pa.Jump(join);
  });
  L.FreeReg(obj);
  L.PushReg(res);
}

// STORE_ATTR (value, owner --): owner.name = value. Inline: the site's cache for an
// instance value that is already set, or a __slots__ member; else rt_store_attr_ic.
void emit_STORE_ATTR(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  auto* cache = L.caches().New<rt::AttrCache>();
  cache->name = L.Name(in.oparg);
  const Value owner = L.Pop();
  const Value value = L.Pop();
  const Reg obj = L.ToReg(owner);
  const Reg val = L.ToReg(value);
  L.OwnValue(value, val);  // the attribute (or the helper) takes this reference
  Label miss = pa.NewLabel(), join = pa.NewLabel();
  pa.Comment("cached attribute store");
  pa.StoreAttrInline(obj, val, Reg::kRet, cache, miss);
  pa.XDecRef(Reg::kRet);  // the replaced value
  if (owner.owned()) pa.DecRef(obj);
  pa.Bind(join);
  L.Cold([&L, miss, join, owner, obj, val, cache] {
    PyAsm& pa = L.pa();
    pa.Bind(miss);
    L.OwnValue(owner, obj);
    pa.CallHelper(PJ_HELPER(rt_store_attr_ic), {A(val), A(obj), APtr(cache)});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorHere());
    pa.Jump(join);
  });
  L.FreeReg(obj);
  L.FreeReg(val);
}

// DELETE_ATTR (owner --): del owner.name.
void emit_DELETE_ATTR(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_delete_attr), {AValue(L.Top(0)), APtr(L.Name(in.oparg))});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 1));
}

}  // namespace pyjion::x64
