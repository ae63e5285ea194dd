// Lowerings of attributes, subscripts and slices:
// BINARY_SUBSCR STORE_SUBSCR DELETE_SUBSCR BUILD_SLICE LOAD_ATTR STORE_ATTR DELETE_ATTR.
#include "x64/lowering.h"

namespace pyjion::x64 {

void emit_BINARY_SUBSCR(Lowering& L, const Instr& in) { L.Refuse("opcode BINARY_SUBSCR is not compiled yet"); }
void emit_STORE_SUBSCR(Lowering& L, const Instr& in) { L.Refuse("opcode STORE_SUBSCR is not compiled yet"); }
void emit_DELETE_SUBSCR(Lowering& L, const Instr& in) { L.Refuse("opcode DELETE_SUBSCR is not compiled yet"); }
void emit_BUILD_SLICE(Lowering& L, const Instr& in) { L.Refuse("opcode BUILD_SLICE is not compiled yet"); }
void emit_LOAD_ATTR(Lowering& L, const Instr& in) { L.Refuse("opcode LOAD_ATTR is not compiled yet"); }
void emit_STORE_ATTR(Lowering& L, const Instr& in) { L.Refuse("opcode STORE_ATTR is not compiled yet"); }
void emit_DELETE_ATTR(Lowering& L, const Instr& in) { L.Refuse("opcode DELETE_ATTR is not compiled yet"); }

}  // namespace pyjion::x64
