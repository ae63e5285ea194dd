// Lowerings of calls, function and class creation, imports and module-level statements:
// LOAD_METHOD KW_NAMES PRECALL CALL CALL_FUNCTION_EX MAKE_FUNCTION LOAD_BUILD_CLASS IMPORT_NAME IMPORT_FROM IMPORT_STAR SETUP_ANNOTATIONS PRINT_EXPR GET_LEN.
#include "x64/lowering.h"

namespace pyjion::x64 {

void emit_LOAD_METHOD(Lowering& L, const Instr& in) { L.Refuse("opcode LOAD_METHOD is not compiled yet"); }
void emit_KW_NAMES(Lowering& L, const Instr& in) { L.Refuse("opcode KW_NAMES is not compiled yet"); }
void emit_PRECALL(Lowering& L, const Instr& in) { L.Refuse("opcode PRECALL is not compiled yet"); }
void emit_CALL(Lowering& L, const Instr& in) { L.Refuse("opcode CALL is not compiled yet"); }
void emit_CALL_FUNCTION_EX(Lowering& L, const Instr& in) { L.Refuse("opcode CALL_FUNCTION_EX is not compiled yet"); }
void emit_MAKE_FUNCTION(Lowering& L, const Instr& in) { L.Refuse("opcode MAKE_FUNCTION is not compiled yet"); }
void emit_LOAD_BUILD_CLASS(Lowering& L, const Instr& in) { L.Refuse("opcode LOAD_BUILD_CLASS is not compiled yet"); }
void emit_IMPORT_NAME(Lowering& L, const Instr& in) { L.Refuse("opcode IMPORT_NAME is not compiled yet"); }
void emit_IMPORT_FROM(Lowering& L, const Instr& in) { L.Refuse("opcode IMPORT_FROM is not compiled yet"); }
void emit_IMPORT_STAR(Lowering& L, const Instr& in) { L.Refuse("opcode IMPORT_STAR is not compiled yet"); }
void emit_SETUP_ANNOTATIONS(Lowering& L, const Instr& in) { L.Refuse("opcode SETUP_ANNOTATIONS is not compiled yet"); }
void emit_PRINT_EXPR(Lowering& L, const Instr& in) { L.Refuse("opcode PRINT_EXPR is not compiled yet"); }
void emit_GET_LEN(Lowering& L, const Instr& in) { L.Refuse("opcode GET_LEN is not compiled yet"); }

}  // namespace pyjion::x64
