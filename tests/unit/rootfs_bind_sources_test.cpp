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
#include "support/error_of.hpp"
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

// Whether `fd` is the file at `path`.
bool names(const UniqueFd& fd, const fs::path& path) {
  struct stat got {
  }, want{};
  return ::fstat(fd.get(), &got) == 0 && ::stat(path.c_str(), &want) == 0 && got.st_dev == want.st_dev &&
         got.st_ino == want.st_ino;
}

TEST(BindSources, TheInitMayAskForABindOutsideTheRootfsInAUserNamespace) {
  const spec::Spec outside = mounts_config(R"([{"destination": "/v", "type": "bind", "source": "/srv/v"}])");
  EXPECT_TRUE(init_may_ask_for_sources(outside, "/b", kInUserNamespace));
  EXPECT_TRUE(init_may_ask_for_sources(outside, "/b", {.user_namespace = true, .unprivileged = true}));
  // Without a user namespace the init is host root: it reaches every source.
  EXPECT_FALSE(init_may_ask_for_sources(outside, "/b", {}));
  // A relative source is the bundle's, outside the rootfs too.
  EXPECT_TRUE(init_may_ask_for_sources(
      mounts_config(R"([{"destination": "/v", "source": "data", "options": ["rbind"]}])"), "/b", kInUserNamespace));
  // A source below the rootfs too (the image's directory may be 0700).
  EXPECT_TRUE(init_may_ask_for_sources(
      mounts_config(R"([{"destination": "/v", "type": "bind", "source": "/b/rootfs/data"}])"), "/b", kInUserNamespace));
  // In a user namespace the init clones an id-mapped source and one under a
  // shared root too: from its own, locked copy of the host's mounts.
  EXPECT_TRUE(init_may_ask_for_sources(
      mounts_config(R"([{"destination": "/v", "type": "bind", "source": "/srv/v", "options": ["idmap"]}])"), "/b",
      kInUserNamespace));
  EXPECT_TRUE(init_may_ask_for_sources(mounts_config(R"([{"destination": "/v", "type": "bind", "source": "/srv/v"}])",
                                                     R"("rootfsPropagation": "rshared")"),
                                       "/b", kInUserNamespace));
}

TEST(BindSources, NoQuestionForWhatIsNoBind) {
  for (const char* mounts : {
           R"([{"destination": "/v", "type": "tmpfs", "source": "/srv/v"}])",   // no bind
           R"([{"destination": "/v", "options": ["remount", "bind", "ro"]}])",  // changes a mount
       }) {
    SCOPED_TRACE(mounts);
    EXPECT_FALSE(init_may_ask_for_sources(mounts_config(mounts), "/b", kInUserNamespace));
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
  const std::string first = "0", second = "1";
  EXPECT_TRUE(
      names(open_source_for_init({first}, open_root, spec, "/b", "/b/rootfs", 2), fs::path(root.path()) / "srv/v"));
  try {
    open_source_for_init({second}, open_root, spec, "/b", "/b/rootfs", 2);
    ADD_FAILURE() << "a missing source opened";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ENOENT);
    EXPECT_TRUE(e.message().starts_with("rootfs: .mounts[1]: mount \"/srv/missing\" on \"/w\"")) << e.message();
    EXPECT_TRUE(e.message().ends_with(": the source does not exist")) << e.message();
  }
  // The runtime's own mount past the config's is named for what it is.
  const std::string notify =
      test::error_of([&] { open_source_for_init({second}, open_root, spec, "/b", "/b/rootfs", 1); });
  EXPECT_TRUE(notify.starts_with("rootfs: the mount hull adds on \"/w\" for NOTIFY_SOCKET: ")) << notify;
}

// A source below the rootfs is opened below the init's rootfs mount, sent
// with the question: the image's path, its symlinks kept inside.
TEST(BindSources, ASourceBelowTheRootfsIsOpenedBelowTheInitsRootfsMount) {
  test::TempDir image;
  fs::create_directories(fs::path(image.path()) / "data/sub");
  fs::create_symlink("/data", fs::path(image.path()) / "link");  // absolute: read from the image's "/"
  UniqueFd rootfs_mount(::open(image.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  auto no_root = []() -> UniqueFd {
    ADD_FAILURE() << "the init's root opened for a source below the rootfs";
    return {};
  };
  const spec::Spec spec = mounts_config(R"([{"destination": "/v", "type": "bind", "source": "/b/rootfs/link/sub"}])");
  const std::string index = "0";
  EXPECT_TRUE(names(open_source_for_init({index, rootfs_mount.get()}, no_root, spec, "/b", "/b/rootfs", 1),
                    fs::path(image.path()) / "data/sub"));
  // Without the rootfs mount (or with one for a source outside it) the
  // question is not the one the init asks.
  const std::string without =
      test::error_of([&] { open_source_for_init({index}, no_root, spec, "/b", "/b/rootfs", 1); });
  EXPECT_TRUE(without.starts_with("sync protocol: bind-source for ")) << without;
}

// A runtime that may not open the init's root (an ordinary user's, beside a
// non-dumpable init of other ids) says what would let it.
TEST(BindSources, AnInitsRootTheRuntimeMayNotOpenIsToldWithTheWayOut) {
  const spec::Spec spec = mounts_config(R"([{"destination": "/v", "type": "bind", "source": "/srv/v"}])");
  try {
    const std::string index = "0";
    open_source_for_init(
        {index}, []() -> UniqueFd { throw Error("open /proc/7/root: Permission denied", EACCES); }, spec, "/b",
        "/b/rootfs", 1);
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
  const spec::Spec spec = mounts_config(R"([{"destination": "/v", "type": "bind", "source": "/srv/data"},
                                     {"destination": "/t", "type": "tmpfs", "source": "tmpfs"}])");
  for (const std::string index : {"1", "2", "", "1x", "-1", "18446744073709551617"}) {
    SCOPED_TRACE(index);
    try {
      open_source_for_init({index}, open_root, spec, "/b", "/b/rootfs", 2);
      ADD_FAILURE() << "opened";
    } catch (const Error& e) {
      EXPECT_TRUE(e.message().starts_with("sync protocol: bind-source for ")) << e.message();
    }
  }
}

}  // namespace
}  // namespace hull::rootfs
