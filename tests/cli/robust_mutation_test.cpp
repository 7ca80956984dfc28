// Mutants of a valid config.json through the real binary: fields dropped,
// duplicated, retyped, set to extreme values, nested deeply or made huge. Each
// `hull create` must exit 0 or 1 (never a signal or a hang); a refusal must be
// one clean message, naming the JSON path when the config is at fault; and
// after `hull delete --force` nothing may be left: no state dir, mount,
// cgroup or process.
//
// Seeded and reproducible: the seed is printed; HULL_MUTATION_SEED=<n> replays
// a run and HULL_MUTANTS=<n> sets how many mutants (default 300).
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "harness.hpp"

namespace hull::itest {
namespace {

using nlohmann::json;

// Fields a mutant never touches: the rootfs, the cgroup (tests nest their
// cgroups under their own), the namespace list (a mutant without a mount
// namespace would mount in the test's own) and hooks (they run host programs).
bool protected_path(const std::string& ptr) {
  for (const char* p : {"/root/path", "/linux/cgroupsPath", "/linux/namespaces", "/hooks"})
    if (ptr.rfind(p, 0) == 0) return true;
  return false;
}

// RFC 6901 escaping of one reference token.
std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

void collect_paths(const json& j, const std::string& ptr, std::vector<std::string>& out) {
  if (!ptr.empty() && !protected_path(ptr)) out.push_back(ptr);
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) collect_paths(v, ptr + "/" + pointer_token(k), out);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) collect_paths(j[i], ptr + "/" + std::to_string(i), out);
  }
}

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}

  // One to three mutations of base; `what` describes them for the failure message.
  json mutate(const json& base, std::string& what) {
    json j = base;
    int n = 1 + pick(3);
    for (int i = 0; i < n; ++i) {
      std::vector<std::string> paths;
      collect_paths(j, "", paths);
      if (paths.empty()) break;
      const std::string ptr = paths[pick(paths.size())];
      what += mutate_at(j, json::json_pointer(ptr)) + " " + ptr + "; ";
    }
    return j;
  }

 private:
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  json extreme_value() {
    static const std::vector<json> values = {nullptr,
                                             true,
                                             false,
                                             0,
                                             -1,
                                             1,
                                             0.5,
                                             -0.0,
                                             1e308,
                                             -1e308,
                                             4294967295ULL,
                                             4294967296ULL,
                                             18446744073709551615ULL,
                                             INT64_MIN,
                                             2147483648LL,
                                             "",
                                             "/",
                                             "../../../../hull-mutant-nowhere",
                                             "\u00e9\u4e2d",
                                             "a,b=c",
                                             " ",
                                             "0x10",
                                             "-1",
                                             json::object(),
                                             json::array(),
                                             json::array({nullptr}),
                                             json::object({{"", nullptr}})};
    switch (pick(6)) {
      case 0: return std::string(65536, 'a');                      // huge string
      case 1: return std::string(1 + pick(4096), "x/."[pick(3)]);  // long path-ish string
      default: return values[pick(values.size())];
    }
  }

  std::string mutate_at(json& root, const json::json_pointer& ptr) {
    json& target = root[ptr];
    json& parent = root[ptr.parent_pointer()];
    const std::string& last = ptr.back();
    switch (pick(5)) {
      case 0:  // drop
        if (parent.is_object())
          parent.erase(last);
        else
          parent.erase(parent.begin() + std::stol(last));
        return "drop";
      case 1:  // duplicate: an array element repeated, or an object value copied into a sibling
        if (parent.is_array()) {
          const json copy = target;
          size_t times = pick(2) ? 1 : 1 + pick(64);
          for (size_t i = 0; i < times; ++i) parent.insert(parent.begin() + std::stol(last), copy);
          return "duplicate x" + std::to_string(times);
        }
        parent[last + "_dup"] = target;
        return "duplicate sibling of";
      case 2: {  // deep nesting, within what a parser must accept
        json nested = target;
        size_t depth = 1 + pick(100);
        for (size_t i = 0; i < depth; ++i) nested = pick(2) ? json::array({nested}) : json::object({{"n", nested}});
        target = nested;
        return "nest x" + std::to_string(depth);
      }
      default: target = extreme_value(); return "set to " + target.dump().substr(0, 40);
    }
  }

  std::mt19937_64 rng_;
};

std::string last_line(const std::string& text) {
  size_t end = text.find_last_not_of('\n');
  if (end == std::string::npos) return "";
  size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1,
                     end + 1 - (start == std::string::npos ? 0 : start + 1));
}

