// Lowerings of the operator family: BINARY_OP, COMPARE_OP (alone, or fused with the
// POP_JUMP_*_IF_TRUE/FALSE after it), UNARY_*, IS_OP (likewise fusable), CONTAINS_OP.
// All work on the virtual operand stack: operands come as Values (a borrowed local or
// constant needs no reference count traffic), results are pushed in value registers.
// Inline fast paths: add/subtract/multiply on exact one-digit ints and exact floats (an
// exact float with an exact int: out of line, without a call),
// comparisons of the same and == / != of exact strs, identity; guarded by exact-type checks
// (skipped for operands that are constants of that type). Everything else and every guard
// failure goes to one call out of line: ceval's own C function for the instruction, or for
// BINARY_OP on operands that may be instances of Python classes, rt_binary_op_ic
// (runtime/helpers_dunder.h), which calls a Python operator method itself.
#include "runtime/helpers.h"
#include "runtime/helpers_dunder.h"
#include "x64/lower_common.h"
#include "x64/lowering.h"

namespace pyjion::x64 {
namespace {

// NB_* codes from CPython's Include/opcode.h.
constexpr int kNbAdd = 0, kNbAnd = 1, kNbFloorDivide = 2, kNbLshift = 3, kNbMultiply = 5,
              kNbRemainder = 6, kNbOr = 7, kNbRshift = 9, kNbSubtract = 10,
              kNbTrueDivide = 11, kNbXor = 12, kNbInplaceOffset = 13;

// The operation of NB_* code nb_op, if it has an inline path.
bool InlineArith(int nb_op, ArithOp* op) {
  int base = nb_op >= kNbInplaceOffset ? nb_op - kNbInplaceOffset : nb_op;
  switch (base) {
    case kNbAdd: *op = ArithOp::kAdd; return true;
    case kNbSubtract: *op = ArithOp::kSubtract; return true;
    case kNbMultiply: *op = ArithOp::kMultiply; return true;
    case kNbAnd: *op = ArithOp::kAnd; return true;
    case kNbOr: *op = ArithOp::kOr; return true;
    case kNbXor: *op = ArithOp::kXor; return true;
    case kNbLshift: *op = ArithOp::kLshift; return true;
    case kNbRshift: *op = ArithOp::kRshift; return true;
    case kNbFloorDivide: *op = ArithOp::kFloorDivide; return true;
    case kNbRemainder: *op = ArithOp::kRemainder; return true;
    case kNbTrueDivide: *op = ArithOp::kTrueDivide; return true;
    default: return false;
  }
}

// ceval's binary_ops[]: the C function BINARY_OP calls for NB_* code nb_op (borrowing both
// operands).
Helper BinaryOpFunction(int nb_op) {
  static const Helper kFunctions[] = {
      PJ_HELPER(PyNumber_Add), PJ_HELPER(PyNumber_And), PJ_HELPER(PyNumber_FloorDivide),
      PJ_HELPER(PyNumber_Lshift), PJ_HELPER(PyNumber_MatrixMultiply),
      PJ_HELPER(PyNumber_Multiply), PJ_HELPER(PyNumber_Remainder), PJ_HELPER(PyNumber_Or),
      PJ_HELPER(rt_power), PJ_HELPER(PyNumber_Rshift), PJ_HELPER(PyNumber_Subtract),
      PJ_HELPER(PyNumber_TrueDivide), PJ_HELPER(PyNumber_Xor),
      PJ_HELPER(PyNumber_InPlaceAdd), PJ_HELPER(PyNumber_InPlaceAnd),
      PJ_HELPER(PyNumber_InPlaceFloorDivide), PJ_HELPER(PyNumber_InPlaceLshift),
      PJ_HELPER(PyNumber_InPlaceMatrixMultiply), PJ_HELPER(PyNumber_InPlaceMultiply),
      PJ_HELPER(PyNumber_InPlaceRemainder), PJ_HELPER(PyNumber_InPlaceOr),
      PJ_HELPER(rt_inplace_power), PJ_HELPER(PyNumber_InPlaceRshift),
      PJ_HELPER(PyNumber_InPlaceSubtract), PJ_HELPER(PyNumber_InPlaceTrueDivide),
      PJ_HELPER(PyNumber_InPlaceXor)};
  static_assert(sizeof(kFunctions) / sizeof(kFunctions[0]) == 26, "NB_* codes");
  return kFunctions[nb_op];
}

bool IntOp(ArithOp op) { return op != ArithOp::kTrueDivide; }

// The slot of int an operation of two exact ints ends in: binary_op1 (and binary_iop1, int
// having no in-place slots) calls it and nothing else, since it never returns
// NotImplemented to two ints. Called directly once the inline path has given up (an operand
// or the result beyond one digit, a zero divisor, a negative shift count).
Helper LongSlot(ArithOp op) {
  const PyNumberMethods& nb = *PyLong_Type.tp_as_number;
  auto slot = [](binaryfunc fn, const char* name) {
    return Helper{reinterpret_cast<const void*>(fn), name};
  };
  switch (op) {
    case ArithOp::kAdd: return slot(nb.nb_add, "long_add");
    case ArithOp::kSubtract: return slot(nb.nb_subtract, "long_sub");
    case ArithOp::kMultiply: return slot(nb.nb_multiply, "long_mul");
    case ArithOp::kAnd: return slot(nb.nb_and, "long_and");
    case ArithOp::kOr: return slot(nb.nb_or, "long_or");
    case ArithOp::kXor: return slot(nb.nb_xor, "long_xor");
    case ArithOp::kLshift: return slot(nb.nb_lshift, "long_lshift");
    case ArithOp::kRshift: return slot(nb.nb_rshift, "long_rshift");
    case ArithOp::kFloorDivide: return slot(nb.nb_floor_divide, "long_div");
    case ArithOp::kRemainder: return slot(nb.nb_remainder, "long_mod");
    case ArithOp::kTrueDivide: break;  // not an IntOp: never inline for two ints
  }
  return slot(nb.nb_true_divide, "long_true_divide");
}

bool Commutes(ArithOp op) {
  return op == ArithOp::kAdd || op == ArithOp::kMultiply || op == ArithOp::kAnd ||
         op == ArithOp::kOr || op == ArithOp::kXor;
}

// Whether a constant right operand can be an immediate (shift counts and divisors out of
// range go through the general path, which sends them to the helper).
bool ImmediateFits(ArithOp op, int64_t imm) {
  switch (op) {
    case ArithOp::kLshift: return imm >= 0 && imm < 64;
    case ArithOp::kRshift: return imm >= 0;
    case ArithOp::kFloorDivide: case ArithOp::kRemainder: return imm != 0;
    default: return true;
  }
}
bool FloatOp(ArithOp op) {
  return op == ArithOp::kAdd || op == ArithOp::kSubtract || op == ArithOp::kMultiply ||
         op == ArithOp::kTrueDivide;
}

bool WantInt(const Instr& in) { return in.hint == frontend::Hint::kNone || in.hint == frontend::Hint::kInt; }
bool WantFloat(const Instr& in) { return in.hint == frontend::Hint::kNone || in.hint == frontend::Hint::kFloat; }
bool WantStr(const Instr& in) { return in.hint == frontend::Hint::kNone || in.hint == frontend::Hint::kStr; }

// Which inline paths an instruction gets: what its feedback allows and its constant
// operands do not rule out.
struct Paths {
  bool ints, floats;
};
Paths PathsFor(const Instr& in, const Operands& o) {
  const bool ints = CouldBe(o.lv, &PyLong_Type) && CouldBe(o.rv, &PyLong_Type);
  const bool floats = CouldBe(o.lv, &PyFloat_Type) && CouldBe(o.rv, &PyFloat_Type);
  return {WantInt(in) && ints, WantFloat(in) && floats};
}

// The two guard orders of an exact float with an exact int: each(true) where the left
// operand is the float, each(false) where it is the int; each ends in a jump. Other
// operands go to `other`.
template <class Each>
void FloatWithInt(Lowering& L, const Operands& o, Label other, Each each) {
  PyAsm& pa = L.pa();
  const Label int_left = pa.NewLabel();
  GuardType(L, o.lv, o.l, &PyFloat_Type, int_left);
  GuardType(L, o.rv, o.r, &PyLong_Type, other);
  each(true);
  pa.Bind(int_left);
  GuardType(L, o.lv, o.l, &PyLong_Type, other);
  GuardType(L, o.rv, o.r, &PyFloat_Type, other);
  each(false);
}

// The comparison that gives `r op l` for `l op r`: c < x is x > c.
CmpOp Mirror(CmpOp op) {
  static const CmpOp kMirror[] = {CmpOp::kGt, CmpOp::kGe, CmpOp::kEq,
                                  CmpOp::kNe, CmpOp::kLt, CmpOp::kLe};
  return kMirror[static_cast<int>(op)];
}

// flag (a value register) = 1/0 for `l op r` through the inline compare paths; jumps to
// slow when none applies. Falls through with the flag set.
void EmitInlineCompare(Lowering& L, const Instr& in, const Operands& o, Reg flag, Label slow) {
  PyAsm& pa = L.pa();
  const CmpOp op = static_cast<CmpOp>(in.oparg);
  const Paths paths = PathsFor(in, o);
  const bool strs = (op == CmpOp::kEq || op == CmpOp::kNe) && WantStr(in) &&
                    CouldBe(o.lv, &PyUnicode_Type) && CouldBe(o.rv, &PyUnicode_Type);
  Label decided = pa.NewLabel(), not_int = pa.NewLabel(), not_float = pa.NewLabel();
  if (paths.ints) {
    pa.Comment("int compare");
    GuardType(L, o.lv, o.l, &PyLong_Type, not_int);
    GuardType(L, o.rv, o.r, &PyLong_Type, not_int);
    int64_t imm;
    if (SmallIntConst(o.rv, &imm)) {
      pa.CompareMediumIntImm(op, flag, o.l, imm, slow);
    } else if (SmallIntConst(o.lv, &imm)) {  // c < x  is  x > c
      pa.CompareMediumIntImm(Mirror(op), flag, o.r, imm, slow);
    } else {
      pa.CompareMediumInts(op, flag, o.l, o.r, slow);
    }
    pa.Jump(decided);
  }
  pa.Bind(not_int);
  const bool float_left = WantFloat(in) && CouldBe(o.lv, &PyFloat_Type);
  const bool float_right = WantFloat(in) && CouldBe(o.rv, &PyFloat_Type);
  if (paths.floats) {
    pa.Comment("float compare");
    // a float with an int of unknown type on either side: the cold mixed path
    const bool mixed = CouldBe(o.lv, &PyLong_Type) && CouldBe(o.rv, &PyLong_Type);
    const Label not_floats = mixed ? pa.NewLabel() : not_float;
    GuardType(L, o.lv, o.l, &PyFloat_Type, not_floats);
    GuardType(L, o.rv, o.r, &PyFloat_Type, not_floats);
    pa.CompareFloats(op, flag, o.l, o.r);
    pa.Jump(decided);
    if (mixed) {
      L.Cold([&L, not_floats, not_float, slow, decided, o, op, flag] {
        PyAsm& pa = L.pa();
        pa.Bind(not_floats);
        pa.Comment("float and int compare");
        FloatWithInt(L, o, not_float, [&](bool float_left) {
          if (float_left) pa.CompareFloatInt(op, flag, o.l, o.r, slow);
          else pa.CompareFloatInt(Mirror(op), flag, o.r, o.l, slow);
          pa.Jump(decided);
        });
      });
    }
  } else if (float_left && KnownType(o.rv, &PyLong_Type)) {  // x < 0
    pa.Comment("float and constant int compare");
    GuardType(L, o.lv, o.l, &PyFloat_Type, not_float);
    pa.CompareFloatInt(op, flag, o.l, o.r, slow);
    pa.Jump(decided);
  } else if (float_right && KnownType(o.lv, &PyLong_Type)) {  // 0 < x
    pa.Comment("constant int and float compare");
    GuardType(L, o.rv, o.r, &PyFloat_Type, not_float);
    pa.CompareFloatInt(Mirror(op), flag, o.r, o.l, slow);
    pa.Jump(decided);
  }
  pa.Bind(not_float);
  if (strs) {
    pa.Comment("str equality");
    GuardType(L, o.lv, o.l, &PyUnicode_Type, slow);
    GuardType(L, o.rv, o.r, &PyUnicode_Type, slow);
    pa.CompareStrEqual(flag, o.l, o.r, op == CmpOp::kNe);
  } else {
    pa.Jump(slow);
  }
  pa.Bind(decided);
}


// The fast local that `lhs + rhs` may extend in place (ceval's BINARY_OP_INPLACE_ADD_UNICODE):
// + or += whose result the next instruction stores back into that local, and whose left
// operand is that local (still borrowed) or a temporary (owned) that may turn out at run
// time to be the local's string itself (*by_identity: the operand was materialised, at a
// branch for instance, as in `s += "a" if c else "b"`); -1 if none.
int InplaceConcatLocal(Lowering& L, const Instr& in, const Value& lhs, bool* by_identity) {
  if (in.oparg != kNbAdd && in.oparg != kNbAdd + kNbInplaceOffset) return -1;
  if (!(lhs.kind == Value::kLocal || lhs.owned()) || !WantStr(in)) return -1;
  const Instr* next = L.PeekNext();
  if (next == nullptr || next->opcode != frontend::STORE_FAST) return -1;
  if (lhs.kind == Value::kLocal && next->oparg != lhs.local) return -1;
  *by_identity = lhs.owned();
  return next->oparg;
}

// lhs and rhs exact strs (and, by_identity, lhs the local's own string, as ceval checks):
// rt_unicode_inplace_add on the local into res, then join (the STORE_FAST after stores res;
// the local is NULL meanwhile, and stays so on an error, as in ceval). Else jumps to `other`.
void EmitInplaceConcat(Lowering& L, const Operands& o, int local, bool by_identity, Reg res,
                       Label other, Label join) {
  PyAsm& pa = L.pa();
  pa.Comment("str += in place");
  GuardType(L, o.lv, o.l, &PyUnicode_Type, other);
  GuardType(L, o.rv, o.r, &PyUnicode_Type, other);
  if (by_identity) {
    Label same = pa.NewLabel();
    pa.Load(Reg::kTmp0, L.Local(local));
    pa.BranchIfSame(o.l, Reg::kTmp0, same);
    pa.Jump(other);
    pa.Bind(same);
    pa.DecRef(o.l);  // the stack's reference; the local's keeps the string
  }
  L.OwnValue(o.rv, o.r);  // stolen (its own reference first, should it be the same local)
  pa.CallHelper(PJ_HELPER(rt_unicode_inplace_add), {AAddress(L.Local(local)), A(o.r)});
  pa.BranchIfZero(Reg::kRet, L.ErrorHere());
  pa.Move(res, Reg::kRet);
  pa.Jump(join);
}

// The operand register of an owned float temporary (a result of an earlier operation),
// which can take the result of a float operation; Reg::kRet for none.
Reg FloatReuse(const Operands& o, NumKind lk, NumKind rk) {
  if (o.lv.owned() && lk == NumKind::kFloat) return o.l;
  if (o.rv.owned() && rk == NumKind::kFloat) return o.r;
  return Reg::kRet;
}

// The operand register of an owned int temporary (both operands are exact ints on the
// int path) that can take a one-digit result in place; Reg::kRet for none.
Reg IntReuse(const Operands& o) {
  if (o.lv.owned()) return o.l;
  if (o.rv.owned()) return o.r;
  return Reg::kRet;
}

// Cold, from `entry` (the float guards failed): an exact float with an exact int of at
// most two digits on the other side, as float_add & co. convert it (PyLong_AsDouble rounds
// to nearest as cvtsi2sd does), then `boxed`; other operands go to not_number, larger
// ints and zero divisors to slow.
void EmitMixedFloatArith(Lowering& L, ArithOp op, const Operands& o, Label entry,
                         Label not_number, Label slow, Label boxed) {
  PyAsm& pa = L.pa();
  pa.Bind(entry);
  pa.Comment("float and int");
  FloatWithInt(L, o, not_number, [&](bool float_left) {
    const NumKind lk = float_left ? NumKind::kFloat : NumKind::kInt;
    const NumKind rk = float_left ? NumKind::kInt : NumKind::kFloat;
    pa.FloatArith(op, Reg::kRet, o.l, lk, o.r, rk, FloatReuse(o, lk, rk), slow);
    pa.Jump(boxed);
  });
}

}  // namespace

// BINARY_OP (lhs, rhs -- result); oparg = NB_*.
void emit_BINARY_OP(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const Operands o = PopOperands(L);
  bool by_identity = false;
  const int concat_local = InplaceConcatLocal(L, in, o.lv, &by_identity);
  // the string may change in place: whatever else borrows the local takes a reference
  if (concat_local >= 0) L.MaterializeLocalCopies(concat_local);
  const Reg res = ResultReg(L, o);
  Label slow = pa.NewLabel(), join = pa.NewLabel();
  // where a failed number guard goes: the in-place str path, if any, else the helper
  const Label not_number = concat_local >= 0 ? pa.NewLabel() : slow;
  // An operand that may be an instance of a Python class (no constant is) gets the site's
  // cache for Python operator methods; ** and **= (ternary in CPython) do not.
  auto* dunder = o.lv.known_type() == nullptr && rt::CachesOperatorMethod(in.oparg)
                     ? L.caches().New<rt::BinaryOpCache>()
                     : nullptr;
  L.Cold([&L, slow, join, o, res, dunder, nb_op = in.oparg] {
    PyAsm& pa = L.pa();
    pa.Bind(slow);
    const Helper generic = BinaryOpFunction(nb_op);
    if (dunder != nullptr) {
      CallBorrowing(L, o, PJ_HELPER(rt_binary_op_ic),
                    res, {AImm(static_cast<uint64_t>(nb_op)), APtr(dunder), APtr(generic.addr)});
    } else {
      CallBorrowing(L, o, generic, res);
    }
    pa.Jump(join);
  });
  ArithOp op;
  if (concat_local >= 0 && in.hint == frontend::Hint::kStr) {
    pa.Jump(not_number);  // warm str code: no number paths
  } else if (InlineArith(in.oparg, &op)) {
    const Paths paths = PathsFor(in, o);
    const bool ints = paths.ints && IntOp(op);
    // floats: both operands floats, or one of them a constant int (x * 2, 1 / x)
    const bool mixed = KnownType(o.lv, &PyLong_Type) ? CouldBe(o.rv, &PyFloat_Type)
                                                     : KnownType(o.rv, &PyLong_Type) &&
                                                           CouldBe(o.lv, &PyFloat_Type);
    const bool floats = (paths.floats || mixed) &&
                        FloatOp(op) && in.hint != frontend::Hint::kInt &&
                        in.hint != frontend::Hint::kStr;
    Label boxed = pa.NewLabel(), not_int = pa.NewLabel(), no_memory = pa.NewLabel();
    if (ints) {
      pa.Comment("int fast path");
      GuardType(L, o.lv, o.l, &PyLong_Type, not_int);
      GuardType(L, o.rv, o.r, &PyLong_Type, not_int);
      const Label long_slot = pa.NewLabel();
      int64_t imm;
      if (SmallIntConst(o.rv, &imm) && ImmediateFits(op, imm)) {
        pa.MediumIntArithImm(op, Reg::kRet, o.l, imm, IntReuse(o), long_slot);
      } else if (SmallIntConst(o.lv, &imm) && Commutes(op)) {
        pa.MediumIntArithImm(op, Reg::kRet, o.r, imm, IntReuse(o), long_slot);
      } else {
        pa.MediumIntArith(op, Reg::kRet, o.l, o.r, IntReuse(o), long_slot);
      }
      pa.Jump(boxed);
      L.Cold([&L, long_slot, join, o, res, op] {  // two exact ints past one digit
        L.pa().Bind(long_slot);
        CallBorrowing(L, o, LongSlot(op), res);
        L.pa().Jump(join);
      });
    }
    pa.Bind(not_int);
    if (floats) {
      pa.Comment("float fast path");
      const NumKind lk = KnownType(o.lv, &PyLong_Type) ? NumKind::kInt : NumKind::kFloat;
      const NumKind rk = KnownType(o.rv, &PyLong_Type) ? NumKind::kInt : NumKind::kFloat;
      // a float with an int of unknown type on either side: the cold mixed path
      const bool mixed_at_run_time = lk == NumKind::kFloat && rk == NumKind::kFloat &&
                                     CouldBe(o.lv, &PyLong_Type) && CouldBe(o.rv, &PyLong_Type);
      const Label not_floats = mixed_at_run_time ? pa.NewLabel() : not_number;
      if (lk == NumKind::kFloat) GuardType(L, o.lv, o.l, &PyFloat_Type, not_floats);
      if (rk == NumKind::kFloat) GuardType(L, o.rv, o.r, &PyFloat_Type, not_floats);
      pa.FloatArith(op, Reg::kRet, o.l, lk, o.r, rk, FloatReuse(o, lk, rk), slow);
      if (mixed_at_run_time) {
        L.Cold([&L, not_floats, not_number, slow, boxed, o, op] {
          EmitMixedFloatArith(L, op, o, not_floats, not_number, slow, boxed);
        });
      }
    } else {
      pa.Jump(not_number);
    }
    pa.Bind(boxed);
    pa.BranchIfZero(Reg::kRet, no_memory);
    pa.Move(res, Reg::kRet);
    DropOperands(L, o, res);
    L.Cold([&L, no_memory, o] {  // boxing failed (MemoryError)
      L.pa().Bind(no_memory);
      ReleaseOwned(L, o);
      L.pa().Jump(L.ErrorHere());
    });
  } else {
    pa.Jump(slow);
  }
  if (concat_local >= 0) {
    pa.Jump(join);
    pa.Bind(not_number);
    EmitInplaceConcat(L, o, concat_local, by_identity, res, slow, join);
  }
  pa.Bind(join);
  L.FreeReg(o.l);
  L.FreeReg(o.r);
  L.PushReg(res);
}

// COMPARE_OP (lhs, rhs -- result); oparg = Py_LT..Py_GE. When the next instruction is a
// POP_JUMP_*_IF_TRUE/FALSE, the two are emitted together and no bool object is made.
void emit_COMPARE_OP(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const Instr* jump = L.PeekNext();
  const bool fused = jump != nullptr && IsTruthJump(jump->opcode);
  const Operands o = PopOperands(L);
  if (fused) {
    L.FuseNext();
    L.Flush();  // both edges of the jump find the stack in the frame
  }
  const Reg flag = ResultReg(L, o);
  Label slow = pa.NewLabel(), join = pa.NewLabel(), have_object = pa.NewLabel();
  // operands that may be instances of a Python class get the site's comparison-method cache
  auto* dunder = o.lv.known_type() == nullptr && o.rv.known_type() == nullptr
                     ? L.caches().New<rt::TypeMethodCache>()
                     : nullptr;
  L.Cold([&L, slow, join, have_object, o, flag, fused, oparg = in.oparg, jump, dunder] {
    PyAsm& pa = L.pa();
    pa.Bind(slow);
    if (dunder != nullptr) {
      CallBorrowing(L, o, PJ_HELPER(rt_compare_op_ic), flag, {AImm(oparg), APtr(dunder)});
    } else {
      CallBorrowing(L, o, PJ_HELPER(PyObject_RichCompare), flag, {AImm(oparg)});
    }
    if (!fused) {
      pa.Jump(have_object);
      return;
    }
    L.SetPrevInstrUnit(jump->index);  // the truth test belongs to the jump
    pa.CallHelper(PJ_HELPER(rt_is_true), {A(flag)});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorHere());
    pa.Move(flag, Reg::kRet);
    pa.Jump(join);
  });
  EmitInlineCompare(L, in, o, flag, slow);
  DropOperands(L, o, flag);
  pa.Bind(join);
  if (fused) {
    L.BranchOnFlag(flag, JumpsIfTrue(jump->opcode), *jump, IsBackward(jump->opcode));
    L.FreeReg(flag);
    return;
  }
  pa.SelectBool(flag, flag);
  pa.IncRef(flag);
  pa.Bind(have_object);
  L.PushReg(flag);
}

