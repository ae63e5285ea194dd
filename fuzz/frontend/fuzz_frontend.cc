// libFuzzer harness for the JIT's compile step on hostile code objects.
//
// Each input is turned into an arbitrary CPython 3.11 code object (the way marshal.loads()
// builds one, so anything here could also arrive in a .pyc file) and handed to
// pyjion::x64::Compile, which runs MakeCodeInput, frontend::Analyze (decoder, exception
// table, stack depths, verifier), the lowering and the emission into a W^X region. The
// region is freed without ever running it. Every input must be compiled or refused with a
// reason: a crash, a sanitizer report, a hang, a Python exception left set, an empty
// refusal reason, a broken Analysis invariant or a reference kept on the code object is a
// finding (abort()). The code is never run, so a second pass lowers accepted code over an
// auditing assembler (AuditingPyAsm) that checks what the machine code would do at run
// time: every frame slot it names lies inside the frame, no error exit unwinds to a
// handler level above the items still owned, and no inline code reads a stack slot above
// the instruction's depth before writing it.
//
// Input format (fuzz/frontend/make_corpus.py writes the same format):
//   header, 16 bytes (a shorter input is zero-padded):
//     [0] co_argcount  [1] co_posonlyargcount  [2] co_kwonlyargcount  [3] unused
//     [4..7] co_flags, u32 LE   [8..11] co_stacksize, u32 LE   (top bits cleared: both >= 0)
//     [12..13] co_firstlineno, u16 LE   [14..15] unused
//   then sections until the end: tag u8, length u16 LE (clipped to what is left), payload.
//   Repeated sections append.
//     'C' co_code bytes (an odd trailing byte is dropped)
//     'K' constants, see below
//     'N' co_names: NUL-terminated UTF-8 strings (bad UTF-8 is replaced)
//     'V' co_localspluskinds, one raw kind byte per slot (the slots are named v0, v1, ...)
//     'X' co_exceptiontable bytes      'L' co_linetable bytes      other tags: ignored
//   constants: a sequence of items, each a tag byte then its body:
//     'n' None  't' True  'f' False  '.' Ellipsis
//     'i' int64 LE    'I' len u8 + signed little-endian bytes (any size int)
//     'd' double (8 bytes)    'j' complex (16 bytes)
//     's' len u16 LE + UTF-8 str    'b' len u16 LE + bytes
//     '(' count u8 + items: tuple     '{' count u8 + items: frozenset (None if unhashable)
//     'c' len u16 LE + a whole nested input: a code object (None if it cannot be built)
//     any other byte: None.  Truncated bodies read as zeros / stop early.
// The arg counts and the CO_VARARGS/CO_VARKEYWORDS flags are clamped so that
// _PyCode_Validate accepts them (otherwise most inputs would never reach the JIT).
#include <Python.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "frontend/analysis.h"
#include "make_code.h"
#include "runtime/code_arena.h"
#include "runtime/code_input.h"
#include "runtime/helpers.h"
#include "x64/compiler.h"
#include "x64/lowering.h"
#include "x64/pyasm_xbyak.h"

