#include "ecgforest/io/output_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ecgforest/core/error.hpp"

namespace ecgforest::io {

OutputLock::OutputLock(const std::filesystem::path& output) : file_(output.string() + ".lock") {
  std::error_code ec;
  if (output.has_parent_path()) std::filesystem::create_directories(output.parent_path(), ec);
  const int fd = ::open(file_.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw Error("Cannot create the lock file " + file_.string() + " (" + std::strerror(errno) +
                "); check that the output's directory exists and is writable.");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
    fd_ = fd;
    return;
  }
  const int err = errno;
  ::close(fd);
  if (err == EWOULDBLOCK) {
    throw Error("Another ecgforest run is writing " + output.string() + " now (it holds " + file_.string() +
                "); wait for it to end, or give this run another output.");
  }
  // ENOLCK, EINVAL, ENOSYS: the file system has no flock; write without the lock, as before.
}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  std::error_code ec;
  std::filesystem::remove(file_, ec);  // still holding the lock, so no other run is between
  ::close(fd_);
}

}  // namespace ecgforest::io
