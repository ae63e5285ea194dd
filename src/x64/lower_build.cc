// Lowerings of building and unpacking containers, f-strings:
// BUILD_TUPLE BUILD_LIST BUILD_SET BUILD_MAP BUILD_CONST_KEY_MAP BUILD_STRING LIST_APPEND
// SET_ADD MAP_ADD LIST_EXTEND SET_UPDATE DICT_UPDATE DICT_MERGE LIST_TO_TUPLE FORMAT_VALUE
// UNPACK_SEQUENCE UNPACK_EX.
//
// Builders hand the helper the address of their deepest operand (the items stay in the
// frame, owned, until the helper takes them) and store the result in that same slot. The
// *_APPEND/*_ADD/*_EXTEND/*_UPDATE family adds to a container that stays deeper in the stack
// (comprehensions, displays), at PEEK(oparg) once the added operands are popped.
// Inline fast paths: UNPACK_SEQUENCE of an exact tuple/list of the right length, and
// FORMAT_VALUE of an exact str with no conversion and no spec (which is a no-op).
#include "runtime/helpers_containers.h"
#include "x64/lowering.h"

namespace pyjion::x64 {
namespace {

using frontend::Hint;

// (items[n] -- result) through fn(items, n), the items materialised in their slots; on
// failure the items are gone.
void EmitBuild(Lowering& L, const Helper& fn, int n) {
  PyAsm& pa = L.pa();
  const int first = L.sp() - n;
  L.FlushFrom(first);
  pa.CallHelper(fn, {AAddress(L.Stack(first)), AImm(n)});
  for (int i = 0; i < n; ++i) L.Pop();
  pa.BranchIfZero(Reg::kRet, L.ErrorHere());
  const Reg r = L.AcquireReg();
  pa.Move(r, Reg::kRet);
  L.PushReg(r);
}

// (container, <oparg-1 items>, operand -- container, <oparg-1 items>) through
// fn(container borrowed, operand stolen).
void EmitAddTo(Lowering& L, const Helper& fn, int oparg) {
  PyAsm& pa = L.pa();
  pa.CallHelper(fn, {AValue(L.Top(oparg)), AValue(L.Top(0))});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 1));
}

// Longest tuple/list unpacked inline; longer ones go through the helper only.
constexpr int kMaxInlineUnpack = 16;

}  // namespace

// BUILD_TUPLE / BUILD_LIST / BUILD_SET / BUILD_STRING (item0, ..., item[n-1] -- result)
void emit_BUILD_TUPLE(Lowering& L, const Instr& in) {
  EmitBuild(L, PJ_HELPER(rt_build_tuple), in.oparg);
}
void emit_BUILD_LIST(Lowering& L, const Instr& in) {
  EmitBuild(L, PJ_HELPER(rt_build_list), in.oparg);
}
void emit_BUILD_SET(Lowering& L, const Instr& in) {
  EmitBuild(L, PJ_HELPER(rt_build_set), in.oparg);
}
void emit_BUILD_STRING(Lowering& L, const Instr& in) {
  EmitBuild(L, PJ_HELPER(rt_build_string), in.oparg);
}

// BUILD_MAP (k0, v0, ..., k[n-1], v[n-1] -- dict)
void emit_BUILD_MAP(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const Slot first = L.Stack(L.depth() - 2 * in.oparg);
  pa.CallHelper(PJ_HELPER(rt_build_map), {AAddress(first), AImm(in.oparg)});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 2 * in.oparg));
  pa.Store(first, Reg::kRet);
}

// BUILD_CONST_KEY_MAP (v0, ..., v[n-1], keys -- dict)
void emit_BUILD_CONST_KEY_MAP(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const Slot first = L.Stack(L.depth() - 1 - in.oparg);
  pa.CallHelper(PJ_HELPER(rt_build_const_key_map),
                {AAddress(first), AValue(L.Top(0)), AImm(in.oparg)});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 1 - in.oparg));
  pa.Store(first, Reg::kRet);
}

// LIST_APPEND / SET_ADD / LIST_EXTEND / SET_UPDATE / DICT_UPDATE
// (container, <oparg-1 items>, operand -- container, <oparg-1 items>)
// LIST_APPEND (list, <oparg-1 items>, value -- list, <oparg-1 items>): inline while the
// list has room (as _PyList_AppendTakeRef), else rt_list_append. The list is an owned item
// deeper in the stack (comprehensions keep it in its slot).
void emit_LIST_APPEND(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const Value v = L.Pop();
  const Reg val = L.ToReg(v);
  L.OwnValue(v, val);  // the list takes it
  const Reg list = L.AcquireReg();
  L.LoadValue(list, L.Peek(in.oparg - 1));
  Label full = pa.NewLabel(), join = pa.NewLabel();
  L.Cold([&L, full, join, list, val] {
    PyAsm& pa = L.pa();
    pa.Bind(full);
    pa.CallHelper(PJ_HELPER(rt_list_append), {A(list), A(val)});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorHere());
    pa.Jump(join);
  });
  pa.ListAppendInline(list, val, full);
  pa.Bind(join);
  L.FreeReg(list);
  L.FreeReg(val);
}
void emit_SET_ADD(Lowering& L, const Instr& in) {
  EmitAddTo(L, PJ_HELPER(rt_set_add), in.oparg);
}
void emit_LIST_EXTEND(Lowering& L, const Instr& in) {
  EmitAddTo(L, PJ_HELPER(rt_list_extend), in.oparg);
}
void emit_SET_UPDATE(Lowering& L, const Instr& in) {
  EmitAddTo(L, PJ_HELPER(rt_set_update), in.oparg);
}
void emit_DICT_UPDATE(Lowering& L, const Instr& in) {
  EmitAddTo(L, PJ_HELPER(rt_dict_update), in.oparg);
}

