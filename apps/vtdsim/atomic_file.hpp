// The CLI's output files: model/io/output_file.hpp's rules (atomic for regular files, written through for
// symbolic links, direct for devices, FIFOs and "-"), plus the line "wrote PATH" that tells the user where
// each output went.
#pragma once
#include <cstdio>
#include <string>

#include "model/io/output_file.hpp"

namespace vtdsim::app {

class atomic_file {
 public:
  explicit atomic_file(std::string path);  // throws vtd::io::output_error when it cannot be created
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;

  std::FILE* get() { return m_file.stream(); }
  void write(const std::string& text) { m_file.write(text); }
  void commit() { m_file.commit(); }
  const std::string& path() const { return m_file.path(); }

 private:
  vtd::io::output_file m_file;
};

}  // namespace vtdsim::app
