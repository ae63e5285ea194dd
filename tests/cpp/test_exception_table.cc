// Tests for frontend::ParseExceptionTable: hand-encoded tables (including the worked example
// from the design notes), every malformed shape the parser must refuse, and real code
// objects compared entry by entry with dis._parse_exception_table.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "frontend/analysis.h"
#include "py_fixture.h"

namespace pyjion::frontend {
namespace {

using test::PyRef;

// Big-endian 6-bit varint; the first byte of an entry carries 0x80.
void PutVarint(std::string* out, unsigned v, bool entry_start) {
  std::vector<unsigned> chunks;
  do {
    chunks.push_back(v & 0x3f);
    v >>= 6;
  } while (v);
  for (size_t i = chunks.size(); i-- > 0;) {
    unsigned byte = chunks[i] | (i > 0 ? 0x40 : 0);
    if (entry_start && i + 1 == chunks.size()) byte |= 0x80;
    out->push_back(static_cast<char>(byte));
  }
}

std::string Entry(unsigned start, unsigned size, unsigned target, unsigned depth, bool lasti) {
  std::string s;
  PutVarint(&s, start, true);
  PutVarint(&s, size, false);
  PutVarint(&s, target, false);
  PutVarint(&s, depth << 1 | (lasti ? 1 : 0), false);
  return s;
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

TEST(ExceptionTable, DesignNoteExample) {
  // 82 23 28 00: start 2, size 35, target 40, depth 0, no lasti ("4 to 72 -> 80 [0]").
  std::vector<ExceptionEntry> entries;
  std::string reason;
  ASSERT_TRUE(ParseExceptionTable(Bytes({0x82, 0x23, 0x28, 0x00}), 41, &entries, &reason))
      << reason;
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].start, 2);
  EXPECT_EQ(entries[0].end, 37);
  EXPECT_EQ(entries[0].target, 40);
  EXPECT_EQ(entries[0].depth, 0);
  EXPECT_FALSE(entries[0].lasti);
}

TEST(ExceptionTable, EmptyTableHasNoEntries) {
  std::vector<ExceptionEntry> entries{ExceptionEntry{}};
  std::string reason;
  EXPECT_TRUE(ParseExceptionTable("", 10, &entries, &reason));
  EXPECT_TRUE(entries.empty());
}

TEST(ExceptionTable, MultiByteVarintsDepthAndLasti) {
  const std::string table = Entry(3, 70, 5000, 2, true) + Entry(73, 64, 200, 0, false) +
                            Entry(4096, 1, 100000, 300, true);
  std::vector<ExceptionEntry> entries;
  std::string reason;
  ASSERT_TRUE(ParseExceptionTable(table, 100001, &entries, &reason)) << reason;
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].start, 3);
  EXPECT_EQ(entries[0].end, 73);
  EXPECT_EQ(entries[0].target, 5000);
  EXPECT_EQ(entries[0].depth, 2);
  EXPECT_TRUE(entries[0].lasti);
  EXPECT_EQ(entries[1].start, 73);  // adjacent ranges are fine
  EXPECT_EQ(entries[1].end, 137);
  EXPECT_FALSE(entries[1].lasti);
  EXPECT_EQ(entries[2].start, 4096);
  EXPECT_EQ(entries[2].target, 100000);
  EXPECT_EQ(entries[2].depth, 300);
}

struct BadTable {
  const char* label;
  std::string table;
  int code_units;
  const char* reason;
};

void PrintTo(const BadTable& c, std::ostream* os) { *os << c.label; }

class ExceptionTableRefuses : public ::testing::TestWithParam<BadTable> {};

TEST_P(ExceptionTableRefuses, WithReason) {
  const BadTable& k = GetParam();
  std::vector<ExceptionEntry> entries;
  std::string reason;
  EXPECT_FALSE(ParseExceptionTable(k.table, k.code_units, &entries, &reason));
  EXPECT_EQ(reason, k.reason);
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, ExceptionTableRefuses,
    ::testing::Values(
        BadTable{"TruncatedEntry", Bytes({0x82, 0x23, 0x28}), 50,
                 "bad exception table: truncated entry at byte 3"},
        BadTable{"TruncatedVarint", Bytes({0x82, 0x23, 0x28, 0x40}), 50,
                 "bad exception table: truncated entry at byte 4"},
        BadTable{"MissingStartMarker", Bytes({0x02, 0x23, 0x28, 0x00}), 50,
                 "bad exception table: missing entry start marker at byte 0"},
        BadTable{"MissingMarkerOnSecondEntry",
                 Entry(0, 2, 10, 0, false) + Bytes({0x04, 0x01, 0x0a, 0x00}), 50,
                 "bad exception table: missing entry start marker at byte 4"},
        BadTable{"MarkerInsideEntry", Bytes({0x82, 0x23, 0xa8, 0x00}), 50,
                 "bad exception table: entry start marker inside an entry at byte 2"},
        BadTable{"MarkerOnContinuation", Bytes({0xc2, 0x83, 0x28, 0x00}), 500,
                 "bad exception table: entry start marker inside an entry at byte 1"},
        BadTable{"Overflow", Bytes({0x82, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x3f, 0x01, 0x00}),
                 50, "bad exception table: value overflow at byte 6"},
        BadTable{"RangePastEnd", Entry(10, 41, 0, 0, false), 50,
                 "bad exception table: range past the end of the code in entry 0"},
        BadTable{"TargetPastEnd", Entry(0, 10, 50, 0, false), 50,
                 "bad exception table: target past the end of the code in entry 0"},
        BadTable{"Overlapping", Entry(0, 10, 40, 0, false) + Entry(9, 2, 40, 0, false), 50,
                 "bad exception table: overlapping or unsorted ranges in entry 1"},
        BadTable{"Unsorted", Entry(20, 10, 40, 0, false) + Entry(0, 2, 40, 0, false), 50,
                 "bad exception table: overlapping or unsorted ranges in entry 1"}),
    [](const ::testing::TestParamInfo<BadTable>& info) { return std::string(info.param.label); });

