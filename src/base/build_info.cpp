#include "base/build_info.hpp"

namespace hull::build_info {

const char* version() { return HULL_VERSION; }
const char* commit() { return HULL_COMMIT; }
const char* build_type() { return HULL_BUILD_TYPE; }
const char* features() { return HULL_BUILD_FEATURES; }

}  // namespace hull::build_info
