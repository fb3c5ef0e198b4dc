#include "ecgforest/core/file_check.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ecgforest {
namespace {

std::string bytes_text(std::uintmax_t n) {
  char buf[64];
  if (n >= (1ull << 30)) {
    std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(n) / static_cast<double>(1ull << 30));
  } else if (n >= (1ull << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / static_cast<double>(1ull << 20));
  } else {
    std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(n));
  }
  return buf;
}

}  // namespace

std::string regular_file_problem(const std::filesystem::path& file, std::uintmax_t max_bytes) {
  struct stat st {};
  // stat, not open: opening a FIFO blocks until a writer appears.
  if (::stat(file.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) return "does not exist";
    return std::string("cannot be examined (") + std::strerror(err) + ")";
  }
  if (S_ISDIR(st.st_mode)) return "is a directory, not a file";
  if (!S_ISREG(st.st_mode)) return "is not a regular file (a FIFO, device or socket); give a file on disk";
  const auto size = static_cast<std::uintmax_t>(st.st_size);
  if (size > max_bytes) {
    return "is " + bytes_text(size) + "; the limit for this kind of file is " + bytes_text(max_bytes) +
           ", so it cannot be what it claims to be";
  }
  return {};
}

}  // namespace ecgforest
