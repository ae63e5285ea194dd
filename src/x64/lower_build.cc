// Lowerings of building and unpacking containers, f-strings:
// BUILD_TUPLE BUILD_LIST BUILD_SET BUILD_MAP BUILD_CONST_KEY_MAP BUILD_STRING LIST_APPEND SET_ADD MAP_ADD LIST_EXTEND SET_UPDATE DICT_UPDATE DICT_MERGE LIST_TO_TUPLE FORMAT_VALUE UNPACK_SEQUENCE UNPACK_EX.
#include "x64/lowering.h"

namespace pyjion::x64 {

void emit_BUILD_TUPLE(Lowering& L, const Instr& in) { L.Refuse("opcode BUILD_TUPLE is not compiled yet"); }
void emit_BUILD_LIST(Lowering& L, const Instr& in) { L.Refuse("opcode BUILD_LIST is not compiled yet"); }
void emit_BUILD_SET(Lowering& L, const Instr& in) { L.Refuse("opcode BUILD_SET is not compiled yet"); }
void emit_BUILD_MAP(Lowering& L, const Instr& in) { L.Refuse("opcode BUILD_MAP is not compiled yet"); }
void emit_BUILD_CONST_KEY_MAP(Lowering& L, const Instr& in) { L.Refuse("opcode BUILD_CONST_KEY_MAP is not compiled yet"); }
void emit_BUILD_STRING(Lowering& L, const Instr& in) { L.Refuse("opcode BUILD_STRING is not compiled yet"); }
void emit_LIST_APPEND(Lowering& L, const Instr& in) { L.Refuse("opcode LIST_APPEND is not compiled yet"); }
void emit_SET_ADD(Lowering& L, const Instr& in) { L.Refuse("opcode SET_ADD is not compiled yet"); }
void emit_MAP_ADD(Lowering& L, const Instr& in) { L.Refuse("opcode MAP_ADD is not compiled yet"); }
void emit_LIST_EXTEND(Lowering& L, const Instr& in) { L.Refuse("opcode LIST_EXTEND is not compiled yet"); }
void emit_SET_UPDATE(Lowering& L, const Instr& in) { L.Refuse("opcode SET_UPDATE is not compiled yet"); }
void emit_DICT_UPDATE(Lowering& L, const Instr& in) { L.Refuse("opcode DICT_UPDATE is not compiled yet"); }
void emit_DICT_MERGE(Lowering& L, const Instr& in) { L.Refuse("opcode DICT_MERGE is not compiled yet"); }
void emit_LIST_TO_TUPLE(Lowering& L, const Instr& in) { L.Refuse("opcode LIST_TO_TUPLE is not compiled yet"); }
void emit_FORMAT_VALUE(Lowering& L, const Instr& in) { L.Refuse("opcode FORMAT_VALUE is not compiled yet"); }
void emit_UNPACK_SEQUENCE(Lowering& L, const Instr& in) { L.Refuse("opcode UNPACK_SEQUENCE is not compiled yet"); }
void emit_UNPACK_EX(Lowering& L, const Instr& in) { L.Refuse("opcode UNPACK_EX is not compiled yet"); }

}  // namespace pyjion::x64
