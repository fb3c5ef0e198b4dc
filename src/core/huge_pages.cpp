#include "ecgforest/core/huge_pages.hpp"

#include <cstdlib>

#include <sys/mman.h>

namespace ecgforest {
namespace {
constexpr std::size_t kHuge = std::size_t{2} << 20;
}  // namespace

void* huge_page_alloc(std::size_t n) {
  if (n < kHuge) {
    void* p = std::malloc(n > 0 ? n : 1);
    if (!p) throw std::bad_alloc();
    return p;
  }
  const std::size_t size = (n + kHuge - 1) / kHuge * kHuge;  // aligned_alloc: a multiple of the alignment
  void* p = std::aligned_alloc(kHuge, size);
  if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  (void)madvise(p, size, MADV_HUGEPAGE);  // only a hint: failure (no THP) changes nothing
#endif
  return p;
}

void huge_page_free(void* p) noexcept { std::free(p); }

}  // namespace ecgforest
