#include "base/shared_page.hpp"

#include <sys/mman.h>

#include <string>

#include "base/error.hpp"

namespace hull {

void* map_shared_page(size_t size, const char* what) {
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw_errno("map a page shared with " + std::string(what));
  return p;
}

void unmap_shared_page(void* page, size_t size) noexcept { ::munmap(page, size); }

}  // namespace hull
