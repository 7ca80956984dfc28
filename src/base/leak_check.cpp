#include "base/leak_check.hpp"

#include "base/sanitizers.hpp"

#if defined(HULL_UNDER_ASAN)
#include <sanitizer/lsan_interface.h>
#endif

namespace hull {

void leak_check_before_joining_namespaces() noexcept {
#if defined(HULL_UNDER_ASAN)
  __lsan_do_leak_check();
#endif
}

}  // namespace hull
