#include "exec_fixture.hpp"

namespace hull::itest {

pid_t ExecTest::start_sleeping(Bundle& b, const std::string& id) {
  b.args({"sleep", "1000"});
  ProcResult r = hull({"create", "--bundle", b.dir().string(), id});
  if (r.exit_code != 0) {
    ADD_FAILURE() << "hull create " << id << " exited " << r.exit_code << ": " << r.err;
    return 0;
  }
  nlohmann::json s = state(id);
  EXPECT_TRUE(s.is_object() && s.value("status", "") == "created") << "hull state " << id << ": " << s.dump();
  start_container(id);
  return s.is_object() ? s.value("pid", 0) : 0;
}

pid_t ExecTest::start_sleeping(const std::string& id) { return start_sleeping(bundle("bundle-" + id), id); }

ProcResult ExecTest::exec(std::vector<std::string> args, const SpawnOptions& opts) {
  args.insert(args.begin(), "exec");
  return hull(args, opts);
}

}  // namespace hull::itest
