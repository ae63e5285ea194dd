// The perf map file (see perf_map.h).
#include "runtime/perf_map.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace pyjion::rt {
namespace {

bool EnvEnabled() {
  const char* v = std::getenv("PYJION_X64_PERF_MAP");
  return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
}

bool g_enabled = EnvEnabled();
FILE* g_file = nullptr;
pid_t g_file_pid = 0;

FILE* MapFile() {
  const pid_t pid = getpid();
  if (g_file != nullptr && g_file_pid == pid) return g_file;
  if (g_file != nullptr && g_file_pid != pid) g_file = nullptr;  // the parent's, after fork
  char path[64];
  std::snprintf(path, sizeof path, "/tmp/perf-%d.map", static_cast<int>(pid));
  g_file = std::fopen(path, "a");
  g_file_pid = pid;
  return g_file;
}

// UTF-8 of a str attribute, "?" when unavailable; no exception left set.
std::string Utf8(PyObject* s) {
  if (s == nullptr || !PyUnicode_Check(s)) return "?";
  const char* u = PyUnicode_AsUTF8(s);
  if (u == nullptr) {
    PyErr_Clear();
    return "?";
  }
  std::string out(u);
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';  // one line per entry
  return out;
}

}  // namespace

bool PerfMapEnabled() { return g_enabled; }
void SetPerfMapEnabled(bool on) { g_enabled = on; }

void PerfMapAdd(PyCodeObject* code, const void* start, size_t size) {
  if (!g_enabled) return;
  FILE* f = MapFile();
  if (f == nullptr) return;
  std::fprintf(f, "%lx %zx py::%s:%s:%d\n", static_cast<unsigned long>(reinterpret_cast<uintptr_t>(start)),
               size, Utf8(code->co_qualname).c_str(), Utf8(code->co_filename).c_str(),
               code->co_firstlineno);
  std::fflush(f);  // perf reads the file after the process ends, maybe killed
}

}  // namespace pyjion::rt