// Shared shape of the one-operand helpers: (value -- result), the helper stealing value.
static void EmitUnary(Lowering& L, const Helper& fn) {
  PyAsm& pa = L.pa();
  const Value v = L.Pop();
  const Reg r = L.ToReg(v);
  L.OwnValue(v, r);
  pa.CallHelper(fn, {A(r)});
  pa.BranchIfZero(Reg::kRet, L.ErrorHere());
  pa.Move(r, Reg::kRet);
  L.PushReg(r);
}

void emit_UNARY_POSITIVE(Lowering& L, const Instr& in) { EmitUnary(L, PJ_HELPER(rt_unary_positive)); }
void emit_UNARY_NEGATIVE(Lowering& L, const Instr& in) { EmitUnary(L, PJ_HELPER(rt_unary_negative)); }
void emit_UNARY_INVERT(Lowering& L, const Instr& in) { EmitUnary(L, PJ_HELPER(rt_unary_invert)); }
void emit_UNARY_NOT(Lowering& L, const Instr& in) { EmitUnary(L, PJ_HELPER(rt_unary_not)); }

// IS_OP (lhs, rhs -- bool); oparg 1 = `is not`. Identity never fails: all inline; fused
// with a following POP_JUMP_*_IF_TRUE/FALSE no bool is made.
void emit_IS_OP(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const Instr* jump = L.PeekNext();
  const bool fused = jump != nullptr && IsTruthJump(jump->opcode);
  const Operands o = PopOperands(L);
  if (fused) {
    L.FuseNext();
    L.Flush();
  }
  const Reg flag = ResultReg(L, o);
  pa.CompareSame(flag, o.l, o.r, in.oparg != 0);
  DropOperands(L, o, flag);
  if (fused) {
    L.BranchOnFlag(flag, JumpsIfTrue(jump->opcode), *jump, IsBackward(jump->opcode));
    L.FreeReg(flag);
    return;
  }
  pa.SelectBool(flag, flag);
  pa.IncRef(flag);
  L.PushReg(flag);
}

