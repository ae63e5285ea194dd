// XbyakPyAsm::DirectEntry: the direct entry of a compiled function (runtime/shim.h,
// PjDirectEntry), so that a compiled caller (or pj_call_cached) runs it without the
// interpreter's call machinery. It is CPython 3.11's inlined call with this function's own
// numbers baked in: push the frame on the thread's data stack (_PyFrame_PushUnchecked),
// initialise it (_PyFrame_InitializeSpecials), move the arguments in (the function's
// defaults for those not given) and clear the other locals, link it (frame->previous, cframe->current_frame), enter a recursion level, call
// the body (offset 0, the ordinary native entry), leave, unlink, and clear and pop the frame
// (_PyEvalFrameClearAndPop: the locals in order, f_locals, f_func, f_code). A frame object
// that outlives the call and a deopt to the interpreter take C slow paths; no room on the
// data stack or the C stack returns PJ_NOT_DIRECT before anything is consumed.
#include <Python.h>

#include "runtime/shim.h"
#include "x64/pyasm_xbyak.h"
#include "x64/regs.h"

namespace pyjion::x64 {

using namespace Xbyak::util;  // NOLINT: register names
namespace rg = regs;

void XbyakPyAsm::DirectEntry(const DirectEntryLayout& d, Label entry, Label body) {
  const PjOffsets* o = pj_offsets();
  const int kRefcnt = offsetof(PyObject, ob_refcnt);
  const Label no_room = NewLabel(), recursion = NewLabel(), ran = NewLabel();
  const Label deopt = NewLabel(), keep_frame = NewLabel(), done = NewLabel();
  const auto& tstate = r13;
  const auto& frame = r12;
  const auto& result = rbx;
  auto local = [&](int i) { return qword[frame + o->frame_localsplus + 8 * i]; };
  // Releases the reference in rdi if any (the dealloc call may run arbitrary code).
  auto xdecref_rdi = [&]() {
    const Label skip = NewLabel();
    gen_->test(rdi, rdi);
    J(kE, skip);
    RefTotal(-1);  // before the dec: it sets the flags the branch reads
    gen_->dec(qword[rdi + kRefcnt]);
    J(kNE, skip);
    gen_->mov(rax, reinterpret_cast<uint64_t>(&_Py_Dealloc));
    gen_->call(rax);
    Here(skip);
  };

  Here(entry);
  prev_spec_ = {};
  for (const Xbyak::Reg64* r : {&rbp, &rbx, &r12, &r13, &r14, &r15}) gen_->push(*r);
  gen_->sub(rsp, 8);
  gen_->mov(tstate, rdi);
  // ecx: the argument count; fewer than argcount only if the defaults give the rest
  const Label exact = NewLabel();
  gen_->cmp(ecx, d.argcount);
  J(kE, exact);
  J(kG, no_room);
  gen_->mov(rax, qword[rsi + offsetof(PyFunctionObject, func_defaults)]);
  gen_->test(rax, rax);
  J(kE, no_room);
  gen_->mov(r11d, d.argcount);
  gen_->sub(r11d, ecx);  // the defaults needed
  gen_->cmp(qword[rax + offsetof(PyVarObject, ob_size)], r11);
  J(kL, no_room);
  Here(exact);
  gen_->mov(r14d, ecx);  // kept across the calls below
  // the C stack, as pj_eval_frame checks it (below the floor: let the ordinary call raise)
  // mov r11, fs:[0]: the thread pointer (the TCB's pointer to itself), encoded by hand
  // (absolute disp32 0 through a SIB byte; xbyak has no segment overrides)
  for (uint8_t byte : {0x64, 0x4c, 0x8b, 0x1c, 0x25, 0x00, 0x00, 0x00, 0x00}) gen_->db(byte);
  gen_->mov(r11, qword[r11 + static_cast<int32_t>(o->stack_floor_tls)]);
  gen_->cmp(rsp, r11);
  J(kB, no_room);
  // the data stack: room for this frame in the current chunk?
  gen_->mov(frame, qword[tstate + o->tstate_datastack_top]);
  gen_->test(frame, frame);
  J(kE, no_room);
  gen_->lea(rax, ptr[frame + 8 * d.framesize]);
  gen_->cmp(rax, qword[tstate + o->tstate_datastack_limit]);
  J(kAE, no_room);
  gen_->mov(qword[tstate + o->tstate_datastack_top], rax);

  // _PyFrame_InitializeSpecials: the frame takes the function's reference
  gen_->mov(qword[frame + o->frame_f_func], rsi);
  gen_->mov(rax, reinterpret_cast<uint64_t>(d.code));
  gen_->inc(qword[rax + kRefcnt]);
  RefTotal(+1);
  gen_->mov(qword[frame + o->frame_f_code], rax);
  gen_->mov(rax, qword[rsi + offsetof(PyFunctionObject, func_builtins)]);
  gen_->mov(qword[frame + o->frame_f_builtins], rax);
  gen_->mov(rax, qword[rsi + offsetof(PyFunctionObject, func_globals)]);
  gen_->mov(qword[frame + o->frame_f_globals], rax);
  gen_->xor_(eax, eax);
  gen_->mov(qword[frame + o->frame_f_locals], rax);
  gen_->mov(qword[frame + o->frame_frame_obj], rax);
  gen_->mov(word[frame + o->frame_is_entry], ax);  // is_entry false, owned by the thread
  gen_->mov(dword[frame + o->frame_stacktop], -1);  // running
  gen_->mov(rcx, reinterpret_cast<uint64_t>(d.first_instr - 1));
  gen_->mov(qword[frame + o->frame_prev_instr], rcx);
  for (int i = d.argcount; i < d.nlocalsplus; ++i) gen_->mov(local(i), rax);
  const Label moved = NewLabel(), with_defaults = NewLabel();
  gen_->cmp(r14d, d.argcount);
  J(kNE, with_defaults);
  for (int i = 0; i < d.argcount; ++i) {  // the arguments' references move in
    gen_->mov(rcx, qword[rdx + 8 * i]);
    gen_->mov(local(i), rcx);
  }
  Here(moved);
  gen_->mov(rcx, reinterpret_cast<uint64_t>(d.run_count));
  gen_->inc(qword[rcx]);

  // link the frame
  gen_->mov(rcx, qword[tstate + o->tstate_cframe]);
  gen_->mov(rax, qword[rcx + o->cframe_current_frame]);
  gen_->mov(qword[frame + o->frame_previous], rax);
  gen_->mov(qword[rcx + o->cframe_current_frame], frame);
  // _Py_EnterRecursiveCallTstate: recursion_remaining-- <= 0 && _Py_CheckRecursiveCall
  gen_->mov(eax, dword[tstate + o->tstate_recursion_remaining]);
  gen_->lea(ecx, ptr[rax - 1]);
  gen_->mov(dword[tstate + o->tstate_recursion_remaining], ecx);
  gen_->test(eax, eax);
  J(kLE, recursion);
  gen_->mov(rdi, tstate);
  gen_->mov(rsi, frame);
  CallLabel(body);  // the ordinary native entry: (tstate, frame) -> result
  Here(ran);
  gen_->mov(result, rax);
  // leave the recursion level, unlink
  gen_->inc(dword[tstate + o->tstate_recursion_remaining]);
  gen_->mov(rcx, qword[tstate + o->tstate_cframe]);
  gen_->mov(rax, qword[frame + o->frame_previous]);
  gen_->mov(qword[rcx + o->cframe_current_frame], rax);
  gen_->cmp(result, reinterpret_cast<uint64_t>(PJ_DEOPT));
  J(kE, deopt);

  // _PyEvalFrameClearAndPop (the frame object case goes to C)
  const Label clear = NewLabel();
  Here(clear);
  gen_->cmp(qword[frame + o->frame_frame_obj], 0);
  J(kNE, keep_frame);
  gen_->dec(dword[tstate + o->tstate_recursion_remaining]);
  for (int i = 0; i < d.nlocalsplus; ++i) {
    gen_->mov(rdi, local(i));
    xdecref_rdi();
  }
  gen_->mov(rdi, qword[frame + o->frame_f_locals]);
  xdecref_rdi();
  gen_->mov(rdi, qword[frame + o->frame_f_func]);
  xdecref_rdi();
  gen_->mov(rdi, qword[frame + o->frame_f_code]);
  xdecref_rdi();
  gen_->inc(dword[tstate + o->tstate_recursion_remaining]);
  gen_->mov(qword[tstate + o->tstate_datastack_top], frame);
  Here(done);
  gen_->mov(rax, result);
  gen_->add(rsp, 8);
  for (const Xbyak::Reg64* r : {&r15, &r14, &r13, &r12, &rbx, &rbp}) gen_->pop(*r);
  gen_->ret();

  Here(no_room);  // nothing consumed: the caller makes an ordinary call
  gen_->mov(eax, static_cast<uint32_t>(reinterpret_cast<uintptr_t>(PJ_NOT_DIRECT)));
  gen_->mov(result, rax);
  Jmp(done);

  Here(recursion);  // at the limit: RecursionError unless in overflow recovery
  gen_->mov(rdi, tstate);
  gen_->mov(rax, reinterpret_cast<uint64_t>(&pj_check_recursive_call));
  gen_->call(rax);
  const Label allowed = NewLabel();
  gen_->test(eax, eax);
  J(kE, allowed);
  gen_->dec(dword[tstate + o->tstate_recursion_remaining]);  // as ceval's exit_unwind path
  gen_->xor_(eax, eax);
  Jmp(ran);
  Here(allowed);
  gen_->mov(rdi, tstate);
  gen_->mov(rsi, frame);
  CallLabel(body);
  Jmp(ran);

  Here(with_defaults);  // the arguments given, then the defaults for the rest
  gen_->lea(rdi, local(0));
  gen_->mov(ecx, r14d);
  gen_->mov(r8d, d.argcount);
  gen_->mov(rax, reinterpret_cast<uint64_t>(&pj_direct_args_with_defaults));
  gen_->call(rax);
  Jmp(moved);

  Here(deopt);  // the interpreter runs the rest, then the frame is popped in C
  gen_->mov(rdi, tstate);
  gen_->mov(rsi, frame);
  gen_->mov(rax, reinterpret_cast<uint64_t>(&pj_direct_deopt));
  gen_->call(rax);
  gen_->mov(result, rax);
  Here(keep_frame);
  gen_->mov(rdi, tstate);
  gen_->mov(rsi, frame);
  gen_->mov(rax, reinterpret_cast<uint64_t>(&pj_direct_clear_and_pop));
  gen_->call(rax);
  Jmp(done);
}

}  // namespace pyjion::x64
