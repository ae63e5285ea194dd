// Lowerings of calls, function and class creation, imports and module-level statements:
// LOAD_METHOD KW_NAMES PRECALL CALL CALL_FUNCTION_EX MAKE_FUNCTION LOAD_BUILD_CLASS
// IMPORT_NAME IMPORT_FROM IMPORT_STAR SETUP_ANNOTATIONS PRINT_EXPR GET_LEN.
//
// Each is one call to an rt_* helper of runtime/helpers_call.h. Helpers that touch several
// stack items get the address of the lowest one and write their result there themselves.
// KW_NAMES and PRECALL emit nothing: the frontend hands KW_NAMES's constant to the CALL
// (Instr::kwnames), and PRECALL's bound-method unpacking happens at the start of rt_call
// (nothing can observe the stack between PRECALL and CALL, and PRECALL cannot fail).
// `super().name` and `super(C, x).name` (CALL of super, then LOAD_METHOD) first try
// rt_super_method(_args), which make no super object (runtime/helpers_super.h).
// CALL and CALL_FUNCTION_EX poll the eval breaker afterwards, like ceval's
// CHECK_EVAL_BREAKER (an error there unwinds with the result on the stack), and then leave
// for the interpreter if the call switched tracing on (sys.settrace, pdb.set_trace).
#include "runtime/helpers.h"
#include "runtime/helpers_attr.h"
#include "runtime/helpers_call.h"
#include "runtime/helpers_super.h"
#include "x64/lowering.h"

namespace pyjion::x64 {
namespace {

// After a call, with n items on the stack counting its result: poll the eval breaker
// (handled out of line), then hand the frame to the interpreter if the callee switched
// tracing on (ceval checks use_tracing at the next dispatch, after CHECK_EVAL_BREAKER).
void AfterCall(Lowering& L, int n) {
  PyAsm& pa = L.pa();
  Label slow = pa.NewLabel(), join = pa.NewLabel();
  pa.PollEvalBreaker(slow);
  pa.Bind(join);
  L.Cold([&L, slow, join, n] {
    PyAsm& pa = L.pa();
    pa.Bind(slow);
    pa.CallHelper(PJ_HELPER(pj_handle_eval_breaker), {ATstate()});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(n));
    pa.Jump(join);
  });
  L.DeoptIfTracing(n);
}

int PopCount4(int flags) {
  return ((flags >> 0) & 1) + ((flags >> 1) & 1) + ((flags >> 2) & 1) + ((flags >> 3) & 1);
}

}  // namespace

// LOAD_METHOD (obj -- meth_or_NULL, self_or_attr): _PyObject_GetMethod. Inline: the
// site's cache (rt::AttrCache) for a method of the receiver's type that no instance
// attribute can shadow; out of line, its newest module entry ([NULL, module.attr]); else
// rt_load_method_ic on the frame slots (on failure obj is still on the stack there, as in
// ceval). All push two owned register items.
void emit_LOAD_METHOD(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  auto* cache = L.caches().New<rt::AttrCache>();
  cache->name = L.Name(in.oparg);
  const Value owner = L.Pop();
  const Reg self = L.ToReg(owner);
  L.OwnValue(owner, self);
  const Reg meth = L.AcquireReg();
  const int base = L.sp();
  Label miss = pa.NewLabel(), join = pa.NewLabel();
  pa.Comment("cached method");
  pa.LoadMethodInline(meth, self, cache, miss);
  pa.IncRef(meth);
  pa.Bind(join);
  L.Cold([&L, miss, join, self, meth, base, cache] {
    PyAsm& pa = L.pa();
    pa.Bind(miss);
    Label helper = pa.NewLabel();
    pa.LoadModuleAttrInline(meth, self, cache, helper);  // a module's function: NULL | attr
    pa.IncRef(meth);
    pa.DecRef(self);
    pa.Move(self, meth);
    pa.LoadImm(meth, 0);
    pa.Jump(join);
    pa.Bind(helper);
    pa.Store(L.Stack(base), self);
    pa.CallHelper(PJ_HELPER(rt_load_method_ic), {AAddress(L.Stack(base)), APtr(cache)});
    pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(base + 1));
    pa.Load(meth, L.Stack(base));
    pa.Load(self, L.Stack(base + 1));
    pa.Jump(join);
  });
  L.PushReg(meth);
  L.PushReg(self);
}

// KW_NAMES: no code; the following CALL carries the constant (Instr::kwnames).
void emit_KW_NAMES(Lowering& L, const Instr& in) {}