// CONTAINS_OP (item, container -- bool); oparg 1 = `not in`. Fused with a following
// POP_JUMP_*_IF_TRUE/FALSE, the helper's 1/0 decides the jump directly.
void emit_CONTAINS_OP(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const Instr* jump = L.PeekNext();
  const bool fused = jump != nullptr && IsTruthJump(jump->opcode);
  const Operands o = PopOperands(L);
  if (fused) {
    L.FuseNext();
    L.Flush();
  }
  OwnOperands(L, o);  // the helpers steal both
  if (fused) {
    pa.CallHelper(PJ_HELPER(rt_contains_op_bool), {A(o.l), A(o.r), AImm(in.oparg)});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorHere());
    L.FreeReg(o.l);
    L.FreeReg(o.r);
    L.BranchOnFlag(Reg::kRet, JumpsIfTrue(jump->opcode), *jump, IsBackward(jump->opcode));
    return;
  }
  pa.CallHelper(PJ_HELPER(rt_contains_op), {A(o.l), A(o.r), AImm(in.oparg)});
  pa.BranchIfZero(Reg::kRet, L.ErrorHere());
  L.FreeReg(o.r);
  pa.Move(o.l, Reg::kRet);
  L.PushReg(o.l);
}

}  // namespace pyjion::x64
