// Messages name the right place: a trace error deep in a text trace names its line (not a record index that
// the reader's read-ahead made up), an error applying a record names that record, errors name the user's path
// and never a temporary.
#include "tests/robustness/robustness_fixture.hpp"

using namespace vtd::robust;

TEST(Messages, TextTraceErrorAfterManyLinesNamesItsLine) {
  // 5206 good records (more than one 4096-record read-ahead block), then a bad one on line 5207.
  std::string text;
  for (int i = 1; i <= 5206; ++i) text += std::to_string(i * 1000) + " dma 00:02.0 read 0x100000 64\n";
  text += "5207000 dma 00:02.0 sideways 0x100000 64\n";
  const std::string trace = write_file("late-error.trace", text);
  auto r = vtdsim("replay --functional -q --platform " + example("two-devices.json") + " --trace " + trace);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find(trace + ":5207:"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("record 4095"), std::string::npos) << r.err;
}

TEST(Messages, ARecordTheTablesRefuseIsNamedByItsIndex) {
  // Record 2 (counting from 0) maps into a domain the platform does not have.
  const std::string trace = write_file("bad-domain.trace",
                                       "1000 dma 00:02.0 read 0x100000 64\n"
                                       "2000 dma 00:02.0 read 0x100040 64\n"
                                       "3000 map dom=77 iova=0x500000 hpa=0x50000000 len=0x1000 rw\n");
  auto r = vtdsim("replay --functional -q --platform " + example("two-devices.json") + " --trace " + trace);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find(trace + ": record 2:"), std::string::npos) << r.err;
}
