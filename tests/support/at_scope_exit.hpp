#pragma once
// Runs a cleanup when the scope ends, also when an ASSERT_ returns early:
// what a test made outside the fixture's reach (a state root of its own, a
// frozen cgroup of its own) is undone whatever the outcome.
#include <utility>

namespace hull::itest {

template <typename F>
class AtScopeExit {
 public:
  explicit AtScopeExit(F f) : f_(std::move(f)) {}
  AtScopeExit(const AtScopeExit&) = delete;
  AtScopeExit& operator=(const AtScopeExit&) = delete;
  ~AtScopeExit() { f_(); }

 private:
  F f_;
};

}  // namespace hull::itest
