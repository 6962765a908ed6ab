// Bounded input files (see header).
#include "model/io/input_file.hpp"

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

std::string display(const std::string& path) { return path == "-" ? std::string("<stdin>") : path; }

// Opens for reading and checks the kind of file. Returns the descriptor; sets `regular_size` (-1 if not
// a regular file).
int open_checked(const std::string& path, std::string_view what, int64_t& regular_size) {
  int fd = 0;
  if (path != "-") {
    if (path.empty()) throw input_error(std::string(what) + ": empty file name");
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

std::string read_input_file(const std::string& path, uint64_t max_bytes, std::string_view what) {
  int64_t size = -1;
  const int fd = open_checked(path, what, size);
  struct closer {
    int fd;
    ~closer() {
      if (fd != 0) ::close(fd);
    }
  } close_at_exit{fd};
  if (size >= 0 && uint64_t(size) > max_bytes)
    throw input_error(display(path) + ": " + std::to_string(size) + " bytes, more than the " +
                      size_text(max_bytes) + " a " + std::string(what) + " file may have");
  std::string bytes;
  if (size > 0) bytes.reserve(size_t(size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw input_error(display(path) + ": read error in " + std::string(what) + ": " + std::strerror(errno));
    }
    if (bytes.size() + size_t(n) > max_bytes)
      throw input_error(display(path) + ": more than the " + size_text(max_bytes) + " a " + std::string(what) +
                        " file may have (endless input?)");
    bytes.append(buf, size_t(n));
  }
  return bytes;
}

}  // namespace vtd::io
