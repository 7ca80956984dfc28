// Which bind sources a user-namespaced init may ask the runtime to open
// (rootfs/bind_trees.hpp, SyncMsg::BindSource) and which id-mapped trees it
// sends to be mapped, and what the runtime opens for such a question: only
// a bind of the config the init clones itself, its source looked up below
// the directory it is given (no root needed).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "rootfs/bind_trees.hpp"
#include "support/temp_dir.hpp"

namespace hull::rootfs {
namespace {

namespace fs = std::filesystem;

spec::Spec mounts_config(const std::string& mounts, const std::string& propagation = "") {
  return spec::parse_config(R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "mounts": )" + mounts +
                                R"(, "linux": {)" + propagation + "}}",
                            "config.json");
}

constexpr BindTreeRules kInUserNamespace{.user_namespace = true};

TEST(BindSources, TheInitMayAskForABindOutsideTheRootfsInAUserNamespace) {
  const spec::Spec outside = mounts_config(R"([{"destination": "/v", "type": "bind", "source": "/srv/v"}])");
  EXPECT_TRUE(init_may_ask_for_sources(outside, "/b", "/b/rootfs", kInUserNamespace));
  EXPECT_TRUE(init_may_ask_for_sources(outside, "/b", "/b/rootfs", {.user_namespace = true, .unprivileged = true}));
  // Without a user namespace the init is host root: it reaches every source.
  EXPECT_FALSE(init_may_ask_for_sources(outside, "/b", "/b/rootfs", {}));
  // A relative source is the bundle's, outside the rootfs too.
  EXPECT_TRUE(
      init_may_ask_for_sources(mounts_config(R"([{"destination": "/v", "source": "data", "options": ["rbind"]}])"),
                               "/b", "/b/rootfs", kInUserNamespace));
  // In a user namespace the init clones an id-mapped source and one under a
  // shared root too: from its own, locked copy of the host's mounts.
  EXPECT_TRUE(init_may_ask_for_sources(
      mounts_config(R"([{"destination": "/v", "type": "bind", "source": "/srv/v", "options": ["idmap"]}])"), "/b",
      "/b/rootfs", kInUserNamespace));
  EXPECT_TRUE(init_may_ask_for_sources(mounts_config(R"([{"destination": "/v", "type": "bind", "source": "/srv/v"}])",
                                                     R"("rootfsPropagation": "rshared")"),
                                       "/b", "/b/rootfs", kInUserNamespace));
}

TEST(BindSources, NoQuestionForWhatTheInitClonesInTheRootfsOrWhatIsNoBind) {
  for (const char* mounts : {
           R"([{"destination": "/v", "type": "bind", "source": "/b/rootfs/data"}])",  // below the rootfs
           R"([{"destination": "/v", "type": "bind", "source": "rootfs/data"}])",     // the same, relative
           R"([{"destination": "/v", "type": "tmpfs", "source": "/srv/v"}])",         // no bind
           R"([{"destination": "/v", "options": ["remount", "bind", "ro"]}])",        // changes a mount
       }) {
    SCOPED_TRACE(mounts);
    EXPECT_FALSE(init_may_ask_for_sources(mounts_config(mounts), "/b", "/b/rootfs", kInUserNamespace));
  }
}

// Which id-mapped binds the init clones and sends to be mapped: below the
// rootfs (after the mounts before it), and in a user namespace every one
// (its locked copy), but one below an id-mapped rootfs (the runtime opens
// it as the image has it).
TEST(BindSources, TheInitSendsAnIdMappedTreeItClonedItself) {
  const spec::Spec outside =
      mounts_config(R"([{"destination": "/v", "type": "bind", "source": "/srv/v", "options": ["idmap"]}])");
  const spec::Spec inside =
      mounts_config(R"([{"destination": "/v", "type": "bind", "source": "/b/rootfs/v", "options": ["idmap"]}])");
  EXPECT_TRUE(init_sends_trees_to_idmap(outside, "/b", "/b/rootfs", kInUserNamespace));
  EXPECT_FALSE(init_sends_trees_to_idmap(outside, "/b", "/b/rootfs", {}));
  EXPECT_TRUE(init_sends_trees_to_idmap(outside, "/b", "/b/rootfs", {.user_namespace = true, .rootfs_idmapped = true}));
  EXPECT_TRUE(init_sends_trees_to_idmap(inside, "/b", "/b/rootfs", {}));
  EXPECT_TRUE(init_sends_trees_to_idmap(inside, "/b", "/b/rootfs", kInUserNamespace));
  EXPECT_FALSE(init_sends_trees_to_idmap(inside, "/b", "/b/rootfs", {.user_namespace = true, .rootfs_idmapped = true}));
  // Refused earlier to a runtime that is not root on the host.
  EXPECT_FALSE(init_sends_trees_to_idmap(outside, "/b", "/b/rootfs", {.user_namespace = true, .unprivileged = true}));
}

TEST(BindSources, TheRuntimeOpensTheSourceBelowTheInitsRoot) {
  test::TempDir root;
  fs::create_directories(fs::path(root.path()) / "srv/v");
  std::ofstream(fs::path(root.path()) / "srv/v/file") << "x";
  fs::create_symlink("/srv/v", fs::path(root.path()) / "srv/link");  // absolute: read from the given root
  auto open_root = [&] { return UniqueFd(::open(root.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)); };
  const spec::Spec spec = mounts_config(R"([{"destination": "/v", "type": "bind", "source": "/srv/link"},
                                     {"destination": "/w", "type": "bind", "source": "/srv/missing"}])");
  UniqueFd fd = open_source_for_init(open_root, spec, "/b", "/b/rootfs", "0");
  struct stat got {
  }, want{};
  ASSERT_EQ(::fstat(fd.get(), &got), 0);
  ASSERT_EQ(::stat((fs::path(root.path()) / "srv/v").c_str(), &want), 0);
  EXPECT_EQ(got.st_ino, want.st_ino);
  try {
    open_source_for_init(open_root, spec, "/b", "/b/rootfs", "1");
    ADD_FAILURE() << "a missing source opened";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ENOENT);
    EXPECT_TRUE(e.message().starts_with("rootfs: .mounts[1]: mount \"/srv/missing\" on \"/w\"")) << e.message();
    EXPECT_TRUE(e.message().ends_with(": the source does not exist")) << e.message();
  }
}

