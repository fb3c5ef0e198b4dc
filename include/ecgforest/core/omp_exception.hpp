#pragma once
// Carry the first exception out of an OpenMP region (exceptions must not escape a parallel
// region: that terminates the process). Usage:
//   OmpExceptionCatcher catcher;
//   #pragma omp parallel for
//   for (...) { catcher.run([&] { body; }); }
//   catcher.rethrow();   // after the region, on the calling thread
#include <exception>
#include <mutex>

namespace ecgforest {

class OmpExceptionCatcher {
 public:
  template <class F>
  void run(F&& f) noexcept {
    try {
      f();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);  // taken only on the error path
      if (!first_) first_ = std::current_exception();
    }
  }
  /// Rethrows the first captured exception, if any. Call outside the parallel region.
  void rethrow() {
    if (first_) {
      std::exception_ptr e = first_;
      first_ = nullptr;
      std::rethrow_exception(e);
    }
  }

 private:
  std::mutex mutex_;
  std::exception_ptr first_;
};

}  // namespace ecgforest
