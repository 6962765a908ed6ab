// Input files other than traces (tests/robustness/trace_input_test.cpp has those): platform, configuration,
// register JSON, memory images, page files, query files. Each is refused with a message naming it when it is
// a directory, endless (/dev/zero: reading it is harmless), malformed or out of range, within a time bound.
#include "tests/robustness/robustness_fixture.hpp"

using namespace vtd::robust;

namespace {

struct input_case {
  const char* name;
  std::string args;  // {IN} is the input under test
};

std::string with(std::string args, const std::string& in) {
  for (size_t at = 0; (at = args.find("{IN}", at)) != std::string::npos; at += in.size())
    args.replace(at, 4, in);
  for (size_t at = 0; (at = args.find("{EX}", at)) != std::string::npos;) {
    const std::string ex = example("two-devices.json");
    args.replace(at, 4, ex);
    at += ex.size();
  }
  return args;
}

const std::vector<input_case> kInputs = {
    {"platform", "check --platform {IN}"},
    {"config", "config --config {IN}"},
    {"registers", "translate --mem /dev/null@0 --registers {IN} --sid 00:01.0 --iova 0"},
    {"memory image", "translate --mem {IN}@0x1000 --rtaddr 0x1000 --sid 00:01.0 --iova 0"},
    {"page file", "translate --pages {IN} --rtaddr 0x1000 --sid 00:01.0 --iova 0"},
    {"query file", "translate --platform {EX} --queries {IN}"},
};

}  // namespace

TEST(Inputs, DirectoryIsRefusedAndNamed) {
  const std::string dir = fresh_dir("a-directory");
  for (const auto& c : kInputs) {
    SCOPED_TRACE(c.name);
    auto r = vtdsim(with(c.args, dir), 30);
    EXPECT_EQ(r.code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find(dir), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("directory"), std::string::npos) << r.err;
  }
}

TEST(Inputs, EndlessInputEndsInABoundedError) {
  for (const auto& c : kInputs) {
    SCOPED_TRACE(c.name);
    auto r = vtdsim(with(c.args, "/dev/zero"), 60);
    EXPECT_FALSE(r.timed_out) << "hung on /dev/zero";
    EXPECT_EQ(r.code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("/dev/zero"), std::string::npos) << r.err;
  }
}

TEST(Inputs, MissingFileIsNamed) {
  for (const auto& c : kInputs) {
    SCOPED_TRACE(c.name);
    const std::string missing = tmp() + "no-such-file";
    auto r = vtdsim(with(c.args, missing));
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  }
}

TEST(Inputs, EmptyPlatformAndRegisterFilesAreErrors) {
  const std::string empty = write_file("empty.json", "");
  for (const auto& c : {kInputs[0], kInputs[1], kInputs[2]}) {
    SCOPED_TRACE(c.name);
    auto r = vtdsim(with(c.args, empty));
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find(empty), std::string::npos) << r.err;
  }
}

TEST(Inputs, QueryFileLineTooLongOrBinaryIsPositioned) {
  const std::string long_line =
      write_file("long.q", "dma 00:02.0 0x1000 read\n" + std::string(10000, 'x') + "\n");
  auto r = vtdsim("translate --platform " + example("two-devices.json") + " --queries " + long_line);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find(long_line + ":2"), std::string::npos) << r.err;
  const std::string nul = write_file("nul.q", std::string("dma 00:02.0 0x1000 read\ndma \0 x\n", 33));
  r = vtdsim("translate --platform " + example("two-devices.json") + " --queries " + nul);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find(nul + ":2"), std::string::npos) << r.err;
}

TEST(Inputs, QueryFileNumbersAreNeverTruncated) {
  const std::string q = write_file("wide.q", "msi 00:02.0 0xfee00010 0x1ffffffff\n");
  auto r = vtdsim("translate --platform " + example("two-devices.json") + " --queries " + q);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.err.find(q + ":1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("too large"), std::string::npos) << r.err;
  const std::string len = write_file("len.q", "dma 00:02.0 0x100000 read 0x100000000\n");
  r = vtdsim("translate --platform " + example("two-devices.json") + " --queries " + len);
  EXPECT_EQ(r.code, 1) << r.out;
}

TEST(Inputs, RegisterFileErrorsBlameTheFileNotAnOption) {
  const std::string regs = write_file("haw.json", R"({"rtaddr": "0x1000", "haw": 99})");
  auto r = vtdsim("translate --mem /dev/null@0 --registers " + regs + " --sid 00:01.0 --iova 0");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find(regs), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("--haw"), std::string::npos) << r.err;
  // The same value on the command line is a usage error naming the option.
  r = vtdsim("translate --mem /dev/null@0 --rtaddr 0x1000 --haw 99 --sid 00:01.0 --iova 0");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--haw"), std::string::npos) << r.err;
}

TEST(Inputs, NegativeRegisterValueIsRefusedNotWrapped) {
  const std::string regs = write_file("neg.json", R"({"rtaddr": -4096})");
  auto r = vtdsim("translate --mem /dev/null@0 --registers " + regs + " --sid 00:01.0 --iova 0");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find(regs), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("negative"), std::string::npos) << r.err;
}

TEST(Inputs, PageFileTruncationIsPositioned) {
  std::string bytes = "VTDPAGE1";
  bytes += std::string("\x00\x10\x00\x00\x00\x00\x00\x00", 8) + std::string(4096, '\0');
  bytes += std::string("\x00\x20\x00\x00\x00\x00\x00\x00", 8) + std::string(100, '\0');
  const std::string pages = write_file("cut.pages", bytes);
  auto r = vtdsim("translate --pages " + pages + " --rtaddr 0x1000 --sid 00:01.0 --iova 0");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("record 1 at byte offset 4112"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("100 of 4096"), std::string::npos) << r.err;
}

TEST(Inputs, PageFileRoundTripsThroughDump) {
  const std::string pages = tmp() + "rt.pages";
  auto r = vtdsim("dump --platform " + example("two-devices.json") + " --save-pages " + pages);
  ASSERT_EQ(r.code, 0) << r.err;
  // The same translation from the saved pages, with the root table where the platform's builders put it (the
  // first page of the default table region, 0x10000000): IOVA 0x100040 -> HPA 0x40000040 by hand.
  auto from_pages = vtdsim("translate --pages " + pages +
                           " --rtaddr 0x10000000 --haw 46 --sid 00:02.0 --iova 0x100040 --json");
  ASSERT_EQ(from_pages.code, 0) << from_pages.err;
  EXPECT_EQ(nlohmann::json::parse(from_pages.out)["hpa"], "0x40000040");
}

TEST(Inputs, ConfigNumbersOutOfRangeAreRefused) {
  for (const char* set : {"iotlb.entries=4294967296", "iotlb.entries=4294967295", "iotlb.entries=2097152",
                          "iotlb.ways=4096", "timing.dma_access_ns=1e300", "timing.walkers=1000000000",
                          "timing.walkers=-1", "iotlb.entries=1.5"}) {
    SCOPED_TRACE(set);
    auto r = vtdsim(std::string("config --set ") + set, 30);
    EXPECT_EQ(r.code, 2) << r.out << r.err;  // a value on the command line: a usage error
    EXPECT_NE(r.err.find("--set"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("must be non-zero"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("bad_alloc"), std::string::npos) << r.err;
  }
}
