#pragma once
// One writer per output: a run that writes OUTPUT holds an exclusive advisory lock on OUTPUT.lock
// (flock) for as long as it writes, so that a second run given the same output stops at once with
// a sentence instead of both runs overwriting each other's half-written file (which ended in an
// HDF5 message about a missing superblock). The lock is released by the kernel when the process
// ends, also when it is killed, so a killed run never blocks the next one; the lock file is
// removed when the holder releases it normally.
#include <filesystem>

namespace ecgforest::io {

class OutputLock {
 public:
  /// Takes the lock on `output`.lock without waiting. Throws Error naming both files when another
  /// process holds it. On file systems without flock (some Lustre mounts) no lock is taken.
  explicit OutputLock(const std::filesystem::path& output);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  /// True when the lock is held (false: the file system does not support flock).
  bool held() const { return fd_ >= 0; }

 private:
  std::filesystem::path file_;
  int fd_ = -1;
};

}  // namespace ecgforest::io
