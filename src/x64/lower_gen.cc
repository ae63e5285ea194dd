// Lowerings of generators, coroutines, async and except* (not compiled yet: the function runs in the interpreter):
// RETURN_GENERATOR YIELD_VALUE SEND GET_AWAITABLE GET_AITER GET_ANEXT BEFORE_ASYNC_WITH END_ASYNC_FOR GET_YIELD_FROM_ITER ASYNC_GEN_WRAP CHECK_EG_MATCH PREP_RERAISE_STAR.
#include "x64/lowering.h"

namespace pyjion::x64 {

void emit_RETURN_GENERATOR(Lowering& L, const Instr& in) { L.Refuse("opcode RETURN_GENERATOR is not compiled yet"); }
void emit_YIELD_VALUE(Lowering& L, const Instr& in) { L.Refuse("opcode YIELD_VALUE is not compiled yet"); }
void emit_SEND(Lowering& L, const Instr& in) { L.Refuse("opcode SEND is not compiled yet"); }
void emit_GET_AWAITABLE(Lowering& L, const Instr& in) { L.Refuse("opcode GET_AWAITABLE is not compiled yet"); }
void emit_GET_AITER(Lowering& L, const Instr& in) { L.Refuse("opcode GET_AITER is not compiled yet"); }
void emit_GET_ANEXT(Lowering& L, const Instr& in) { L.Refuse("opcode GET_ANEXT is not compiled yet"); }
void emit_BEFORE_ASYNC_WITH(Lowering& L, const Instr& in) { L.Refuse("opcode BEFORE_ASYNC_WITH is not compiled yet"); }
void emit_END_ASYNC_FOR(Lowering& L, const Instr& in) { L.Refuse("opcode END_ASYNC_FOR is not compiled yet"); }
void emit_GET_YIELD_FROM_ITER(Lowering& L, const Instr& in) { L.Refuse("opcode GET_YIELD_FROM_ITER is not compiled yet"); }
void emit_ASYNC_GEN_WRAP(Lowering& L, const Instr& in) { L.Refuse("opcode ASYNC_GEN_WRAP is not compiled yet"); }
void emit_CHECK_EG_MATCH(Lowering& L, const Instr& in) { L.Refuse("opcode CHECK_EG_MATCH is not compiled yet"); }
void emit_PREP_RERAISE_STAR(Lowering& L, const Instr& in) { L.Refuse("opcode PREP_RERAISE_STAR is not compiled yet"); }

}  // namespace pyjion::x64
