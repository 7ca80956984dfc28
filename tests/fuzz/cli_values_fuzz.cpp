// The values of command-line flags: the first byte picks the parser, the rest
// is the value. Signal names (kill), -u/--user and --additional-gids, -e and
// --cap (exec), sizes (update --memory), Go durations (events --interval),
// cpu lists (cpuset-cpus, execCPUAffinity), container ids, the
// single-dash-flag rewriting of argv, and /proc/<pid>/stat text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "fuzz_guard.hpp"
#include "process/capabilities.hpp"
#include "base/cpu_list.hpp"
#include "process/scheduling.hpp"
#include "runtime/exec_process_builder.hpp"
#include "runtime/operations.hpp"
#include "runtime/units.hpp"

namespace {

// Splits at NUL bytes: several values (argv, -e list) from one input.
std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == '\0')
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t which = data[0] % 9;
  std::string v(reinterpret_cast<const char*>(data) + 1, size - 1);
  using hull::fuzz::expect_clean;
  switch (which) {
    case 0: expect_clean("parse_signal", [&] { hull::parse_signal(v); }); break;
    case 1: expect_clean("parse_exec_user", [&] { hull::parse_exec_user(v); }); break;
    case 2:  // the numbers of update's flags
      expect_clean("parse_ram_in_bytes", [&] { hull::parse_ram_in_bytes(v); });
      expect_clean("parse_go_int", [&] { hull::parse_go_int(v, 0); });
      expect_clean("parse_go_int", [&] { hull::parse_go_int(v, 10); });
      expect_clean("parse_go_uint", [&] { hull::parse_go_uint(v); });
      break;
    case 3: expect_clean("parse_go_duration", [&] { hull::parse_go_duration(v); }); break;
    case 4: expect_clean("parse_cpu_list", [&] { hull::parse_cpu_list(v, "cpus"); }); break;
    case 5: expect_clean("validate_container_id", [&] { hull::validate_container_id(v); }); break;
    case 6: {
      // exec -e/--cap/-u/--additional-gids on top of a base process.
      std::vector<std::string> parts = split(v);
      hull::ExecOptions o;
      o.args = {"sh"};
      for (size_t i = 0; i < parts.size(); ++i) {
        switch (i % 4) {
          case 0: o.env.push_back(parts[i]); break;
          case 1: o.caps.push_back(parts[i]); break;
          case 2: o.additional_gids.push_back(parts[i]); break;
          case 3: o.user = parts[i]; break;
        }
      }
      hull::spec::Process base;
      base.env = {"PATH=/bin", "HOME=/"};
      expect_clean("build_exec_process", [&] { hull::build_exec_process(base, o); });
      for (const auto& c : o.caps) hull::process::capability_from_name(c);
      break;
    }
    case 7: {
      hull::cli::FlagSet global{{"root", "log", "debug"}, {"root", "log"}, {}};
      std::map<std::string, hull::cli::FlagSet> verbs{
          {"exec", {{"env", "user", "tty"}, {"env", "user", "e", "u"}, {{"e", "env"}, {"u", "user"}, {"t", "tty"}}}},
          {"kill", {{"all"}, {}, {{"a", "all"}}}}};
      expect_clean("normalize_single_dash", [&] { hull::cli::normalize_single_dash(split(v), global, verbs); });
      break;
    }
    case 8: expect_clean("parse_proc_stat", [&] { hull::parse_proc_stat(v, "stat"); }); break;
  }
  return 0;
}