namespace {

using pyjion::frontend::Analysis;
using pyjion::frontend::CodeInput;

constexpr int kMaxNesting = 4;       // nested code objects / tuples
constexpr int kMaxConstItems = 4096; // per input, all levels together
constexpr int kCoVarargs = 0x4, kCoVarkeywords = 0x8, kCoFastLocal = 0x20;

[[noreturn]] void Finding(const char* what, const std::string& detail = "") {
  std::fprintf(stderr, "==fefuzz== FINDING: %s %s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

// A bounded little-endian reader; reads past the end yield zeros.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool AtEnd() const { return pos_ >= size_; }
  size_t left() const { return pos_ < size_ ? size_ - pos_ : 0; }
  uint8_t U8() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint64_t Le(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t{U8()} << (8 * i);
    return v;
  }
  // Up to n bytes (fewer at the end).
  std::string Bytes(size_t n) {
    n = std::min(n, left());
    std::string s(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return s;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Owning PyObject*.
class Ref {
 public:
  Ref() = default;
  explicit Ref(PyObject* o) : o_(o) {}
  Ref(const Ref&) = delete;
  Ref& operator=(const Ref&) = delete;
  ~Ref() { Py_XDECREF(o_); }
  PyObject* get() const { return o_; }

 private:
  PyObject* o_ = nullptr;
};

PyObject* NewStr(const std::string& s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
  if (!o) Finding("cannot make a str", s);
  return o;
}

PyObject* NewBytes(const std::string& s) {
  PyObject* o = PyBytes_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size()));
  if (!o) Finding("cannot make bytes");
  return o;
}

PyObject* BuildCode(const uint8_t* data, size_t size, int nesting, int* items);
PyObject* ReadConst(Reader& r, int nesting, int* items);

// The body of a '(' or '{' constant: count u8, then the items.
PyObject* ReadContainer(Reader& r, bool frozen, int nesting, int* items) {
  const int count = r.U8();
  Ref list(PyList_New(0));
  if (!list.get()) Finding("cannot make a list");
  for (int i = 0; i < count && !r.AtEnd(); ++i) {
    Ref item(ReadConst(r, nesting + 1, items));
    if (PyList_Append(list.get(), item.get()) < 0) Finding("list append");
  }
  return frozen ? PyFrozenSet_New(list.get()) : PyList_AsTuple(list.get());
}

// One constant; never null (None when the body makes no valid object).
PyObject* ReadConst(Reader& r, int nesting, int* items) {
  const uint8_t tag = r.U8();
  if (++*items > kMaxConstItems || nesting > kMaxNesting) Py_RETURN_NONE;
  PyObject* o = nullptr;
  switch (tag) {
    case 'n': Py_RETURN_NONE;
    case 't': Py_RETURN_TRUE;
    case 'f': Py_RETURN_FALSE;
    case '.': Py_INCREF(Py_Ellipsis); return Py_Ellipsis;
    case 'i': o = PyLong_FromLongLong(static_cast<long long>(r.Le(8))); break;
    case 'I': {
      const std::string b = r.Bytes(r.U8());
      o = _PyLong_FromByteArray(reinterpret_cast<const unsigned char*>(b.data()), b.size(),
                                /*little_endian=*/1, /*is_signed=*/1);
      break;
    }
    case 'd': {
      const uint64_t bits = r.Le(8);
      double d;
      std::memcpy(&d, &bits, sizeof d);
      o = PyFloat_FromDouble(d);
      break;
    }
    case 'j': {
      const uint64_t bits[2] = {r.Le(8), r.Le(8)};
      double d[2];
      std::memcpy(d, bits, sizeof d);
      o = PyComplex_FromDoubles(d[0], d[1]);
      break;
    }
    case 's': o = NewStr(r.Bytes(r.Le(2))); break;
    case 'b': o = NewBytes(r.Bytes(r.Le(2))); break;
    case '(': o = ReadContainer(r, false, nesting, items); break;
    case '{': o = ReadContainer(r, true, nesting, items); break;
    case 'c': {
      const std::string nested = r.Bytes(r.Le(2));
      o = BuildCode(reinterpret_cast<const uint8_t*>(nested.data()), nested.size(), nesting + 1,
                    items);
      break;
    }
    default: break;
  }
  if (!o) {
    PyErr_Clear();  // e.g. an unhashable member of a frozenset
    Py_RETURN_NONE;
  }
  return o;
}

// Counts the slots whose kind makes them plain locals, as CPython's get_localsplus_counts.
int CountLocals(const std::string& kinds) {
  int n = 0;
  for (unsigned char k : kinds) n += (k & kCoFastLocal) ? 1 : 0;
  return n;
}

// Builds one code object from an input; new reference or nullptr (no exception left).
PyObject* BuildCode(const uint8_t* data, size_t size, int nesting, int* items) {
  Reader r(data, size);
  const int argcount0 = r.U8(), posonly0 = r.U8(), kwonly0 = r.U8();
  r.U8();
  int flags = static_cast<int>(r.Le(4) & 0x7fffffff);
  const int stacksize = static_cast<int>(r.Le(4) & 0x7fffffff);
  const int firstlineno = static_cast<int>(r.Le(2));
  r.Le(2);

  std::string code, kinds, exctable, linetable;
  std::vector<std::string> names;
  Ref consts_list(PyList_New(0));
  if (!consts_list.get()) Finding("cannot make a list");
  while (!r.AtEnd()) {
    const uint8_t tag = r.U8();
    const std::string payload = r.Bytes(r.Le(2));
    switch (tag) {
      case 'C': code += payload; break;
      case 'V': kinds += payload; break;
      case 'X': exctable += payload; break;
      case 'L': linetable += payload; break;
      case 'N': {
        size_t begin = 0;
        while (begin < payload.size()) {
          size_t end = payload.find('\0', begin);
          if (end == std::string::npos) end = payload.size();
          names.push_back(payload.substr(begin, end - begin));
          begin = end + 1;
        }
        break;
      }
      case 'K': {
        Reader kr(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
        while (!kr.AtEnd()) {
          Ref c(ReadConst(kr, nesting, items));
          if (PyList_Append(consts_list.get(), c.get()) < 0) Finding("list append");
        }
        break;
      }
      default: break;
    }
  }
  if (code.size() % 2) code.pop_back();

  // Clamp the counts so _PyCode_Validate accepts them.
  int budget = CountLocals(kinds);
  if ((flags & kCoVarargs) && budget > 0) --budget; else flags &= ~kCoVarargs;
  if ((flags & kCoVarkeywords) && budget > 0) --budget; else flags &= ~kCoVarkeywords;
  const int argcount = std::min(argcount0, budget);
  const int kwonly = std::min(kwonly0, budget - argcount);
  const int posonly = std::min(posonly0, argcount);

  Ref names_tuple(PyTuple_New(static_cast<Py_ssize_t>(names.size())));
  Ref plus_names(PyTuple_New(static_cast<Py_ssize_t>(kinds.size())));
  if (!names_tuple.get() || !plus_names.get()) Finding("cannot make a tuple");
  for (size_t i = 0; i < names.size(); ++i)
    PyTuple_SET_ITEM(names_tuple.get(), i, NewStr(names[i]));
  for (size_t i = 0; i < kinds.size(); ++i)
    PyTuple_SET_ITEM(plus_names.get(), i, NewStr("v" + std::to_string(i)));
  Ref consts(PyList_AsTuple(consts_list.get()));
  Ref code_bytes(NewBytes(code)), kinds_bytes(NewBytes(kinds)), exc_bytes(NewBytes(exctable)),
      line_bytes(NewBytes(linetable));
  Ref name(NewStr(nesting ? "fefuzz_inner" : "fefuzz")), filename(NewStr("<fefuzz>"));
  if (!consts.get()) Finding("cannot make a tuple");

  FefuzzCodeParts parts{};
  parts.filename = filename.get();
  parts.name = name.get();
  parts.qualname = name.get();
  parts.code = code_bytes.get();
  parts.consts = consts.get();
  parts.names = names_tuple.get();
  parts.localsplusnames = plus_names.get();
  parts.localspluskinds = kinds_bytes.get();
  parts.linetable = line_bytes.get();
  parts.exceptiontable = exc_bytes.get();
  parts.flags = flags;
  parts.firstlineno = firstlineno;
  parts.argcount = argcount;
  parts.posonlyargcount = posonly;
  parts.kwonlyargcount = kwonly;
  parts.stacksize = stacksize;
  PyObject* co = fefuzz_new_code(&parts);
  if (!co) PyErr_Clear();
  return co;
}

// The structural promises of an accepted Analysis (what the lowering relies on); returns
// the first broken one, or an empty string.
std::string BrokenInvariant(const CodeInput& c, const Analysis& a) {
  const int units = static_cast<int>(c.units.size());
  const int n = static_cast<int>(a.instrs.size());
  const int nentries = static_cast<int>(a.exception_entries.size());
  if (n == 0) return "no instructions";
  if (static_cast<int>(a.instr_at_unit.size()) != units) return "instr_at_unit size";
  if (static_cast<int>(a.depth.size()) != n || static_cast<int>(a.handler.size()) != n ||
      static_cast<int>(a.block_start.size()) != n)
    return "per-instruction vector size";
  if (static_cast<int>(a.handler_instr.size()) != nentries) return "handler_instr size";
  if (a.depth[0] != 0) return "entry depth";
  if (a.max_depth < 0 || a.max_depth > c.stacksize) return "max_depth";
  for (int i = 0; i < n; ++i) {
    const pyjion::frontend::Instr& in = a.instrs[i];
    const std::string at = " at instr " + std::to_string(i);
    if (in.start < 0 || in.start > in.index || in.index >= in.next || in.next > units)
      return "unit layout" + at;
    if (in.next != (i + 1 < n ? a.instrs[i + 1].start : units)) return "not contiguous" + at;
    if (a.instr_at_unit[in.start] != i) return "instr_at_unit" + at;
    if (in.target < -1 || in.target >= n) return "jump target range" + at;
    if (a.depth[i] < -1 || a.depth[i] > c.stacksize) return "depth range" + at;
    if (a.handler[i] < -1 || a.handler[i] >= nentries) return "handler range" + at;
    if (in.kwnames >= c.nconsts) return "kwnames range" + at;
  }
  for (int h : a.handler_instr)
    if (h < 0 || h >= n) return "handler_instr range";
  return "";
}

using pyjion::x64::Arg;
using pyjion::x64::Slot;

// XbyakPyAsm that checks the frame slots named by the verbs that take them. Besides the
// frame bounds, in the main pass (the inline code of each instruction, before the shared
// epilogue; cold bodies come later and are not attributed) a stack slot at or above the
// instruction's depth may be read only after this instruction wrote it: reading one
// earlier would read a stale item, i.e. the lowering and the frontend's stack effects
// disagree. A helper given a slot's address may write from there upwards.
class AuditingPyAsm : public pyjion::x64::XbyakPyAsm {
 public:
  AuditingPyAsm(void* buffer, size_t capacity, const pyjion::x64::CodeLayout& layout,
                int nlocalsplus, int stacksize, const Analysis& a)
      : XbyakPyAsm(buffer, capacity, layout), nlocalsplus_(nlocalsplus),
        stacksize_(stacksize) {
    for (size_t i = 0; i < a.instrs.size(); ++i) {
      const size_t unit = static_cast<size_t>(a.instrs[i].index);
      if (depth_at_unit_.size() <= unit) depth_at_unit_.resize(unit + 1, -1);
      depth_at_unit_[unit] = a.depth[i];
    }
    depth_at_start_.assign(a.instr_at_unit.size(), -2);  // -2: no instruction starts there
    for (size_t u = 0; u < a.instr_at_unit.size(); ++u)
      if (a.instr_at_unit[u] >= 0) depth_at_start_[u] = a.depth[a.instr_at_unit[u]];
  }

  // A deopt exit (SetPrevInstr(u); LoadImm(kRet, PJ_DEOPT); Epilogue(top)) hands the frame
  // to the interpreter, which resumes at unit u + 1 with top - nlocalsplus items: that must
  // be where an instruction starts, and its depth.
  void SetPrevInstr(int unit_index) override {
    prev_instr_ = unit_index;
    deopt_ = false;
    XbyakPyAsm::SetPrevInstr(unit_index);
  }
  void LoadImm(pyjion::x64::Reg dst, uint64_t value) override {
    deopt_ = dst == pyjion::x64::Reg::kRet &&
             value == reinterpret_cast<uint64_t>(PJ_DEOPT) && prev_instr_ >= -1;
    XbyakPyAsm::LoadImm(dst, value);
  }

  void BeginInstr(int unit_index, const char* opname) override {
    opname_ = opname;
    unit_index_ = unit_index;
    depth_ = unit_index >= 0 && static_cast<size_t>(unit_index) < depth_at_unit_.size()
                 ? depth_at_unit_[static_cast<size_t>(unit_index)] : -1;
    written_.clear();
    written_from_ = INT32_MAX;
    XbyakPyAsm::BeginInstr(unit_index, opname);
  }
  void Epilogue(int stacktop) override {
    CheckStackTop(stacktop, "Epilogue");
    if (deopt_) {
      const long long resume = static_cast<long long>(prev_instr_) + 1;
      const int depth = resume >= 0 && resume < static_cast<long long>(depth_at_start_.size())
                            ? depth_at_start_[static_cast<size_t>(resume)] : -2;
      if (depth != stacktop - nlocalsplus_)
        Finding("deopt exit disagrees with the analysis:",
                "resumes at unit " + std::to_string(resume) + " with " +
                    std::to_string(stacktop - nlocalsplus_) + " items; the analysis says " +
                    (depth == -2 ? std::string("no instruction starts there")
                                 : "depth " + std::to_string(depth)));
    }
    deopt_ = false;
    main_pass_ = false;
    XbyakPyAsm::Epilogue(stacktop);
  }
  void SetStackTop(int stacktop) override {
    CheckStackTop(stacktop, "SetStackTop");
    XbyakPyAsm::SetStackTop(stacktop);
  }
  void Load(pyjion::x64::Reg dst, Slot s) override {
    Check(s, false, "Load");
    CheckRead(s, "Load");
    XbyakPyAsm::Load(dst, s);
  }
  void Store(Slot s, pyjion::x64::Reg src) override {
    Check(s, false, "Store");
    Wrote(s);
    XbyakPyAsm::Store(s, src);
  }
  void StoreNull(Slot s) override {
    Check(s, false, "StoreNull");
    Wrote(s);
    XbyakPyAsm::StoreNull(s);
  }
  void CallHelper(const pyjion::x64::Helper& fn, const std::vector<Arg>& args) override {
    for (const Arg& a : args) {
      if (a.kind == Arg::kSlotValue) {
        Check(a.slot, false, fn.name);
        CheckRead(a.slot, fn.name);
      }
      if (a.kind == Arg::kSlotAddress) Check(a.slot, true, fn.name);
    }
    for (const Arg& a : args)
      if (a.kind == Arg::kSlotAddress && a.slot.kind == Slot::kStack)
        written_from_ = std::min(written_from_, a.slot.index);
    // An error stub: rt_unwind(tstate, frame, depth, level, lasti, traceback) keeps the
    // items below `level` for the handler, so they must all still be owned (level <= depth);
    // a handler level above the error depth would hand it stale, released slots.
    if (fn == PJ_HELPER(rt_unwind) && args.size() == 6) {
      const auto depth = static_cast<int>(args[2].imm), level = static_cast<int>(args[3].imm);
      if (depth < 0 || depth > stacksize_ || level > depth)
        Finding("error exit unwinds to a level above the stack:",
                "depth " + std::to_string(depth) + ", handler level " + std::to_string(level) +
                    " (stacksize " + std::to_string(stacksize_) + ")");
    }
    XbyakPyAsm::CallHelper(fn, args);
  }
  void UnpackSeqToSlots(pyjion::x64::SeqKind kind, pyjion::x64::Reg seq, int n, Slot first,
                        pyjion::x64::Label fail) override {
    Check(first, n == 0, "UnpackSeqToSlots");
    if (n > 0) Check(Slot::Stack(first.index + n - 1), false, "UnpackSeqToSlots");
    for (int j = 0; j < n; ++j) Wrote(Slot::Stack(first.index + j));
    XbyakPyAsm::UnpackSeqToSlots(kind, seq, n, first, fail);
  }

 private:
  // A slot read or written must exist; an address (for a helper taking a count of items
  // from there) may also point just past the last stack slot.
  void Check(Slot s, bool address, const char* verb) {
    const long long limit = s.kind == Slot::kLocal ? nlocalsplus_
                                                   : stacksize_ + (address ? 1LL : 0LL);
    if (s.index < 0 || s.index >= limit)
      Finding("frame slot outside the frame:",
              std::string(s.kind == Slot::kLocal ? "local " : "stack ") +
                  std::to_string(s.index) + " in " + verb + " while emitting " + opname_ +
                  " at unit " + std::to_string(unit_index_) + " (nlocalsplus " +
                  std::to_string(nlocalsplus_) + ", stacksize " + std::to_string(stacksize_) +
                  ")");
  }
  void Wrote(Slot s) {
    if (s.kind == Slot::kStack) written_.push_back(s.index);
  }
  void CheckRead(Slot s, const char* verb) {
    if (!main_pass_ || depth_ < 0 || s.kind != Slot::kStack || s.index < depth_ ||
        s.index >= written_from_)
      return;
    for (int w : written_)
      if (w == s.index) return;
    Finding("stale stack slot read:",
            "stack " + std::to_string(s.index) + " in " + verb + " while emitting " + opname_ +
                " at unit " + std::to_string(unit_index_) + " at depth " +
                std::to_string(depth_) + ", before the instruction wrote it");
  }
  void CheckStackTop(int stacktop, const char* verb) {
    if (stacktop < nlocalsplus_ || stacktop > static_cast<long long>(nlocalsplus_) + stacksize_)
      Finding("stack top outside the frame:",
              std::to_string(stacktop) + " in " + verb + " while emitting " + opname_);
  }

  int nlocalsplus_, stacksize_;
  std::vector<int> depth_at_unit_;  // depth before the instruction whose opcode is there
  std::vector<int> depth_at_start_; // same, by the unit its first prefix starts at
  int prev_instr_ = -2;
  bool deopt_ = false;
  std::string opname_ = "(prologue)";
  int unit_index_ = -1;
  bool main_pass_ = true;
  int depth_ = -1;                 // depth before the current instruction
  std::vector<int> written_;       // stack slots it wrote so far
  int written_from_ = INT32_MAX;   // lowest stack slot whose address went to a helper
};

// Lowers an accepted Analysis over AuditingPyAsm (findings abort); the machine code is
// thrown away. Mirrors x64::Compile's retry with a larger buffer.
void AuditLowering(PyCodeObject* co, const Analysis& a) {
  size_t capacity = 4096 + 320 * a.instrs.size();
  for (int tries = 0; tries < 4; ++tries, capacity *= 2) {
    pyjion::rt::CodeRegion region;
    if (!pyjion::rt::AllocWritable(capacity, &region)) return;
    bool too_small = false;
    try {
      pyjion::x64::CodeLayout layout{co->co_nlocalsplus,
                                     reinterpret_cast<const uint16_t*>(_PyCode_CODE(co))};
      AuditingPyAsm pa(region.base, region.mapped, layout, co->co_nlocalsplus,
                       co->co_stacksize, a);
      pyjion::rt::CacheArena caches;
      pyjion::x64::Lowering lowering(pa, a, co, caches);
      if (lowering.Run()) pa.Finish();
    } catch (const std::exception& e) {
      too_small = pyjion::x64::XbyakPyAsm::IsBufferFull(e);
    }
    PyErr_Clear();  // a refusal inside the lowering may have left one (Compile checks that)
    pyjion::rt::FreeRegion(&region);
    if (!too_small) return;
  }
}

void CompileOne(PyObject* co_obj) {
  auto* co = reinterpret_cast<PyCodeObject*>(co_obj);
  const Py_ssize_t refs_before = Py_REFCNT(co_obj);

  // The frontend alone, with its invariants checked.
  CodeInput input;
  if (!pyjion::rt::MakeCodeInput(co, &input)) Finding("MakeCodeInput refused a code object");
  const pyjion::frontend::AnalysisResult analysis = pyjion::frontend::Analyze(input);
  if (analysis.ok) {
    const std::string broken = BrokenInvariant(input, analysis.analysis);
    if (!broken.empty()) Finding("Analysis invariant broken:", broken);
  } else if (analysis.reason.empty()) {
    Finding("Analyze refused without a reason");
  }

  // The whole compile step.
  pyjion::x64::CompiledCode compiled;
  std::string reason;
  const bool ok = pyjion::x64::Compile(co, &compiled, &reason);
  if (PyErr_Occurred()) {
    PyErr_Print();
    Finding("Compile left a Python exception set", reason);
  }
  if (ok) {
    if (!analysis.ok) Finding("Compile accepted what Analyze refused:", analysis.reason);
    if (compiled.region.base == nullptr || compiled.size == 0 ||
        compiled.size > compiled.region.mapped)
      Finding("Compile succeeded without a code region");
    pyjion::rt::FreeRegion(&compiled.region);
    AuditLowering(co, analysis.analysis);
  } else if (reason.empty()) {
    Finding("Compile refused without a reason");
  }
  if (Py_REFCNT(co_obj) != refs_before) Finding("Compile changed the code object's refcount");
  static const bool verbose = std::getenv("FEFUZZ_VERBOSE") != nullptr;
  if (verbose)
    std::fprintf(stderr, "fefuzz: %s%s\n", ok ? "compiled" : "refused: ", reason.c_str());
}

}  // namespace

// ---- structure-aware mutation ------------------------------------------------------------
// libFuzzer's byte-level mutations mostly break the section framing (an inserted byte shifts
// every later section), so three times out of four the mutator works on the parsed input:
// it mutates the header or one section's payload with libFuzzer's own mutator, or rewrites
// the bytecode an instruction at a time (valid opcode numbers with their CACHE units, opargs,
// EXTENDED_ARG prefixes, jumps), then re-serialises with correct lengths.

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {

struct Parsed {
  std::string header;
  std::vector<std::pair<uint8_t, std::string>> sections;
};

bool Parse(const uint8_t* data, size_t size, Parsed* p) {
  if (size < 16) return false;
  p->header.assign(reinterpret_cast<const char*>(data), 16);
  Reader r(data + 16, size - 16);
  while (!r.AtEnd()) {
    const uint8_t tag = r.U8();
    const size_t len = static_cast<size_t>(r.Le(2));
    if (len > r.left()) return false;
    p->sections.emplace_back(tag, r.Bytes(len));
  }
  return true;
}

std::string Serialise(const Parsed& p) {
  std::string out = p.header;
  for (const auto& [tag, payload] : p.sections) {
    const size_t len = std::min<size_t>(payload.size(), 0xffff);
    out += static_cast<char>(tag);
    out += static_cast<char>(len & 0xff);
    out += static_cast<char>(len >> 8);
    out.append(payload, 0, len);
  }
  return out;
}

// libFuzzer's mutator on a std::string, growing it by at most `room` bytes.
void MutateString(std::string* s, size_t room) {
  const size_t max = s->size() + room;
  std::string buf = *s;
  buf.resize(std::max<size_t>(max, 1));
  const size_t n = LLVMFuzzerMutate(reinterpret_cast<uint8_t*>(&buf[0]), s->size(), buf.size());
  buf.resize(n);
  *s = buf;
}

uint8_t RandomOpcode(std::minstd_rand& rng) {
  for (;;) {
    const uint8_t op = static_cast<uint8_t>(rng());
    if (pyjion::frontend::GetOpcodeInfo(op).name && op != pyjion::frontend::CACHE) return op;
  }
}

// One instruction-level edit of a bytecode string (pairs of opcode, oparg bytes).
void MutateCode(std::string* code, std::minstd_rand& rng) {
  const size_t units = code->size() / 2;
  const size_t at = units ? rng() % (units + 1) : 0;
  auto put = [&](size_t unit, uint8_t op, uint8_t arg) {
    if (2 * unit + 1 < code->size()) {
      (*code)[2 * unit] = static_cast<char>(op);
      (*code)[2 * unit + 1] = static_cast<char>(arg);
    }
  };
  const uint8_t small_args[] = {0, 1, 2, 3, 4, 0x7f, 0x80, 0xff};
  switch (rng() % 6) {
    case 0: {  // insert one whole instruction: opcode, oparg and its CACHE units
      const uint8_t op = RandomOpcode(rng);
      std::string ins(2 * (1 + pyjion::frontend::GetOpcodeInfo(op).caches), '\0');
      ins[0] = static_cast<char>(op);
      ins[1] = static_cast<char>(rng() % 4 ? small_args[rng() % 8] : rng());
      code->insert(std::min(2 * at, code->size()), ins);
      break;
    }
    case 1:  // replace an opcode (same oparg)
      if (at < units) (*code)[2 * at] = static_cast<char>(RandomOpcode(rng));
      break;
    case 2:  // replace an oparg
      if (at < units) put(at, static_cast<uint8_t>((*code)[2 * at]),
                          rng() % 2 ? small_args[rng() % 8] : static_cast<uint8_t>(rng()));
      break;
    case 3: {  // EXTENDED_ARG prefix (one to three)
      const int count = 1 + rng() % 3;
      std::string pre;
      for (int i = 0; i < count; ++i) {
        pre += static_cast<char>(pyjion::frontend::EXTENDED_ARG);
        pre += static_cast<char>(rng() % 2 ? small_args[rng() % 8] : rng());
      }
      code->insert(std::min(2 * at, code->size()), pre);
      break;
    }
    case 4:  // delete one unit
      if (at < units) code->erase(2 * at, 2);
      break;
    case 5: {  // duplicate a run of units somewhere else
      if (units == 0) break;
      const size_t from = rng() % units, len = 1 + rng() % std::min<size_t>(8, units - from);
      const std::string run = code->substr(2 * from, 2 * len);
      code->insert(std::min(2 * at, code->size()), run);
      break;
    }
  }
}

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  std::minstd_rand rng(seed);
  Parsed p;
  if (rng() % 4 == 0 || !Parse(data, size, &p)) return LLVMFuzzerMutate(data, size, max_size);
  const size_t room = max_size > size ? max_size - size : 0;
  const int choice = static_cast<int>(rng() % 8);
  if (choice == 0) {  // header: counts, flags, stack size
    MutateString(&p.header, 0);
    p.header.resize(16, '\0');
  } else if (choice <= 3 || p.sections.empty()) {  // one section's payload, bytewise
    if (p.sections.empty() || rng() % 8 == 0) {
      static const char kTags[] = "CKNVXL";
      p.sections.emplace_back(static_cast<uint8_t>(kTags[rng() % 6]), std::string());
    }
    MutateString(&p.sections[rng() % p.sections.size()].second, std::min<size_t>(room, 256));
  } else {  // the bytecode, an instruction at a time
    std::string* code = nullptr;
    for (auto& [tag, payload] : p.sections)
      if (tag == 'C') code = &payload;
    if (!code) {
      p.sections.emplace_back('C', std::string());
      code = &p.sections.back().second;
    }
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < edits; ++i) MutateCode(code, rng);
  }
  const std::string out = Serialise(p);
  if (out.size() > max_size) return LLVMFuzzerMutate(data, size, max_size);
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // Plain malloc for Python objects, so ASan sees every object the JIT touches.
  PyPreConfig preconfig;
  PyPreConfig_InitIsolatedConfig(&preconfig);
  preconfig.allocator = PYMEM_ALLOCATOR_MALLOC;
  PyStatus status = Py_PreInitialize(&preconfig);
  if (PyStatus_Exception(status)) Py_ExitStatusException(status);
  PyConfig config;
  PyConfig_InitIsolatedConfig(&config);
  config.install_signal_handlers = 0;  // libFuzzer owns SIGINT, SIGSEGV, ...
  config.site_import = 0;
  config.write_bytecode = 0;
  status = Py_InitializeFromConfig(&config);
  PyConfig_Clear(&config);
  if (PyStatus_Exception(status)) Py_ExitStatusException(status);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int items = 0;
  PyObject* co = BuildCode(data, size, 0, &items);
  if (co == nullptr) {  // not a code object CPython accepts: not interesting
    if (std::getenv("FEFUZZ_VERBOSE")) std::fprintf(stderr, "fefuzz: not a code object\n");
    return -1;
  }
  CompileOne(co);
  Py_DECREF(co);
  return 0;
}
