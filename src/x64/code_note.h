// CodeNote: one annotation of emitted machine code (an instruction start, a comment, a
// helper call), kept for dumps (pyjion_x64.native, pyjion_x64.dis). Stored as pointers to
// static strings and rendered only when asked for: compiling builds no strings.
#pragma once

#include <cstddef>
#include <string>

namespace pyjion::x64 {

struct CodeNote {
  enum Kind : unsigned char { kComment, kInstr, kCall, kCallIndirect };
  size_t offset = 0;           // native byte offset
  Kind kind = kComment;
  int unit = 0;                // kInstr: the instruction's code unit index
  const char* text = nullptr;  // static: the comment, opcode name or callee name
};

// "2 LOAD_FAST", "call rt_load_global", "call *call site handler" or the comment.
inline std::string NoteText(const CodeNote& n) {
  switch (n.kind) {
    case CodeNote::kInstr: return std::to_string(n.unit * 2) + " " + n.text;
    case CodeNote::kCall: return std::string("call ") + n.text;
    case CodeNote::kCallIndirect: return std::string("call *") + n.text;
    case CodeNote::kComment: break;
  }
  return n.text;
}

}  // namespace pyjion::x64
