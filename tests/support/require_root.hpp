#pragma once
// Skips the test unless it runs as root: the library tier's tests make
// namespaces and mounts, and run programs as other users.
#include <gtest/gtest.h>
#include <unistd.h>

#define HULL_REQUIRE_ROOT() \
  if (::geteuid() != 0) GTEST_SKIP() << "needs root"
