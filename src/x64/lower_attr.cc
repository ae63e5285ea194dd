// Lowerings of attributes, subscripts and slices:
// BINARY_SUBSCR STORE_SUBSCR DELETE_SUBSCR BUILD_SLICE LOAD_ATTR STORE_ATTR DELETE_ATTR.
//
// Inline fast paths, each behind guards that send everything else to the generic helper:
// - list[int] and tuple[int] loads and list[int] stores on exact types, for one-digit
//   indexes in range (negative ones count from the end); exact dicts go to a dedicated
//   helper that skips the type dispatch. Subclasses always take the generic path.
// - LOAD_ATTR of an instance value or a slot that the interpreter had specialised: its
//   inline cache, read at compile time, guarded by the owner's type version.
// Type feedback from the quickened code (Instr::hint) narrows which subscript fast paths are
// emitted; with no feedback all of them are. Guard failures and all other cases call one
// rt_* helper (helpers_containers.h) out of line, which steals the stack operands.
// Registers: kKeep0 = container/owner, kKeep1 = subscript/attribute, kKeep2 = item/value.
#include "runtime/helpers_containers.h"
#include "x64/lowering.h"

namespace pyjion::x64 {
namespace {

using frontend::Hint;

// Numbers of the specialised (quickened) opcodes, which Instr::live_opcode may hold.
enum Specialized : uint8_t {
#define PJ_SPECIALIZED(name, num, base) k##name = num,
#include "frontend/opcodes.def"
};

// Whether the fast path for `h` is worth emitting: no feedback, or feedback saying h.
bool Want(const Instr& in, Hint h) { return in.hint == Hint::kNone || in.hint == h; }

// Generic (container, sub -- res) out of line; rejoins at join with the result stored.
void QueueSubscrSlow(Lowering& L, Label slow, Label join) {
  L.Cold([&L, slow, join] {
    PyAsm& pa = L.pa();
    pa.Bind(slow);
    pa.CallHelper(PJ_HELPER(rt_binary_subscr), {A(Reg::kKeep0), A(Reg::kKeep1)});
    pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 2));
    pa.Store(L.Top(1), Reg::kRet);
    pa.Jump(join);
  });
}

}  // namespace

// BINARY_SUBSCR (container, sub -- container[sub]).
// Inline: exact list/tuple with an exact int index; exact dict through rt_binary_subscr_dict.
void emit_BINARY_SUBSCR(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  Label slow = pa.NewLabel(), join = pa.NewLabel(), not_seq = pa.NewLabel();
  const bool want_list = Want(in, Hint::kList), want_tuple = Want(in, Hint::kTuple);
  const bool want_dict = Want(in, Hint::kDict), want_seq = want_list || want_tuple;
  pa.Load(Reg::kKeep0, L.Top(1));
  pa.Load(Reg::kKeep1, L.Top(0));
  Label have_item = pa.NewLabel();
  if (want_seq) {
    pa.GuardExactType(Reg::kKeep1, &PyLong_Type, not_seq);
    const std::pair<SeqKind, PyTypeObject*> kinds[] = {{SeqKind::kList, &PyList_Type},
                                                       {SeqKind::kTuple, &PyTuple_Type}};
    for (const auto& [kind, type] : kinds) {
      if (!Want(in, kind == SeqKind::kList ? Hint::kList : Hint::kTuple)) continue;
      Label next = pa.NewLabel();
      pa.Comment(kind == SeqKind::kList ? "list[int]" : "tuple[int]");
      pa.GuardExactType(Reg::kKeep0, type, next);
      pa.LoadSeqItem(kind, Reg::kKeep2, Reg::kKeep0, Reg::kKeep1, slow);
      pa.Jump(have_item);
      pa.Bind(next);
    }
  }
  pa.Bind(not_seq);
  if (want_dict) {
    pa.Comment("dict[key]");
    pa.GuardExactType(Reg::kKeep0, &PyDict_Type, slow);
    // with feedback the interpreter runs BINARY_SUBSCR_DICT, which releases the key first
    pa.CallHelper(in.hint == Hint::kDict ? PJ_HELPER(rt_binary_subscr_dict_specialised)
                                         : PJ_HELPER(rt_binary_subscr_dict),
                  {A(Reg::kKeep0), A(Reg::kKeep1)});
    pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 2));
    pa.Store(L.Top(1), Reg::kRet);
  }
  pa.Jump(want_dict ? join : slow);
  if (want_seq) {
    pa.Bind(have_item);  // borrowed item in kKeep2: own it, then release the operands
    pa.IncRef(Reg::kKeep2);
    pa.Store(L.Top(1), Reg::kKeep2);
    pa.DecRef(Reg::kKeep0);
    pa.DecRef(Reg::kKeep1);
  }
  pa.Bind(join);
  QueueSubscrSlow(L, slow, join);
}

