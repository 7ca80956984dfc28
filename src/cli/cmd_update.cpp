#include <memory>

#include "cli/cli.hpp"

namespace hull::cli {

namespace {

struct ValueFlag {
  const char* name;
  const char* help;
};

// runc's update flags; values are converted by update_container.
constexpr ValueFlag kValueFlags[] = {
    {"memory", "memory limit in bytes (units: 100m, 1g; -1 unlimited)"},
    {"memory-reservation", "memory soft limit in bytes (units as --memory)"},
    {"memory-swap", "memory + swap limit in bytes (units as --memory; -1 unlimited)"},
    {"cpu-period", "CPU CFS period in microseconds (0 leaves it unchanged)"},
    {"cpu-quota", "CPU CFS quota in microseconds per period (-1 none; 0 leaves it unchanged)"},
    {"cpu-burst", "CPU CFS burst in microseconds"},
    {"cpu-share", "CPU shares (relative weight)"},
    {"cpu-rt-period", "CPU realtime period in microseconds"},
    {"cpu-rt-runtime", "CPU realtime runtime in microseconds per period"},
    {"cpuset-cpus", "CPUs to use, e.g. 0-2,4"},
    {"cpuset-mems", "memory nodes to use"},
    {"cpu-idle", "1: SCHED_IDLE for the cgroup, 0: default"},
    {"pids-limit", "maximum number of pids (-1 unlimited)"},
    {"blkio-weight", "block IO weight, 10 to 1000"},
};

}  // namespace

Verb setup_update(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("update", "update the cgroup limits of a container");
  auto o = std::make_shared<UpdateOptions>();
  command->add_option("-r,--resources", o->resources_file,
                      "a linux.resources JSON file, - for stdin (the other flags are then ignored)");
  for (const ValueFlag& f : kValueFlags) {
    std::string name = f.name;
    command->add_option_function<std::string>(
        "--" + name, [o, name](const std::string& v) { o->flags[name] = v; }, f.help);
  }
  // Accepted and ignored, as by runc (kernel memory limits are gone from the kernel).
  for (const char* name : {"kernel-memory", "kernel-memory-tcp"}) {
    std::string flag = name;
    command
        ->add_option_function<std::string>(
            "--" + flag, [o, flag](const std::string& v) { o->flags[flag] = v; }, "(obsolete)")
        ->group("");
  }
  command->add_option_function<std::string>(
      "--l3-cache-schema",
      [o](const std::string& v) {
        if (!v.empty()) o->l3_cache_schema = v;  // "": not given, as runc reads it
      },
      "Intel RDT L3 cache schema for the container's resctrl group, e.g. L3:0=f0");
  command->add_option_function<std::string>(
      "--mem-bw-schema",
      [o](const std::string& v) {
        if (!v.empty()) o->mem_bw_schema = v;
      },
      "Intel RDT memory bandwidth schema for the container's resctrl group, e.g. MB:0=50");
  add_id_argument(*command, o->id);
  return {command, [&ctx, o] {
            update_container(ctx.global, *o);
            return 0;
          }};
}

}  // namespace hull::cli
