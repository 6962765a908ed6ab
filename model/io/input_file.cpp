// Bounded input files (see header).
#include "model/io/input_file.hpp"

#include "model/io/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vtd::io {

namespace {

std::string size_text(uint64_t bytes) {
  if (bytes >= kMiB && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
  return std::to_string(bytes) + " bytes";
}

std::string display(const std::string& path) {
  return path == "-" ? std::string("<stdin>") : path;
}

// The bound of a kind of input exceeded: by a regular file's size (known up front, `size` >= 0), or while
// reading a stream (`size` < 0: it may never end).
input_error too_long(const std::string& path, int64_t size, uint64_t max_bytes, std::string_view what) {
  if (size >= 0)
    return input_error(display(path) + ": " + std::to_string(size) + " bytes, more than the " +
                       size_text(max_bytes) + " a " + std::string(what) + " file may have");
  return input_error(display(path) + ": more than the " + size_text(max_bytes) + " a " + std::string(what) +
                     " file may have (endless input?)");
}

// Opens for reading and checks the kind of file. Returns the descriptor; sets `regular_size` (-1 if not
// a regular file).
int open_checked(const std::string& path, std::string_view what, int64_t& regular_size) {
  int fd = 0;
  if (path != "-") {
    if (path.empty()) throw input_error(std::string(what) + ": empty file name");
    try {
      note_input(path);
    } catch (const output_error& e) {
      throw input_error(e.what());
    }
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      throw input_error(display(path) + ": cannot open " + std::string(what) + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int e = errno;
    if (fd != 0) ::close(fd);
    throw input_error(display(path) + ": cannot read " + std::string(what) + ": " + std::strerror(e));
  }
  if (S_ISDIR(st.st_mode)) {
    if (fd != 0) ::close(fd);
    throw input_error(display(path) + ": is a directory, not a " + std::string(what) + " file");
  }
  regular_size = S_ISREG(st.st_mode) ? int64_t(st.st_size) : -1;
  return fd;
}

}  // namespace

int64_t regular_file_size(const std::string& path, std::string_view what) {
  int64_t size = -1;
  const int fd = open_checked(path, what, size);
  if (fd != 0) ::close(fd);
  return size;
}

void read_input_chunks(const std::string& path, uint64_t max_bytes, std::string_view what,
                       const std::function<void(const char*, size_t)>& sink) {
  int64_t size = -1;
  const int fd = open_checked(path, what, size);
  struct closer {
    int fd;
    ~closer() {
      if (fd != 0) ::close(fd);
    }
  } close_at_exit{fd};
  if (size >= 0 && uint64_t(size) > max_bytes) throw too_long(path, size, max_bytes, what);
  uint64_t total = 0;
  std::string buf(1 << 16, '\0');
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw input_error(display(path) + ": read error in " + std::string(what) + ": " + std::strerror(errno));
    }
    total += uint64_t(n);
    if (total > max_bytes) throw too_long(path, -1, max_bytes, what);
    sink(buf.data(), size_t(n));
  }
}

std::string read_input_file(const std::string& path, uint64_t max_bytes, std::string_view what) {
  std::string bytes;
  const int64_t size = regular_file_size(path, what);
  if (size > 0 && uint64_t(size) <= max_bytes) bytes.reserve(size_t(size));
  read_input_chunks(path, max_bytes, what, [&](const char* data, size_t n) { bytes.append(data, n); });
  return bytes;
}

line_reader::line_reader(const std::string& path, std::string_view what, size_t max_line, uint64_t max_bytes)
    : m_path(path), m_what(what), m_max_line(max_line), m_max_bytes(max_bytes) {
  int64_t size = -1;
  m_fd = open_checked(path, what, size);
  if (size >= 0 && uint64_t(size) > max_bytes) {
    if (m_fd != 0) ::close(m_fd);
    throw too_long(path, size, max_bytes, m_what);
  }
}

line_reader::~line_reader() {
  if (m_fd > 0) ::close(m_fd);
}

bool line_reader::fill() {
  if (m_eof) return false;
  if (m_pos > 0) {
    m_buffer.erase(0, m_pos);
    m_pos = 0;
  }
  char buf[1 << 16];
  ssize_t n;
  do n = ::read(m_fd, buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  if (n < 0) throw input_error(display(m_path) + ": read error: " + std::strerror(errno));
  if (n == 0) {
    m_eof = true;
    return false;
  }
  m_total += uint64_t(n);
  if (m_total > m_max_bytes) throw too_long(m_path, -1, m_max_bytes, m_what);
  m_buffer.append(buf, size_t(n));
  return true;
}

bool line_reader::next(std::string& line) {
  size_t nl;
  while ((nl = m_buffer.find('\n', m_pos)) == std::string::npos) {
    if (m_buffer.size() - m_pos > m_max_line)
      throw input_error(display(m_path) + ":" + std::to_string(m_line + 1) + ": line longer than " +
                        std::to_string(m_max_line) + " bytes (not a " + m_what + " file?)");
    if (!fill()) break;
  }
  if (nl == std::string::npos && m_pos >= m_buffer.size()) return false;
  const size_t end = nl == std::string::npos ? m_buffer.size() : nl;
  if (end - m_pos > m_max_line)
    throw input_error(display(m_path) + ":" + std::to_string(m_line + 1) + ": line longer than " +
                      std::to_string(m_max_line) + " bytes (not a " + m_what + " file?)");
  line.assign(m_buffer, m_pos, end - m_pos);
  m_pos = nl == std::string::npos ? m_buffer.size() : nl + 1;
  ++m_line;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (const auto nul = line.find('\0'); nul != std::string::npos)
    throw input_error(display(m_path) + ":" + std::to_string(m_line) + ":" + std::to_string(nul + 1) +
                      ": NUL byte (a binary file given as a " + m_what + " file?)");
  return true;
}

}  // namespace vtd::io