// STORE_SUBSCR (value, container, sub --): container[sub] = value.
// Inline: exact list with an exact int index in range; exact dict through a helper.
void emit_STORE_SUBSCR(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  Label slow = pa.NewLabel(), join = pa.NewLabel();
  const bool want_list = Want(in, Hint::kList), want_dict = Want(in, Hint::kDict);
  pa.Load(Reg::kKeep0, L.Top(1));
  pa.Load(Reg::kKeep1, L.Top(0));
  if (want_list) {
    Label not_list = pa.NewLabel();
    pa.Comment("list[int] = value");
    pa.GuardExactType(Reg::kKeep1, &PyLong_Type, not_list);
    pa.GuardExactType(Reg::kKeep0, &PyList_Type, not_list);
    pa.Load(Reg::kKeep2, L.Top(2));
    pa.ExchangeListItem(Reg::kKeep0, Reg::kKeep1, Reg::kKeep2, slow);
    pa.DecRef(Reg::kKeep2);  // the replaced item
    pa.DecRef(Reg::kKeep1);
    pa.DecRef(Reg::kKeep0);
    pa.Jump(join);
    pa.Bind(not_list);
  }
  if (want_dict) {
    pa.Comment("dict[key] = value");
    pa.GuardExactType(Reg::kKeep0, &PyDict_Type, slow);
    // with feedback the interpreter runs STORE_SUBSCR_DICT (_PyDict_SetItem_Take2, then the
    // dict); without, the generic STORE_SUBSCR (value, dict, key)
    pa.CallHelper(in.hint == Hint::kDict ? PJ_HELPER(rt_store_subscr_dict_specialised)
                                         : PJ_HELPER(rt_store_subscr_dict),
                  {AValue(L.Top(2)), A(Reg::kKeep0), A(Reg::kKeep1)});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 3));
  } else {
    pa.Jump(slow);
  }
  pa.Bind(join);
  L.Cold([&L, slow, join] {
    PyAsm& pa = L.pa();
    pa.Bind(slow);
    pa.CallHelper(PJ_HELPER(rt_store_subscr), {AValue(L.Top(2)), A(Reg::kKeep0), A(Reg::kKeep1)});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 3));
    pa.Jump(join);
  });
}

// DELETE_SUBSCR (container, sub --): del container[sub].
void emit_DELETE_SUBSCR(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_delete_subscr), {AValue(L.Top(1)), AValue(L.Top(0))});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 2));
}

// BUILD_SLICE (start, stop[, step] -- slice); oparg 2 or 3.
void emit_BUILD_SLICE(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const int n = in.oparg == 3 ? 3 : 2;
  pa.CallHelper(PJ_HELPER(rt_build_slice),
                {AValue(L.Top(n - 1)), AValue(L.Top(n - 2)), n == 3 ? AValue(L.Top(0)) : AImm(0)});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - n));
  pa.Store(L.Top(n - 1), Reg::kRet);
}

// What the interpreter's LOAD_ATTR_INSTANCE_VALUE / LOAD_ATTR_SLOT specialisation of `in`
// cached (_PyAttrCache: counter, version[2], index), read from the live code at compile
// time. False when the instruction is not specialised that way (or has no version).
static bool ReadAttrCache(const Lowering& L, const Instr& in, AttrKind* kind, uint32_t* version,
                   int* index) {
  if (in.live_opcode == kLOAD_ATTR_INSTANCE_VALUE) *kind = AttrKind::kInstanceValue;
  else if (in.live_opcode == kLOAD_ATTR_SLOT) *kind = AttrKind::kSlot;
  else return false;
  const auto* cache = reinterpret_cast<const uint16_t*>(_PyCode_CODE(L.code())) + in.index + 1;
  *version = static_cast<uint32_t>(cache[1]) | static_cast<uint32_t>(cache[2]) << 16;
  *index = cache[3];
  return *version != 0;
}

// LOAD_ATTR (owner -- owner.name); name = co_names[oparg].
// Inline when the interpreter had specialised it to an instance value or a slot: a guard on
// the owner's type version (which changes whenever the type or a base is modified, and is
// never reused), then one load; a miss or an unset attribute takes the generic helper.
void emit_LOAD_ATTR(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  PyObject* name = L.Name(in.oparg);
  AttrKind kind;
  uint32_t version;
  int index;
  if (!ReadAttrCache(L, in, &kind, &version, &index)) {
    pa.CallHelper(PJ_HELPER(rt_load_attr), {AValue(L.Top(0)), APtr(name)});
    pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 1));
    pa.Store(L.Top(0), Reg::kRet);
    return;
  }
  Label slow = pa.NewLabel(), join = pa.NewLabel();
  pa.Comment(kind == AttrKind::kSlot ? "cached slot attribute" : "cached instance attribute");
  pa.Load(Reg::kKeep0, L.Top(0));
  pa.GuardTypeVersion(Reg::kKeep0, version, slow);
  pa.LoadCachedAttr(kind, Reg::kKeep1, Reg::kKeep0, index, slow);
  pa.IncRef(Reg::kKeep1);
  pa.Store(L.Top(0), Reg::kKeep1);
  pa.DecRef(Reg::kKeep0);
  pa.Bind(join);
  L.Cold([&L, slow, join, name] {
    PyAsm& pa = L.pa();
    pa.Bind(slow);
    pa.CallHelper(PJ_HELPER(rt_load_attr), {A(Reg::kKeep0), APtr(name)});
    pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 1));
    pa.Store(L.Top(0), Reg::kRet);
    pa.Jump(join);
  });
}

// STORE_ATTR (value, owner --): owner.name = value.
void emit_STORE_ATTR(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_store_attr),
                {AValue(L.Top(1)), AValue(L.Top(0)), APtr(L.Name(in.oparg))});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 2));
}

// DELETE_ATTR (owner --): del owner.name.
void emit_DELETE_ATTR(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_delete_attr), {AValue(L.Top(0)), APtr(L.Name(in.oparg))});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 1));
}

}  // namespace pyjion::x64
