// Reading a whole input file (platform, configuration, registers, query and page files, memory images) with
// the rules every input obeys: "-" is standard input; a directory is refused; a regular file larger than the
// bound is refused before it is read; devices, FIFOs and pipes are read up to the bound and refused past it,
// so that /dev/zero or an endless pipe ends in a clear error instead of a hang. Every message names the path.
#pragma once
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vtd::io {

// Thrown for every input-file problem; what() starts with the path.
class input_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The bounds of each kind of input (docs/cli.md, "Input bounds").
inline constexpr uint64_t kMiB = uint64_t(1) << 20;
inline constexpr uint64_t max_json_bytes = 256 * kMiB;       // platform, configuration and register JSON
inline constexpr uint64_t max_query_file_bytes = 64 * kMiB;  // about 2.5 million queries
inline constexpr uint64_t max_memory_image_bytes = uint64_t(1) << 30;  // one --mem image or page file

// Reads all of `path`. `what` names the kind of input in messages ("platform", "memory image").
// Throws input_error when the path is missing, unreadable, a directory, or longer than `max_bytes`.
std::string read_input_file(const std::string& path, uint64_t max_bytes, std::string_view what);

// The size of the file at `path` when it is a regular file, after the same checks (missing, directory);
// -1 for a device, FIFO or standard input (its length is known only by reading it).
int64_t regular_file_size(const std::string& path, std::string_view what);

// Streams `path` in chunks to `sink` under the same rules, refusing more than `max_bytes` in all.
void read_input_chunks(const std::string& path, uint64_t max_bytes, std::string_view what,
                       const std::function<void(const char* data, size_t n)>& sink);

// Reads a text file line by line with a bound on the length of one line (so a file without newlines, or
// /dev/zero, fails at once) and on the whole file. NUL bytes are refused (a binary file given as text).
// Errors name PATH:LINE.
class line_reader {
 public:
  line_reader(const std::string& path, std::string_view what, size_t max_line = 4096,
              uint64_t max_bytes = max_query_file_bytes);
  ~line_reader();
  line_reader(const line_reader&) = delete;
  line_reader& operator=(const line_reader&) = delete;

  // The next line without its end-of-line ("\n" or "\r\n"); false at the end of the file.
  bool next(std::string& line);
  uint64_t line_number() const { return m_line; }  // of the line last returned, from 1
  const std::string& path() const { return m_path; }

 private:
  bool fill();

  std::string m_path, m_what;
  size_t m_max_line;
  uint64_t m_max_bytes, m_total = 0, m_line = 0;
  int m_fd = -1;
  std::string m_buffer;
  size_t m_pos = 0;
  bool m_eof = false;
};

}  // namespace vtd::io