// PRECALL n: no code; rt_call unpacks [NULL, bound method] itself (see the file comment).
void emit_PRECALL(Lowering& L, const Instr& in) {}

// Releases the operands slots[base + i] for i in `order` after an inline builtin call
// (the result is held in a value register meanwhile).
void ReleaseSlots(Lowering& L, int base, const std::vector<int>& order) {
  PyAsm& pa = L.pa();
  for (int i : order) {
    pa.Load(Reg::kTmp0, L.Stack(base + i));
    pa.DecRef(Reg::kTmp0);
  }
}

// An inline builtin call of one form, then the releases in the order the interpreter makes
// them (rt_call's Finish: CALL's order, or a specialised METH_FASTCALL method-descriptor
// PRECALL's: the arguments after self, self, the descriptor), the result into r.
void InlineBuiltinCall(Lowering& L, const Instr& in, BuiltinCallSite site, Reg r, Label other,
                       Label have) {
  PyAsm& pa = L.pa();
  pa.BuiltinCall(site, other);
  pa.Move(r, Reg::kRet);
  std::vector<int> order;
  if (site.form == BuiltinCallSite::kDescr && in.descr_fast != 0) {
    for (int i = 2; i < in.oparg + 2; ++i) order.push_back(i);
    order.push_back(1);
    order.push_back(0);
  } else {
    for (int i = site.form == BuiltinCallSite::kDescr ? 0 : 1; i < in.oparg + 2; ++i)
      order.push_back(i);
  }
  ReleaseSlots(L, site.base, order);
  pa.Jump(have);
}

// CALL n (NULL_or_meth, callable_or_self, args[n] -- result) on the n + 2 items, materialised
// in their slots (the items below may stay virtual: nothing the call runs can see them).
// Without keywords the site first tries what its CallCache recorded at run time, inline: the
// compiled Python function it last called (DirectCall), a builtin method descriptor
// ([descr, self, args]; not when PUSH_NULL is known to be below) or builtin function
// ([NULL, func, args]) (BuiltinCall). With or without keywords, once the site has met one,
// any other callable with a vectorcall (VectorCall). Everything else, and every miss, goes
// to the site's handler (runtime/helpers_call.h: rt_call until the site specialises). Then
// the breaker.
// The result is pushed in a value register.
static void EmitCall(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const int base = L.sp() - in.oparg - 2;
  PyObject* kwnames = in.kwnames >= 0 ? L.Const(in.kwnames) : nullptr;  // kept by co_consts
  // which specialised method-descriptor PRECALL the interpreter runs here, if any
  const int arg = in.oparg | (in.descr_fast == 1   ? kCallDescrFast
                              : in.descr_fast == 2 ? kCallDescrFastWithKeywords
                                                   : 0);
  auto* cache = L.caches().New<CallCache>();
  const bool plain = L.Peek(in.oparg + 1).kind == Value::kNull;  // [NULL, callable, args]
  L.FlushFrom(base);
  const Reg r = L.AcquireReg();
  const Label handler = pa.NewLabel(), have = pa.NewLabel();
  if (kwnames == nullptr) {
    Label next = pa.NewLabel();
    DirectCallSite direct;
    direct.cache = cache;
    direct.base = base;
    direct.maybe_method = !plain;
    direct.oparg = in.oparg;
    pa.DirectCall(direct, next);
    pa.Move(r, Reg::kRet);
    pa.Jump(have);
    pa.Bind(next);
    BuiltinCallSite builtin;
    builtin.cache = cache;
    builtin.base = base;
    builtin.oparg = in.oparg;
    if (!plain) {
      next = pa.NewLabel();
      builtin.form = BuiltinCallSite::kDescr;
      InlineBuiltinCall(L, in, builtin, r, next, have);
      pa.Bind(next);
    }
    next = pa.NewLabel();
    builtin.form = BuiltinCallSite::kFunction;
    builtin.check_null = !plain;
    InlineBuiltinCall(L, in, builtin, r, next, have);
    pa.Bind(next);
  }
  {
    VectorCallSite vc;
    vc.cache = cache;
    vc.base = base;
    vc.oparg = in.oparg;
    vc.maybe_method = !plain;
    vc.kwnames = kwnames;
    vc.nkw = kwnames != nullptr ? static_cast<int>(PyTuple_GET_SIZE(kwnames)) : 0;
    vc.not_descr = in.descr_fast != 0;
    pa.VectorCall(vc, handler);
    pa.Move(r, Reg::kRet);
    if (!plain) {  // CALL's order: the callable (or the method), then the arguments
      pa.Load(Reg::kTmp0, L.Stack(base));
      pa.XDecRef(Reg::kTmp0);
    }
    std::vector<int> order;
    for (int i = 1; i < in.oparg + 2; ++i) order.push_back(i);
    ReleaseSlots(L, base, order);
    pa.Jump(have);
  }
  pa.Bind(handler);
  pa.CallIndirect(&cache->handler, "call site handler",
                  {ATstate(), AAddress(L.Stack(base)), AImm(arg), APtr(kwnames), APtr(cache)});
  pa.Move(r, Reg::kRet);
  pa.Bind(have);
  for (int i = 0; i < in.oparg + 2; ++i) L.Pop();
  pa.BranchIfZero(r, L.ErrorHere());
  L.PushReg(r);
  AfterCall(L, L.sp());
}

