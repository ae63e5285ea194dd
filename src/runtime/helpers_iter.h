// FOR_ITER fused with UNPACK_SEQUENCE 2 (`for a, b in ...`) over the iterators whose every
// step makes a pair: enumerate, dict items, zip of two (runtime/helpers_iter.cc); and the
// layout check of the dict iterators FOR_ITER steps inline.
#pragma once

#include <Python.h>

extern "C" {

// Steps iter (borrowed) as its tp_iternext does, the result tuple it keeps for reuse
// included, but writes the pair into slots as UNPACK_SEQUENCE 2 would leave it (slots[0] =
// the second item, slots[1] = the first, new references), so no tuple is built or unpacked.
// 1: the pair is written; 0: the iterator's source returned NULL (exhausted, or an error is
// set: rt_for_iter_end tells which); -1: not an iterator handled here, or one in a state
// its tp_iternext must settle (its end, a change during iteration), nothing done.
long rt_for_iter_pair(PyObject* iter, PyObject** slots);

}  // extern "C"

namespace pyjion::rt {
// Whether the private layouts rt_for_iter_pair reads (enumerate, dict iterators, zip) are
// the ones it expects (checked once, at first use); when not, nothing calls it.
bool PairIterLayoutsKnown();
// Whether dict key and value iterators (dictobject.c's dictiterobject: dict, used, position,
// result, remaining length) are laid out as FOR_ITER's inline step reads them.
bool DictIterLayoutKnown();
}  // namespace pyjion::rt
