// What the lowering knows about one item of the operand stack at compile time (a Value),
// the building block of the virtual operand stack kept by Lowering (lowering.h).
//
// The interpreter keeps every stack item as an owned reference in frame->localsplus. The
// lowering defers that: an item may instead be a constant or a fast local that was pushed
// and not yet copied (borrowed: no reference is taken until something needs one), a NULL,
// or an owned reference held in a callee-saved value register. Items are written to their
// frame slots ("materialised") only where something can observe the frame's stack: block
// boundaries, error exits, deopts and the lowerings that work on frame memory.
#pragma once

#include <Python.h>

#include <cstdint>

#include "x64/pyasm.h"

namespace pyjion::x64 {

struct Value {
  enum Kind : uint8_t {
    kSlot,   // owned, in its own frame slot (Stack(position))
    kConst,  // borrowed: co_consts[i] (`obj`), kept alive by the code object
    kLocal,  // borrowed: the current value of fast local `local`, known to be bound
    kNull,   // the NULL of PUSH_NULL / LOAD_GLOBAL's low bit
    kReg,    // owned, in value register `reg` (kKeep0..kKeep2)
  };
  Kind kind = kSlot;
  int position = 0;         // stack position (kSlot: where the value is)
  int local = -1;           // kLocal
  PyObject* obj = nullptr;  // kConst
  Reg reg = Reg::kRet;      // kReg

  static Value Slot(int position) { Value v; v.kind = kSlot; v.position = position; return v; }
  static Value Const(PyObject* o) { Value v; v.kind = kConst; v.obj = o; return v; }
  static Value Local(int i) { Value v; v.kind = kLocal; v.local = i; return v; }
  static Value Null() { Value v; v.kind = kNull; return v; }
  static Value InReg(Reg r) { Value v; v.kind = kReg; v.reg = r; return v; }

  // An owned reference must be released by whoever consumes the item; a borrowed one must
  // be increfed by whoever keeps it. NULL is neither.
  bool owned() const { return kind == kSlot || kind == kReg; }
  bool borrowed() const { return kind == kConst || kind == kLocal; }
  // The exact type, when known at compile time (constants).
  PyTypeObject* known_type() const { return kind == kConst ? Py_TYPE(obj) : nullptr; }

  bool operator==(const Value& o) const {
    if (kind != o.kind) return false;
    switch (kind) {
      case kSlot: return position == o.position;
      case kConst: return obj == o.obj;
      case kLocal: return local == o.local;
      case kNull: return true;
      case kReg: return reg == o.reg;
    }
    return false;
  }
  bool operator<(const Value& o) const {  // any strict order, for error-exit keys
    if (kind != o.kind) return kind < o.kind;
    switch (kind) {
      case kSlot: return position < o.position;
      case kConst: return obj < o.obj;
      case kLocal: return local < o.local;
      case kNull: return false;
      case kReg: return reg < o.reg;
    }
    return false;
  }
};

}  // namespace pyjion::x64