namespace {

constexpr int kFastCell = 0x40;  // CO_FAST_CELL of co_localspluskinds (internal/pycore_code.h)

bool IsName(PyObject* name, const char* text) {
  return PyUnicode_Check(name) && PyUnicode_CompareWithASCIIString(name, text) == 0;
}

// Whether `at` pushes a single value and touches nothing else (an argument of super(C, x)).
bool PushesOneValue(const Instr* at) {
  if (at == nullptr) return false;
  switch (at->opcode) {
    case frontend::LOAD_FAST: case frontend::LOAD_DEREF: case frontend::LOAD_CLASSDEREF:
    case frontend::LOAD_NAME: case frontend::LOAD_CONST:
      return true;
    case frontend::LOAD_GLOBAL:
      return !(at->oparg & 1);
    default:
      return false;
  }
}

// The shape of a CALL followed by LOAD_METHOD `lm` that can skip the super object:
// kZeroArg for `super().name` (LOAD_GLOBAL super with its NULL, PRECALL 0, CALL 0) in code
// with a first argument and a __class__ free variable (super_init_without_args looks it up
// by name; its local index in *class_index); kTwoArgs for `super(C, x).name` with two
// single-instruction arguments; kNone otherwise (or for the name __class__, which
// super_getattro never looks up).
enum class SuperShape { kNone, kZeroArg, kTwoArgs };
SuperShape SuperCallShape(Lowering& L, const Instr& call, const Instr* lm, int* class_index) {
  const int n = call.oparg;
  if ((n != 0 && n != 2) || call.kwnames >= 0 || lm == nullptr ||
      lm->opcode != frontend::LOAD_METHOD || IsName(L.Name(lm->oparg), "__class__"))
    return SuperShape::kNone;
  const Instr* precall = L.Preceding(1);
  const Instr* global = L.Preceding(2 + n);
  if (precall == nullptr || precall->opcode != frontend::PRECALL || precall->oparg != n ||
      global == nullptr || global->opcode != frontend::LOAD_GLOBAL || !(global->oparg & 1) ||
      !IsName(L.Name(global->oparg >> 1), "super"))
    return SuperShape::kNone;
  if (n == 2) {
    return PushesOneValue(L.Preceding(2)) && PushesOneValue(L.Preceding(3)) ? SuperShape::kTwoArgs
                                                                            : SuperShape::kNone;
  }
  PyCodeObject* co = L.code();
  if (co->co_argcount == 0) return SuperShape::kNone;
  for (int i = co->co_nlocals + co->co_nplaincellvars; i < co->co_nlocalsplus; ++i) {
    if (IsName(PyTuple_GET_ITEM(co->co_localsplusnames, i), "__class__")) {
      *class_index = i;
      return SuperShape::kZeroArg;
    }
  }
  return SuperShape::kNone;
}

// `super().name` / `super(C, x).name`: the CALL and the LOAD_METHOD after it emitted
// together. rt_super_method(_args) turns the call's items into [meth, self] when it can;
// otherwise the two instructions run as they are. Both ways meet with the whole stack in
// the frame.
void EmitSuperMethod(Lowering& L, const Instr& call, const Instr& lm, SuperShape shape,
                     int class_index) {
  PyAsm& pa = L.pa();
  PyCodeObject* co = L.code();
  L.Flush();
  const int base = L.sp() - 2 - call.oparg;
  auto* cache = L.caches().New<rt::SuperCache>();
  cache->name = L.Name(lm.oparg);
  Label ordinary = pa.NewLabel(), done = pa.NewLabel();
  pa.Comment("super() method");
  if (shape == SuperShape::kZeroArg) {
    const bool first_is_cell =
        (PyBytes_AS_STRING(co->co_localspluskinds)[0] & kFastCell) != 0;
    pa.CallHelper(PJ_HELPER(rt_super_method),
                  {AFrame(), AAddress(L.Stack(base)), AImm(first_is_cell ? 1 : 0),
                   AImm(static_cast<uint64_t>(class_index)), APtr(cache)});
  } else {
    pa.CallHelper(PJ_HELPER(rt_super_method_args), {AAddress(L.Stack(base)), APtr(cache)});
  }
  pa.BranchIfZero(Reg::kRet, ordinary);
  pa.Jump(done);
  pa.Bind(ordinary);
  EmitCall(L, call);
  L.FuseNext();
  L.SetPrevInstrUnit(lm.index);
  emit_LOAD_METHOD(L, lm);
  L.Flush();
  pa.Bind(done);
}

}  // namespace

