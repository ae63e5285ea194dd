// Runtime helpers of the containers families: subscripts, slices and attributes
// (lower_attr.cc), and building, extending and unpacking containers and f-strings
// (lower_build.cc). Semantics, messages and stack effects follow CPython 3.11's
// Python/ceval.c (BINARY_SUBSCR ... UNPACK_EX, unpack_iterable, format_kwargs_error).
//
// Ownership follows helpers.h: every stack operand passed in is STOLEN (released on success
// and on failure) unless the comment says "borrows". PyObject* helpers return a new
// reference or NULL with an exception set; int helpers return 0, or -1 with an exception.
// `items` arguments point into the frame's operand stack (AAddress of a slot): n items,
// deepest first, all stolen.
#pragma once

#include <Python.h>

extern "C" {

// ---- subscripts, slices, attributes ------------------------------------------------------
// BINARY_SUBSCR on an exact dict calls PyDict_GetItemWithError itself (borrowing dict and
// key); when that finds nothing, this sets the KeyError (unless the lookup raised), as
// dict_subscript and BINARY_SUBSCR_DICT do. Borrows sub.
void rt_dict_key_missing(PyObject* sub);
// dict_shim.c: dict[key] for an exact dict and an exact str key through the site's entry
// index hint (a Py_ssize_t, 0 at first); as PyDict_GetItemWithError (borrowed, NULL if
// absent or on an error).
PyObject* pj_dict_get_str_hinted(PyObject* dict, PyObject* key, Py_ssize_t* hint);
// BUILD_SLICE 2 fused with the BINARY_SUBSCR after it (container, start, stop -- item),
// stealing all three: exact str/list/tuple with None or exact int bounds sliced directly,
// no slice object made; anything else as the two instructions do.
PyObject* rt_subscr_slice(PyObject* container, PyObject* start, PyObject* stop);
int rt_store_subscr(PyObject* value, PyObject* container, PyObject* sub);
int rt_store_subscr_dict(PyObject* value, PyObject* dict, PyObject* sub);  // exact dict only
// STORE_SUBSCR_DICT's release order (the specialised instruction).
int rt_store_subscr_dict_specialised(PyObject* value, PyObject* dict, PyObject* sub);  // exact dict only
int rt_delete_subscr(PyObject* container, PyObject* sub);
PyObject* rt_build_slice(PyObject* start, PyObject* stop, PyObject* step);  // step may be NULL
PyObject* rt_load_attr(PyObject* owner, PyObject* name);               // borrows name
int rt_store_attr(PyObject* value, PyObject* owner, PyObject* name);   // borrows name
int rt_delete_attr(PyObject* owner, PyObject* name);                   // borrows name

// ---- building containers ---------------------------------------------------------------
PyObject* rt_build_tuple(PyObject** items, int n);
PyObject* rt_build_list(PyObject** items, int n);
PyObject* rt_build_set(PyObject** items, int n);
PyObject* rt_build_map(PyObject** items, int n);  // key0, value0, key1, value1, ...
// values: n values, then keys (a tuple of n keys; anything else is a SystemError).
PyObject* rt_build_const_key_map(PyObject** values, PyObject* keys, int n);
PyObject* rt_build_string(PyObject** items, int n);  // concatenation of n str
PyObject* rt_list_to_tuple(PyObject* list);
// FORMAT_VALUE: conversion 0 none, 1 str, 2 repr, 3 ascii; spec may be NULL.
PyObject* rt_format_value(PyObject* value, PyObject* spec, int conversion);

// ---- adding to a container deeper in the stack (comprehensions, displays) --------------
// The container is borrowed (it stays on the stack); the added operands are stolen.
int rt_list_append(PyObject* list, PyObject* value);
int rt_set_add(PyObject* set, PyObject* value);
int rt_map_add(PyObject* dict, PyObject* key, PyObject* value);
int rt_list_extend(PyObject* list, PyObject* iterable);
int rt_set_update(PyObject* set, PyObject* iterable);
int rt_dict_update(PyObject* dict, PyObject* update);
// DICT_MERGE: func (borrowed) is the callable of the pending CALL_FUNCTION_EX, named in
// the error messages.
int rt_dict_merge(PyObject* dict, PyObject* update, PyObject* func);

// ---- unpacking ---------------------------------------------------------------------------
// UNPACK_SEQUENCE / UNPACK_EX: steal seq and write the unpacked items to out[0..total),
// the LAST item at out[0] (out is the stack slot seq came from, so item 0 ends on top).
// On failure nothing is left in out.
int rt_unpack_sequence(PyObject* seq, int n, PyObject** out);
int rt_unpack_ex(PyObject* seq, int before, int after, PyObject** out);

}  // extern "C"
