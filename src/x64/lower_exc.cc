// Lowerings of raising and handling exceptions, and `with`:
// RAISE_VARARGS RERAISE PUSH_EXC_INFO POP_EXCEPT CHECK_EXC_MATCH BEFORE_WITH WITH_EXCEPT_START LOAD_ASSERTION_ERROR.
#include "x64/lowering.h"

namespace pyjion::x64 {

void emit_RAISE_VARARGS(Lowering& L, const Instr& in) { L.Refuse("opcode RAISE_VARARGS is not compiled yet"); }
void emit_RERAISE(Lowering& L, const Instr& in) { L.Refuse("opcode RERAISE is not compiled yet"); }
void emit_PUSH_EXC_INFO(Lowering& L, const Instr& in) { L.Refuse("opcode PUSH_EXC_INFO is not compiled yet"); }
void emit_POP_EXCEPT(Lowering& L, const Instr& in) { L.Refuse("opcode POP_EXCEPT is not compiled yet"); }
void emit_CHECK_EXC_MATCH(Lowering& L, const Instr& in) { L.Refuse("opcode CHECK_EXC_MATCH is not compiled yet"); }
void emit_BEFORE_WITH(Lowering& L, const Instr& in) { L.Refuse("opcode BEFORE_WITH is not compiled yet"); }
void emit_WITH_EXCEPT_START(Lowering& L, const Instr& in) { L.Refuse("opcode WITH_EXCEPT_START is not compiled yet"); }
void emit_LOAD_ASSERTION_ERROR(Lowering& L, const Instr& in) { L.Refuse("opcode LOAD_ASSERTION_ERROR is not compiled yet"); }

}  // namespace pyjion::x64