// CALL n; `super().name(...)`'s CALL takes its LOAD_METHOD along (EmitSuperMethod).
void emit_CALL(Lowering& L, const Instr& in) {
  const Instr* lm = L.PeekNext();
  int class_index = -1;
  const SuperShape shape = SuperCallShape(L, in, lm, &class_index);
  if (shape != SuperShape::kNone) {
    EmitSuperMethod(L, in, *lm, shape, class_index);
    return;
  }
  EmitCall(L, in);
}

// CALL_FUNCTION_EX flags (NULL, func, callargs[, kwargs] -- result): kwargs when flags&1.
void emit_CALL_FUNCTION_EX(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const int has_kwargs = in.oparg & 1;
  const int base = L.depth() - 3 - has_kwargs;
  pa.CallHelper(PJ_HELPER(rt_call_function_ex),
                {ATstate(), AAddress(L.Stack(base)), AImm(has_kwargs),
                 APtr(L.caches().New<ExCallCache>())});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(base));
  AfterCall(L, base + 1);
}

// MAKE_FUNCTION flags ([defaults] [kwdefaults] [annotations] [closure] code -- func).
void emit_MAKE_FUNCTION(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  const int base = L.depth() - 1 - PopCount4(in.oparg);
  pa.CallHelper(PJ_HELPER(rt_make_function),
                {AFrame(), AAddress(L.Stack(base)), AImm(in.oparg & 0xf)});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(base));
}

// LOAD_BUILD_CLASS (-- builtins.__build_class__)
void emit_LOAD_BUILD_CLASS(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_load_build_class), {ATstate(), AFrame()});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth()));
  pa.Store(L.Stack(L.depth()), Reg::kRet);
}

// IMPORT_NAME namei (level, fromlist -- module)
void emit_IMPORT_NAME(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_import_name), {ATstate(), AFrame(), APtr(L.Name(in.oparg)),
                                            AValue(L.Top(1)), AValue(L.Top(0))});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth() - 2));
  pa.Store(L.Top(1), Reg::kRet);
}

// IMPORT_FROM namei (module -- module, value)
void emit_IMPORT_FROM(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_import_from),
                {ATstate(), AValue(L.Top()), APtr(L.Name(in.oparg))});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth()));
  pa.Store(L.Stack(L.depth()), Reg::kRet);
}

// IMPORT_STAR (module --): into the frame's locals, via the frame object.
void emit_IMPORT_STAR(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_import_star), {ATstate(), AFrame(), AValue(L.Top())});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 1));
}

// SETUP_ANNOTATIONS (--)
void emit_SETUP_ANNOTATIONS(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_setup_annotations), {ATstate(), AFrame()});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth()));
}

// PRINT_EXPR (value --): sys.displayhook(value)
void emit_PRINT_EXPR(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_print_expr), {ATstate(), AValue(L.Top())});
  pa.BranchIfNegative32(Reg::kRet, L.ErrorExit(L.depth() - 1));
}

// GET_LEN (obj -- obj, len)
void emit_GET_LEN(Lowering& L, const Instr& in) {
  PyAsm& pa = L.pa();
  pa.CallHelper(PJ_HELPER(rt_get_len), {AValue(L.Top())});
  pa.BranchIfZero(Reg::kRet, L.ErrorExit(L.depth()));
  pa.Store(L.Stack(L.depth()), Reg::kRet);
}

}  // namespace pyjion::x64
