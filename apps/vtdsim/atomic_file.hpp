// An output file that appears only when complete: written to PATH.tmp, renamed over PATH on commit(), removed
// if the command fails first (no half-written output is ever left behind).
#pragma once
#include <cstdio>
#include <string>

namespace vtdsim::app {

class atomic_file {
 public:
  explicit atomic_file(std::string path);  // throws std::runtime_error when it cannot be created
  ~atomic_file();
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;

  std::FILE* get() { return m_file; }
  void write(const std::string& text);
  void commit();

 private:
  std::string m_path, m_tmp;
  std::FILE* m_file = nullptr;
};

}  // namespace vtdsim::app
