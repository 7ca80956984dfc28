#pragma once
// HULL_UNDER_ASAN: this code is built with AddressSanitizer. GCC says so
// with __SANITIZE_ADDRESS__, clang (14) only through __has_feature, and the
// sanitizer lane builds with clang (scripts/fuzz.sh).
#if defined(__SANITIZE_ADDRESS__)
#define HULL_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HULL_UNDER_ASAN 1
#endif
#endif