// Mutants hold 64 KiB strings: failure messages show the start and the end.
std::string shorten(const std::string& text) {
  if (text.size() <= 600) return text;
  return text.substr(0, 300) + " [...] " + text.substr(text.size() - 300);
}

uint64_t mutation_seed() {
  if (const char* s = std::getenv("HULL_MUTATION_SEED"); s && *s) return std::strtoull(s, nullptr, 10);
  return std::random_device{}();
}

int mutant_count() {
  if (const char* s = std::getenv("HULL_MUTANTS"); s && *s) return std::atoi(s);
  return 300;
}

class MutationTest : public HullTest {};

TEST_F(MutationTest, MutantConfigsExitCleanlyAndLeaveNothing) {
  const uint64_t seed = mutation_seed();
  const int count = mutant_count();
  std::printf("mutation seed %llu (replay: HULL_MUTATION_SEED=%llu), %d mutants\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed), count);
  RecordProperty("seed", std::to_string(seed));

  Bundle& b = bundle();
  // Give the mutator more fields to work on than the default config has.
  b.config["linux"]["resources"] = {
      {"memory", {{"limit", 268435456}}}, {"pids", {{"limit", 100}}}, {"cpu", {{"shares", 512}, {"cpus", "0"}}}};
  b.config["linux"]["maskedPaths"] = {"/proc/kcore", "/sys/firmware"};
  b.config["linux"]["readonlyPaths"] = {"/proc/sys"};
  b.config["linux"]["sysctl"] = {{"kernel.shmmax", "65536"}};
  b.config["annotations"] = {{"org.example", "x"}};
  b.args({"sleep", "1000"});
  const json base = b.config;
  const std::string cgroups_path = base["linux"]["cgroupsPath"];
  const std::string id = "mutant";

  Mutator mutator(seed);
  int created = 0, refused = 0;
  for (int i = 0; i < count && !HasFailure(); ++i) {
    std::string what;
    b.config = mutator.mutate(base, what);
    b.write();
    SCOPED_TRACE("mutant " + std::to_string(i) + " of seed " + std::to_string(seed) + ": " + shorten(what));

    ProcResult r = hull({"create", "--bundle", b.dir().string(), id});
    ASSERT_FALSE(r.timed_out) << "hull create hung";
    ASSERT_EQ(r.signal, 0) << "hull create was killed by signal " << r.signal << ": " << shorten(r.err);
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << "exit " << r.exit_code << ": " << shorten(r.err);
    if (r.exit_code == 1) {
      ++refused;
      // Warnings (logfmt lines) may come first; the error is the last line.
      const std::string error = last_line(r.err);
      EXPECT_EQ(error.rfind("create container \"" + id + "\": ", 0), 0u) << shorten(r.err);
      // The mutant is valid JSON, so a refusal of the config names the path in it.
      const std::string file_prefix = b.config_path().string() + ": ";
      if (auto at = error.find(file_prefix); at != std::string::npos) {
        EXPECT_EQ(error.substr(at + file_prefix.size(), 1), ".") << "no JSON path in: " << shorten(error);
      }
      for (const char* bad : {"json.exception", "terminate called", "Sanitizer", "std::"})
        EXPECT_EQ(r.err.find(bad), std::string::npos) << "internal error text leaked: " << shorten(r.err);
    } else {
      ++created;
      std::optional<InitRecord> init = recorded_init(id);
      ASSERT_TRUE(init.has_value()) << "created, but state.json is unreadable";
      ProcResult d = hull({"delete", "--force", id});
      ASSERT_EQ(d.exit_code, 0) << shorten(d.err);
      EXPECT_TRUE(wait_exit_and_reap(init->pid)) << "init " << init->pid << " survived delete --force";
      for (const auto& dir : existing_cgroup_dirs(init->cgroup_path)) ADD_FAILURE() << "cgroup left: " << dir;
    }
    for (const auto& dir : existing_cgroup_dirs(cgroups_path)) ADD_FAILURE() << "cgroup left: " << dir;
    expect_nothing_left(id);
  }
  std::printf("mutants: %d created and deleted, %d refused\n", created, refused);
  // A mutator that only ever produced refusals (or only valid configs) tests little.
  if (!HasFailure() && count >= 50) {
    EXPECT_GT(created, count / 20);
    EXPECT_GT(refused, count / 20);
  }
}

}  // namespace
}  // namespace hull::itest
