// Container id rules (runc's): non-empty, [A-Za-z0-9_+,.-], not "." or "..",
// at most 1024 bytes (255 for a new one). Ids become directory names under the state root, so any
// id that could name a path outside it must be refused.
#include <gtest/gtest.h>

#include <string>

#include "base/error.hpp"
#include "runtime/state_store.hpp"
#include "support/temp_dir.hpp"

namespace hull {
namespace {

TEST(ContainerId, AcceptsRuncCompatibleIds) {
  const std::string ids[] = {"web",
                             "a",
                             "A-Z_0.9+x",
                             "...",
                             ".hidden",
                             "-leading-dash",
                             "x..y",
                             "a,b",  // runc's [\w+-\.] holds the range '+' to '.'
                             "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                             std::string(1024, 'a')};
  for (const std::string& id : ids) {
    SCOPED_TRACE(id.substr(0, 40));
    EXPECT_NO_THROW(validate_container_id(id));
  }
}

struct BadId {
  std::string id;
  std::string message;
};

TEST(ContainerId, RefusesBadIdsWithExactMessages) {
  const std::string chars = "only letters, digits and _+,.- are allowed";
  const BadId cases[] = {
      {"", "invalid container id \"\": it must not be empty"},
      {".", "invalid container id \".\": \".\" and \"..\" are not allowed"},
      {"..", "invalid container id \"..\": \".\" and \"..\" are not allowed"},
      {"a/b", "invalid container id \"a/b\": " + chars},
      {"../x", "invalid container id \"../x\": " + chars},
      {"/abs", "invalid container id \"/abs\": " + chars},
      {"a b", "invalid container id \"a b\": " + chars},
      {"tab\there", "invalid container id \"tab\\x09here\": " + chars},
      {"esc\x1b[2J", "invalid container id \"esc\\x1b[2J\": " + chars},
      {"caf\xc3\xa9", "invalid container id \"caf\\xc3\\xa9\": " + chars},
      {std::string("nul\0x", 5), "invalid container id \"nul\\x00x\": " + chars},
      {"q\"uote", "invalid container id \"q\\\"uote\": " + chars},
      {"star*", "invalid container id \"star*\": " + chars},
      {std::string(1025, 'a'),
       "invalid container id \"" + std::string(64, 'a') + "...\": it is longer than 1024 bytes"},
  };
  for (const BadId& c : cases) {
    SCOPED_TRACE(c.message);
    try {
      validate_container_id(c.id);
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), c.message);
      EXPECT_EQ(e.code(), 0);
    }
  }
}

// A new container's id names its state directory: one longer than a file
// name can be is refused before anything is made, with a message shorter
// than the id, not as an ENAMETOOLONG at the rename of its directory.
TEST(ContainerId, ANewContainersIdFitsAFileName) {
  EXPECT_NO_THROW(validate_new_container_id(std::string(255, 'a')));
  try {
    validate_new_container_id(std::string(256, 'a'));
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "invalid container id \"" + std::string(64, 'a') +
                                         "...\": it is longer than 255 bytes, the longest name its state directory "
                                         "can have");
  }
  EXPECT_NO_THROW(validate_container_id(std::string(256, 'a')));  // looked up: simply not there
  test::TempDir tmp("id");
  StateStore store(tmp / "root");
  EXPECT_THROW(store.create(std::string(256, 'a')), Error);
  EXPECT_NE(access((tmp / "root").c_str(), F_OK), 0);
  ContainerDir longest = store.create(std::string(255, 'b'));
  EXPECT_EQ(longest.path(), tmp / "root" + "/" + std::string(255, 'b'));
}

TEST(ContainerId, StoreRefusesBadIdsBeforeTouchingTheDisk) {
  test::TempDir tmp("id");
  std::string root = tmp / "root";
  StateStore store(root);
  EXPECT_THROW(store.create("../escape"), Error);
  EXPECT_THROW(store.open(".."), Error);
  // Refused before mkdir of the root: nothing was created.
  EXPECT_NE(access(root.c_str(), F_OK), 0);
  EXPECT_NE(access((tmp / "escape").c_str(), F_OK), 0);
}

}  // namespace
}  // namespace hull
