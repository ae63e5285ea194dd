// Physical register roles of compiled code, named once with the reason for each.
// Only pyasm_xbyak.cc includes this file; lowerings use the virtual Reg names of pyasm.h.
#pragma once

#include <xbyak/xbyak.h>

namespace pyjion::x64::regs {

using Xbyak::Reg64;
namespace R = Xbyak::util;

// Fixed roles: callee-saved in the SysV ABI, so they survive every helper call.
inline const Reg64& kFrame = R::r12;       // _PyInterpreterFrame*: locals and stack live there
inline const Reg64& kTstate = R::r13;      // PyThreadState*: first argument of most helpers
inline const Reg64& kFirstInstr = R::r14;  // _PyCode_CODE(co): base for frame->prev_instr

// Virtual registers of pyasm.h.
inline const Reg64& kRet = R::rax;         // helper results
inline const Reg64& Arg(int i) {  // SysV integer argument order
  static const Reg64* const kArgs[6] = {&R::rdi, &R::rsi, &R::rdx, &R::rcx, &R::r8, &R::r9};
  return *kArgs[i];
}
inline const Reg64& kTmp0 = R::r10;        // caller-saved scratch for lowerings
inline const Reg64& kKeep0 = R::rbx;       // callee-saved: values that must survive a call
inline const Reg64& kKeep1 = R::rbp;
inline const Reg64& kKeep2 = R::r15;

// Private scratch of the xbyak implementation; never handed to lowerings.
inline const Reg64& kScratch = R::r11;

}  // namespace pyjion::x64::regs