// MAP_ADD (dict, ..., key, value -- dict, ...): the dict is PEEK(oparg) after the pops.
void emit_MAP_ADD(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_map_add),
                {AValue(L.Top(in.oparg + 1)), AValue(L.Top(1)), AValue(L.Top(0))});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 2));
}

// DICT_MERGE (func, args, dict, ..., update -- func, args, dict, ...): the errors name the
// callable of the coming CALL_FUNCTION_EX, PEEK(2 + oparg) after the pop.
void emit_DICT_MERGE(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_dict_merge),
                {AValue(L.Top(in.oparg)), AValue(L.Top(0)), AValue(L.Top(in.oparg + 2))});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 1));
}

// LIST_TO_TUPLE (list -- tuple)
void emit_LIST_TO_TUPLE(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_list_to_tuple), {AValue(L.Top(0))});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 1));
  pa.Store(L.Top(0), Reg::kRet);
}

// FORMAT_VALUE (value[, spec] -- str); oparg & 3 = conversion (none, !s, !r, !a), oparg & 4
// = a format spec is on the stack. An exact str with neither is already the result.
void emit_FORMAT_VALUE(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const int conversion = in.oparg & 3;
  const bool have_spec = (in.oparg & 4) != 0;
  if (conversion == 0 && !have_spec) {
    Label slow = pa.NewLabel(), join = pa.NewLabel();
    pa.Load(Reg::kKeep0, L.Top(0));
    pa.GuardExactType(Reg::kKeep0, &PyUnicode_Type, slow);
    pa.Bind(join);
    L.Cold([&L, slow, join] {
      PyAsm& pa = L.pa();
      pa.Bind(slow);
      pa.CallHelper(PJ_HELPER(rt_format_value), {A(Reg::kKeep0), AImm(0), AImm(0)});
      pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 1));
      pa.Store(L.Top(0), Reg::kRet);
      pa.Jump(join);
    });
    return;
  }
  const int value_k = have_spec ? 1 : 0;
  pa.CallHelper(PJ_HELPER(rt_format_value),
                {AValue(L.Top(value_k)), have_spec ? AValue(L.Top(0)) : AImm(0), AImm(conversion)});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 1 - value_k));
  pa.Store(L.Top(value_k), Reg::kRet);
}

// UNPACK_SEQUENCE (seq -- item[n-1], ..., item[0]): item 0 ends on top, the items in
// their slots. Inline: an exact tuple/list of exactly n items; anything else: ceval's
// unpack_iterable.
void emit_UNPACK_SEQUENCE(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const int n = in.oparg;
  const Value seq = L.Pop();
  const Reg r = L.ToReg(seq);
  const int first = L.sp();
  Label slow = pa.NewLabel(), join = pa.NewLabel();
  L.Cold([&L, slow, join, n, seq, r, first] {
    PyAsm& pa = L.pa();
    pa.Bind(slow);
    L.OwnValue(seq, r);  // the helper steals it
    pa.CallHelper(PJ_HELPER(rt_unpack_sequence), {A(r), AImm(n), AAddress(L.Stack(first))});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorHere());
    pa.Jump(join);
  });
  const bool want_tuple = in.hint == Hint::kNone || in.hint == Hint::kTuple;
  const bool want_list = in.hint == Hint::kNone || in.hint == Hint::kList;
  if (n <= kMaxInlineUnpack && (want_tuple || want_list)) {
    Label done = pa.NewLabel();
    if (want_tuple) {
      Label next = want_list ? pa.NewLabel() : slow;
      pa.Comment("unpack exact tuple");
      pa.GuardExactType(r, &PyTuple_Type, next);
      pa.UnpackSeqToSlots(SeqKind::kTuple, r, n, L.Stack(first), slow);
      if (want_list) {
        pa.Jump(done);
        pa.Bind(next);
      }
    }
    if (want_list) {
      pa.Comment("unpack exact list");
      pa.GuardExactType(r, &PyList_Type, slow);
      pa.UnpackSeqToSlots(SeqKind::kList, r, n, L.Stack(first), slow);
    }
    pa.Bind(done);
    if (seq.owned()) pa.DecRef(r);
  } else {
    pa.Jump(slow);
  }
  pa.Bind(join);
  L.FreeReg(r);
  for (int j = 0; j < n; ++j) L.Push(Value::Slot(first + j));
}

// UNPACK_EX (seq -- after items, list, before items); oparg = before | after << 8.
void emit_UNPACK_EX(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_unpack_ex),
                {AValue(L.Top(0)), AImm(in.oparg & 0xff), AImm(in.oparg >> 8), AAddress(L.Top(0))});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 1));
}

}  // namespace pyjion::x64
