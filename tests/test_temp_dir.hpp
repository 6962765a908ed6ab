// A temporary directory of this test process alone (ctest runs tests in parallel processes, and
// testing::TempDir() is shared by all of them, so fixed file names there could collide).
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace vtd::test {

inline std::string temp_dir() {
  static const std::string dir = [] {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "vtdsim";
    for (char& c : name)
      if (c == '/') c = '_';
    std::filesystem::path p =
        std::filesystem::path(testing::TempDir()) / ("vtdsim-" + std::to_string(getpid()) + "-" + name);
    std::filesystem::create_directories(p);
    return p.string() + "/";
  }();
  return dir;
}

}  // namespace vtd::test
