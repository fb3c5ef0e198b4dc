#pragma once
// One writer per output: a run that writes OUTPUT holds an exclusive advisory lock on OUTPUT.lock
// (flock) for as long as it writes, so that a second run given the same output stops at once with
// a sentence instead of both runs overwriting each other's half-written file (which ended in an
// HDF5 message about a missing superblock). The lock is released by the kernel when the process
// ends, also when it is killed, so a killed run never blocks the next one; the lock file is
// removed when the holder releases it normally (a run that opened it just before checks after
// locking that it still holds the file at that path, and otherwise opens it again). flock is
// local to a node on Lustre mounted with localflock, and missing on some network file systems.
#include <filesystem>
#include <utility>

namespace ecgforest::io {

class OutputLock {
 public:
  /// Takes the lock on `output`.lock without waiting. Throws Error naming both files when another
  /// process holds it. On file systems without flock (some Lustre mounts) no lock is taken.
  explicit OutputLock(const std::filesystem::path& output);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  OutputLock(OutputLock&& o) noexcept : file_(std::move(o.file_)), fd_(std::exchange(o.fd_, -1)), no_flock_(o.no_flock_) {}
  OutputLock& operator=(OutputLock&&) = delete;

  /// True when the lock is held.
  bool held() const { return fd_ >= 0; }
  /// True when the file system refused flock itself (no lock was taken; the run writes anyway).
  bool unsupported() const { return no_flock_; }

 private:
  std::filesystem::path file_;
  int fd_ = -1;
  bool no_flock_ = false;
};

}  // namespace ecgforest::io