// Oracle: dis._parse_exception_table, converted from byte offsets to units.
constexpr char kDisOracle[] = R"PY(
import dis
def entries(code):
    return [(e.start // 2, e.end // 2, e.target // 2, e.depth, int(e.lasti))
            for e in dis._parse_exception_table(code)]
)PY";

void ExpectMatchesDis(const char* source, const char* name, size_t min_entries) {
  PyRef code(reinterpret_cast<PyObject*>(test::CompileFunctionCode(source, name)));
  ASSERT_TRUE(code);
  PyRef globals(test::ExecSource(kDisOracle));
  ASSERT_TRUE(globals);
  PyRef args(PyTuple_Pack(1, code.get()));
  std::vector<std::vector<long long>> rows;
  ASSERT_TRUE(test::CallForIntRows(PyDict_GetItemString(globals.get(), "entries"), args.get(),
                                   &rows));
  const CodeInput input = test::InputFor(reinterpret_cast<PyCodeObject*>(code.get()));
  std::vector<ExceptionEntry> entries;
  std::string reason;
  ASSERT_TRUE(ParseExceptionTable(input.exception_table, static_cast<int>(input.units.size()),
                                  &entries, &reason))
      << reason;
  ASSERT_EQ(entries.size(), rows.size());
  EXPECT_GE(entries.size(), min_entries);
  for (size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE("entry " + std::to_string(i));
    EXPECT_EQ(entries[i].start, rows[i][0]);
    EXPECT_EQ(entries[i].end, rows[i][1]);
    EXPECT_EQ(entries[i].target, rows[i][2]);
    EXPECT_EQ(entries[i].depth, rows[i][3]);
    EXPECT_EQ(entries[i].lasti ? 1 : 0, rows[i][4]);
  }
}

TEST(ExceptionTableRealCode, NoHandlers) {
  ExpectMatchesDis("def f(a):\n    return a + 1\n", "f", 0);
}

TEST(ExceptionTableRealCode, TryExceptElseFinally) {
  ExpectMatchesDis(
      "def f(x):\n"
      "    try:\n        y = 1 / x\n"
      "    except ZeroDivisionError as e:\n        y = str(e)\n"
      "    except Exception:\n        raise\n"
      "    else:\n        y = 2\n"
      "    finally:\n        print('done')\n"
      "    return y\n", "f", 4);
}

TEST(ExceptionTableRealCode, NestedWithAndLoops) {
  ExpectMatchesDis(
      "def f(paths):\n"
      "    out = []\n"
      "    for p in paths:\n"
      "        with open(p) as a:\n"
      "            with open(p) as b:\n"
      "                try:\n                    out.append(a.read() + b.read())\n"
      "                except OSError:\n                    continue\n"
      "    return out\n", "f", 4);
}

TEST(ExceptionTableRealCode, ExceptStarAndAsync) {
  ExpectMatchesDis(
      "def f(g):\n"
      "    try:\n        g()\n"
      "    except* ValueError as e:\n        pass\n"
      "    except* TypeError:\n        raise\n", "f", 3);
  ExpectMatchesDis(
      "async def f(xs, cm):\n"
      "    async with cm as c:\n"
      "        async for x in xs:\n            await c(x)\n", "f", 3);
}

TEST(ExceptionTableRealCode, BigTableWithLongVarints) {
  // Many handlers spread over a long function: ranges and targets need multi-byte varints.
  std::string src = "def f(x):\n";
  for (int i = 0; i < 80; ++i) {
    src += "    try:\n        x = x + " + std::to_string(i) + "\n";
    src += "    except (KeyError, ValueError) as e" + std::to_string(i) + ":\n";
    src += "        x = " + std::to_string(i) + "\n";
  }
  src += "    return x\n";
  ExpectMatchesDis(src.c_str(), "f", 160);
}

}  // namespace
}  // namespace pyjion::frontend
