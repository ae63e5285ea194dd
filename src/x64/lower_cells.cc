// Lowerings of names, globals, cells and free variables:
// LOAD_CLOSURE LOAD_DEREF STORE_DEREF DELETE_DEREF LOAD_CLASSDEREF MAKE_CELL COPY_FREE_VARS LOAD_GLOBAL STORE_GLOBAL DELETE_GLOBAL LOAD_NAME STORE_NAME DELETE_NAME.
#include "x64/lowering.h"

namespace pyjion::x64 {

void emit_LOAD_CLOSURE(Lowering& L, const Instr& in) { L.Refuse("opcode LOAD_CLOSURE is not compiled yet"); }
void emit_LOAD_DEREF(Lowering& L, const Instr& in) { L.Refuse("opcode LOAD_DEREF is not compiled yet"); }
void emit_STORE_DEREF(Lowering& L, const Instr& in) { L.Refuse("opcode STORE_DEREF is not compiled yet"); }
void emit_DELETE_DEREF(Lowering& L, const Instr& in) { L.Refuse("opcode DELETE_DEREF is not compiled yet"); }
void emit_LOAD_CLASSDEREF(Lowering& L, const Instr& in) { L.Refuse("opcode LOAD_CLASSDEREF is not compiled yet"); }
void emit_MAKE_CELL(Lowering& L, const Instr& in) { L.Refuse("opcode MAKE_CELL is not compiled yet"); }
void emit_COPY_FREE_VARS(Lowering& L, const Instr& in) { L.Refuse("opcode COPY_FREE_VARS is not compiled yet"); }
void emit_LOAD_GLOBAL(Lowering& L, const Instr& in) { L.Refuse("opcode LOAD_GLOBAL is not compiled yet"); }
void emit_STORE_GLOBAL(Lowering& L, const Instr& in) { L.Refuse("opcode STORE_GLOBAL is not compiled yet"); }
void emit_DELETE_GLOBAL(Lowering& L, const Instr& in) { L.Refuse("opcode DELETE_GLOBAL is not compiled yet"); }
void emit_LOAD_NAME(Lowering& L, const Instr& in) { L.Refuse("opcode LOAD_NAME is not compiled yet"); }
void emit_STORE_NAME(Lowering& L, const Instr& in) { L.Refuse("opcode STORE_NAME is not compiled yet"); }
void emit_DELETE_NAME(Lowering& L, const Instr& in) { L.Refuse("opcode DELETE_NAME is not compiled yet"); }

}  // namespace pyjion::x64
