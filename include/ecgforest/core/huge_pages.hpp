#pragma once
// Memory for large arrays read at random places (the forest's bin codes): blocks of 2 MiB and
// more are 2 MiB-aligned and marked for transparent huge pages before their first use, so random
// reads miss the TLB far less (27 MB of codes: 14 huge pages instead of 6 600 small ones). The
// contents and the program's results do not depend on it; a kernel without THP ignores the hint.
#include <cstddef>
#include <new>

namespace ecgforest {

/// Allocates n bytes (2 MiB-aligned and advised for huge pages when n >= 2 MiB); never null.
void* huge_page_alloc(std::size_t n);
/// Frees what huge_page_alloc returned.
void huge_page_free(void* p) noexcept;

/// A std::allocator for vectors of trivially copyable values that uses huge_page_alloc.
template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}  // NOLINT: allocator rebinding
  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(huge_page_alloc(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t) noexcept { huge_page_free(p); }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const noexcept { return true; }
};

}  // namespace ecgforest
