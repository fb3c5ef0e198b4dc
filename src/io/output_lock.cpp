#include "ecgforest/io/output_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ecgforest/core/error.hpp"

namespace ecgforest::io {

namespace {

// The lock file, opened for locking (read-only when it belongs to another user: flock needs no
// write access); -1 with errno set when it cannot be opened.
int open_lock_file(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (fd >= 0 || errno != EACCES) return fd;
  return ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
}

// True when `fd` is still the file at `file`: a holder that ended removed it (a lock taken on the
// removed file locks nothing that the next run sees), so the caller opens it again.
bool still_the_file(int fd, const std::filesystem::path& file) {
  struct stat a {}, b {};
  return ::fstat(fd, &a) == 0 && ::stat(file.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

}  // namespace

OutputLock::OutputLock(const std::filesystem::path& output) : file_(output.string() + ".lock") {
  std::error_code ec;
  if (output.has_parent_path()) std::filesystem::create_directories(output.parent_path(), ec);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = open_lock_file(file_);
    if (fd < 0) {
      throw Error("Cannot create the lock file " + file_.string() + " (" + std::strerror(errno) +
                  "); check that the output's directory exists and is writable.");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        throw Error("Another ecgforest run is writing " + output.string() + " now (it holds " + file_.string() +
                    "); wait for it to end, or give this run another output.");
      }
      no_flock_ = true;  // ENOLCK, EINVAL, ENOSYS: the file system has no flock; write without it
      return;
    }
    if (still_the_file(fd, file_)) {
      fd_ = fd;
      return;
    }
    ::close(fd);  // the run before removed it between our open and flock: take the new one
  }
  throw Error("Cannot take the lock " + file_.string() + ": it was replaced 100 times in a row; is another program "
              "creating and removing it?");
}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  std::error_code ec;
  std::filesystem::remove(file_, ec);  // a run that opened it meanwhile sees it gone and opens anew
  ::close(fd_);
}

}  // namespace ecgforest::io
