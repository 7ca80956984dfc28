// validate_for_create on configs that must pass; the refusals are the
// bad-create vectors (spec_vectors_test).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "runtime/default_spec.hpp"
#include "spec/spec.hpp"
#include "spec/validate.hpp"

namespace {

namespace fs = std::filesystem;
using namespace hull::spec;

Spec good(const std::string& name) {
  return parse_config(hull::read_file(fs::path(HULL_TEST_DATA) / "config" / "good" / name));
}

// A runnable config whose linux section is `linux_json`, plus `extra` top-level members.
Spec runnable(const std::string& linux_json, const std::string& extra = "") {
  return parse_config(R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"},
    "process": {"cwd": "/", "args": ["/bin/sh"]}, )" +
                      extra + R"("linux": )" + linux_json + "}");
}

std::string error_of(const Spec& s, const std::string& file = "config.json") {
  try {
    validate_for_create(s, file);
  } catch (const hull::Error& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(SpecValidate, FullVectorIsValid) { EXPECT_EQ(error_of(good("full.json")), "<no error>"); }

TEST(SpecValidate, MinimalForStartIsValid) { EXPECT_EQ(error_of(good("minimal-for-start.json")), "<no error>"); }

// What `hull spec` writes must be creatable as it stands.
TEST(SpecValidate, DefaultSpecIsValid) {
  EXPECT_EQ(error_of(parse_config(hull::default_spec_text())), "<no error>");
}

TEST(SpecValidate, NoNamespacesAtAllIsValid) { EXPECT_EQ(error_of(runnable("{}")), "<no error>"); }

TEST(SpecValidate, JoinedUserNamespaceNeedsNoMappings) {
  EXPECT_EQ(error_of(runnable(R"({"namespaces": [{"type": "user", "path": "/proc/42/ns/user"}]})")), "<no error>");
}

TEST(SpecValidate, MappingsMayComeWithAJoinedUserNamespace) {
  EXPECT_EQ(error_of(runnable(R"({"namespaces": [{"type": "user", "path": "/proc/42/ns/user"}],
    "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]})")),
            "<no error>");
}

TEST(SpecValidate, EvenAnEmptyHostnameNeedsAUtsNamespace) {
  EXPECT_EQ(error_of(runnable("{}", R"("hostname": "", )")),
            "config.json: .hostname: requires a new uts namespace, but .linux.namespaces has no \"uts\" entry");
  EXPECT_EQ(error_of(runnable(R"({"namespaces": [{"type": "uts"}]})", R"("hostname": "", "domainname": "", )")),
            "<no error>");
}

TEST(SpecValidate, NullHostnameIsAbsent) {
  EXPECT_EQ(error_of(runnable("{}", R"("hostname": null, "domainname": null, )")), "<no error>");
}

TEST(SpecValidate, SysctlsInTheirOwnNamespacesAreValid) {
  EXPECT_EQ(error_of(runnable(R"({"namespaces": [{"type": "uts"}, {"type": "ipc"}, {"type": "network"}],
    "sysctl": {"kernel.domainname": "x", "fs.mqueue.msg_max": "20", "net/ipv4/ip_forward": "1"}})")),
            "<no error>");
  EXPECT_EQ(error_of(runnable(R"({"namespaces": [{"type": "ipc"}], "sysctl": {"kernel.hostname": "x"}})")),
            "config.json: .linux.sysctl[\"kernel.hostname\"]: requires a new uts namespace, but .linux.namespaces "
            "has no \"uts\" entry");
}

TEST(SpecValidate, ErrorsNameTheGivenFile) {
  EXPECT_EQ(error_of(runnable(R"({"namespaces": [{"type": "pid"}, {"type": "pid"}]})"), "/b/config.json"),
            "/b/config.json: .linux.namespaces[1].type: duplicate namespace \"pid\" (first at "
            ".linux.namespaces[0])");
}

}  // namespace