// A runtime that may not open the init's root (an ordinary user's, beside a
// non-dumpable init of other ids) says what would let it.
TEST(BindSources, AnInitsRootTheRuntimeMayNotOpenIsToldWithTheWayOut) {
  const spec::Spec spec = mounts_config(R"([{"destination": "/v", "type": "bind", "source": "/srv/v"}])");
  try {
    open_source_for_init([]() -> UniqueFd { throw Error("open /proc/7/root: Permission denied", EACCES); }, spec, "/b",
                         "/b/rootfs", "0");
    ADD_FAILURE() << "opened";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), EACCES);
    EXPECT_TRUE(e.message().starts_with("rootfs: .mounts[0]: mount \"/srv/v\" on \"/v\"")) << e.message();
    EXPECT_NE(e.message().find("open /proc/7/root: Permission denied"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("make the path searchable by the container's root, or run hull as root"),
              std::string::npos)
        << e.message();
  }
}

TEST(BindSources, AQuestionForAnyOtherMountIsAProtocolError) {
  auto open_root = []() -> UniqueFd {
    ADD_FAILURE() << "the init's root opened for a question that names no bind it may ask for";
    return {};
  };
  const spec::Spec spec = mounts_config(R"([{"destination": "/v", "type": "bind", "source": "/b/rootfs/data"},
                                     {"destination": "/t", "type": "tmpfs", "source": "tmpfs"}])");
  for (const char* index : {"0", "1", "2", "", "1x", "-1", "18446744073709551617"}) {
    SCOPED_TRACE(index);
    try {
      open_source_for_init(open_root, spec, "/b", "/b/rootfs", index);
      ADD_FAILURE() << "opened";
    } catch (const Error& e) {
      EXPECT_TRUE(e.message().starts_with("sync protocol: bind-source for ")) << e.message();
    }
  }
}

}  // namespace
}  // namespace hull::rootfs
