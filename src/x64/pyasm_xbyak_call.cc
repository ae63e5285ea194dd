// The inline calls of a CALL site (x64 verbs DirectCall, BuiltinCall, VectorCall): machine
// code that checks the callable against what the site's rt::CallCache recorded at run time
// and then calls the callee itself, a compiled Python function through its direct entry
// (pyasm_xbyak_entry.cc), a builtin's C function or any other callable's vectorcall, with
// no helper in between. Anything that does not match goes to the site's handler
// (runtime/helpers_call.cc).
#include <Python.h>

#include "runtime/helpers_call.h"
#include "runtime/shim.h"
#include "x64/pyasm_xbyak.h"
#include "x64/regs.h"

namespace pyjion::x64 {

using namespace Xbyak::util;  // NOLINT: register names
namespace rg = regs;

// The operands of a CALL on the stack from slot base: callable, the address of its first
// argument and the count of positional arguments (count, one more with self) in nargs.
// [meth, self, args...] unless the first operand is NULL (when maybe_method), else
// [NULL, callable, args...].
void XbyakPyAsm::SelectCallee(int base, int count, bool maybe_method,
                              const Xbyak::Reg64& callable, const Xbyak::Reg64& args,
                              const Xbyak::Reg32& nargs) {
  const int first = SlotOffset(Slot::Stack(base));
  const int second = SlotOffset(Slot::Stack(base + 1));
  const int third = SlotOffset(Slot::Stack(base + 2));
  const Label known = NewLabel();
  if (maybe_method) {
    gen_->mov(callable, qword[rg::kFrame + first]);
    gen_->lea(args, ptr[rg::kFrame + second]);
    gen_->mov(nargs, count + 1);
    gen_->test(callable, callable);
    J(kNE, known);
  }
  gen_->mov(callable, qword[rg::kFrame + second]);
  gen_->lea(args, ptr[rg::kFrame + third]);
  gen_->mov(nargs, count);
  Here(known);
}

void XbyakPyAsm::DirectCall(const DirectCallSite& site, Label other) {
  const PjOffsets* o = pj_offsets();
  const int py = offsetof(CallCache, py);
  // rsi: the callable, rdx: its first argument, r8d: the argument count
  SelectCallee(site.base, site.oparg, site.maybe_method, rsi, rdx, r8d);
  gen_->mov(r11, reinterpret_cast<uint64_t>(&PyFunction_Type));
  gen_->cmp(qword[rsi + offsetof(PyObject, ob_type)], r11);
  J(kNE, other);
  gen_->mov(r10, reinterpret_cast<uint64_t>(site.cache));
  gen_->mov(rax, qword[rsi + offsetof(PyFunctionObject, func_code)]);
  gen_->cmp(rax, qword[r10 + py + offsetof(PjCallCache, last.code)]);
  J(kNE, other);
  gen_->mov(r11, reinterpret_cast<uint64_t>(pj_code_epoch_address()));
  gen_->mov(eax, dword[r11]);
  gen_->cmp(eax, dword[r10 + py + offsetof(PjCallCache, last.epoch)]);
  J(kNE, other);
  gen_->mov(r11, qword[r10 + py + offsetof(PjCallCache, last.target)]);
  gen_->cmp(dword[r11 + offsetof(PjDirectTarget, argcount)], r8d);
  J(kL, other);  // more arguments than parameters; fewer: the entry checks the defaults
  gen_->mov(rax, qword[r11 + offsetof(PjDirectTarget, direct_entry)]);
  gen_->test(rax, rax);
  J(kE, other);
  gen_->mov(rcx, qword[rg::kTstate + o->tstate_cframe]);
  gen_->cmp(byte[rcx + o->cframe_use_tracing], 0);
  J(kNE, other);
  gen_->mov(rcx, reinterpret_cast<uint64_t>(pj_hook_installed_address()));
  gen_->cmp(dword[rcx], 0);
  J(kE, other);
  CommitPrevInstr();
  gen_->mov(rdi, rg::kTstate);
  gen_->mov(ecx, r8d);
  gen_->call(rax);
  gen_->cmp(rax, static_cast<uint32_t>(reinterpret_cast<uintptr_t>(PJ_NOT_DIRECT)));
  J(kE, other);
}

// Guards (r10: the cache, r9: its inline_ml, rdi: self, rsi: the first argument's slot),
// then the call in the convention of inline_conv; the ones CPython checks the recursion
// depth for (METH_O but len and list.append, METH_NOARGS: method_vectorcall_O, ...) enter
// a level inline and leave for the handler, which raises, when the limit is reached.
void XbyakPyAsm::BuiltinCall(const BuiltinCallSite& site, Label other) {
  const int recursion = offsetof(PyThreadState, recursion_remaining);
  const auto first = qword[rg::kFrame + SlotOffset(Slot::Stack(site.base))];
  const auto second = qword[rg::kFrame + SlotOffset(Slot::Stack(site.base + 1))];
  const int args = SlotOffset(Slot::Stack(site.base + 2));
  gen_->mov(r10, reinterpret_cast<uint64_t>(site.cache));
  gen_->mov(r9, qword[r10 + offsetof(CallCache, inline_ml)]);
  if (site.form == BuiltinCallSite::kDescr) {
    gen_->mov(rax, first);
    gen_->test(rax, rax);
    J(kE, other);
    gen_->mov(r11, reinterpret_cast<uint64_t>(&PyMethodDescr_Type));
    gen_->cmp(qword[rax + offsetof(PyObject, ob_type)], r11);
    J(kNE, other);
    gen_->cmp(qword[rax + offsetof(PyMethodDescrObject, d_method)], r9);
    J(kNE, other);
    gen_->mov(rdi, second);
    gen_->mov(rcx, qword[rdi + offsetof(PyObject, ob_type)]);
    gen_->cmp(rcx, qword[r10 + offsetof(CallCache, inline_self_type)]);
    J(kNE, other);
  } else {
    if (site.check_null) {
      gen_->cmp(first, 0);
      J(kNE, other);
    }
    gen_->mov(rax, second);
    gen_->mov(r11, reinterpret_cast<uint64_t>(&PyCFunction_Type));
    gen_->cmp(qword[rax + offsetof(PyObject, ob_type)], r11);
    J(kNE, other);
    gen_->cmp(qword[rax + offsetof(PyCFunctionObject, m_ml)], r9);
    J(kNE, other);
    gen_->mov(rdi, qword[rax + offsetof(PyCFunctionObject, m_self)]);
  }
  CommitPrevInstr();  // clobbers r11 only
  gen_->lea(rsi, ptr[rg::kFrame + args]);
  const auto meth = qword[r9 + offsetof(PyMethodDef, ml_meth)];
  const Label done = NewLabel(), fast = NewLabel(), limit = NewLabel();
  // a convention other than FASTCALL only fits a count of 1 (METH_O) or 0 (METH_NOARGS)
  if (site.oparg <= 1) {
    const auto conv = byte[r10 + offsetof(CallCache, inline_conv)];
    gen_->cmp(conv, kInlineFast);
    J(kE, fast);
    if (site.oparg == 1) {
      const Label checked = NewLabel();
      gen_->mov(rsi, qword[rsi]);
      gen_->cmp(conv, kInlineOUnchecked);
      J(kNE, checked);
      gen_->call(meth);
      Jmp(done);
      Here(checked);
    } else {
      gen_->xor_(esi, esi);
    }
    gen_->sub(dword[rg::kTstate + recursion], 1);
    J(kS, limit);
    gen_->call(meth);
    gen_->add(dword[rg::kTstate + recursion], 1);
    Jmp(done);
    Here(fast);
  }
  gen_->mov(edx, site.oparg);
  gen_->xor_(ecx, ecx);
  gen_->call(meth);
  if (site.oparg <= 1) {
    Jmp(done);
    Here(limit);  // the handler raises RecursionError as CPython does
    gen_->add(dword[rg::kTstate + recursion], 1);
    Jmp(other);
  }
  Here(done);
}

// rdi: the callable, rsi: its first argument's slot, rdx: the positional count (then
// nargsf), rcx: the keyword names; r9: the vectorcall function.
void XbyakPyAsm::VectorCall(const VectorCallSite& site, Label other) {
  gen_->mov(r10, reinterpret_cast<uint64_t>(site.cache));
  gen_->cmp(byte[r10 + offsetof(CallCache, vectorcall)], 0);
  J(kE, other);
  SelectCallee(site.base, site.oparg - site.nkw, site.maybe_method, rdi, rsi, edx);
  gen_->mov(rax, qword[rdi + offsetof(PyObject, ob_type)]);
  auto exclude = [&](const void* type) {
    gen_->mov(r11, reinterpret_cast<uint64_t>(type));
    gen_->cmp(rax, r11);
    J(kE, other);
  };
  exclude(&PyFunction_Type);
  exclude(&PyMethod_Type);
  if (site.not_descr) exclude(&PyMethodDescr_Type);
  gen_->test(dword[rax + offsetof(PyTypeObject, tp_flags)], Py_TPFLAGS_HAVE_VECTORCALL);
  J(kE, other);
  gen_->mov(r9, qword[rax + offsetof(PyTypeObject, tp_vectorcall_offset)]);
  gen_->mov(r9, qword[rdi + r9]);
  gen_->test(r9, r9);
  J(kE, other);
  CommitPrevInstr();  // clobbers r11 only
  gen_->bts(rdx, 63);  // PY_VECTORCALL_ARGUMENTS_OFFSET
  gen_->mov(rcx, reinterpret_cast<uint64_t>(site.kwnames));
  gen_->call(r9);
}

}  // namespace pyjion::x64
