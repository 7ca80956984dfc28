#pragma once
// Typed model of an OCI runtime-spec config.json (v1.0.0 .. v1.3.0), Linux parts.
//
// Conventions: member names are the JSON names; a field the JSON may omit is
// std::optional (or an empty container where absence and empty mean the same).
// Enumerated strings the spec defines (seccomp actions, scheduler policies, ...)
// are kept as the spec's strings: the parser has already checked that they are
// one of the allowed values, and the module that applies them translates them.
// Unknown fields are ignored, as the spec requires.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hull::spec {

struct IDMapping {
  uint32_t containerID = 0;
  uint32_t hostID = 0;
  uint32_t size = 0;
};

struct Mount {
  std::string destination;  // required
  std::optional<std::string> type;
  std::optional<std::string> source;
  std::vector<std::string> options;
  std::vector<IDMapping> uidMappings;
  std::vector<IDMapping> gidMappings;
};

struct Root {
  std::string path;  // required
  bool readonly = false;
};

// runc's range for uids and gids (its user package refuses larger ones);
// (uid_t)-1 in particular is "no change" to setresuid(2).
inline constexpr uint32_t kMaxUserId = 2147483647;

struct User {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::optional<uint32_t> umask;
  std::vector<uint32_t> additionalGids;
  std::optional<std::string> username;
};

struct ConsoleSize {
  uint64_t height = 0;
  uint64_t width = 0;
};

struct Capabilities {
  std::optional<std::vector<std::string>> bounding;
  std::optional<std::vector<std::string>> effective;
  std::optional<std::vector<std::string>> permitted;
  std::optional<std::vector<std::string>> inheritable;
  std::optional<std::vector<std::string>> ambient;
};

struct Rlimit {
  std::string type;  // "RLIMIT_NOFILE", ...
  uint64_t soft = 0;
  uint64_t hard = 0;
};

struct IOPriority {
  std::string class_;  // JSON "class": IOPRIO_CLASS_RT|BE|IDLE
  int32_t priority = 0;
};

struct Scheduler {
  std::string policy;  // SCHED_OTHER, ...
  std::optional<int32_t> nice;
  std::optional<int32_t> priority;
  std::vector<std::string> flags;  // SCHED_FLAG_*
  std::optional<uint64_t> runtime;
  std::optional<uint64_t> deadline;
  std::optional<uint64_t> period;

  // SCHED_FLAG_KEEP_POLICY or _KEEP_PARAMS let the kernel take the thread's
  // own policy or values: only the kernel can judge the result.
  bool keeps_threads_own() const {
    for (const std::string& f : flags)
      if (f == "SCHED_FLAG_KEEP_POLICY" || f == "SCHED_FLAG_KEEP_PARAMS") return true;
    return false;
  }
};

struct ExecCPUAffinity {
  std::optional<std::string> initial;
  std::optional<std::string> final;
};

struct Process {
  bool terminal = false;
  std::optional<ConsoleSize> consoleSize;
  User user;
  std::vector<std::string> args;
  std::optional<std::string> commandLine;
  std::vector<std::string> env;
  std::string cwd;  // required
  std::optional<Capabilities> capabilities;
  std::vector<Rlimit> rlimits;
  bool noNewPrivileges = false;
  std::optional<std::string> apparmorProfile;
  std::optional<int> oomScoreAdj;
  std::optional<std::string> selinuxLabel;
  std::optional<IOPriority> ioPriority;
  std::optional<Scheduler> scheduler;
  std::optional<ExecCPUAffinity> execCPUAffinity;
};

struct Hook {
  std::string path;  // required
  std::vector<std::string> args;
  std::optional<std::vector<std::string>> env;  // [] is an empty environment, absent the default
  std::optional<int> timeout;                   // seconds, >= 1
};

struct Hooks {
  std::vector<Hook> prestart;
  std::vector<Hook> createRuntime;
  std::vector<Hook> createContainer;
  std::vector<Hook> startContainer;
  std::vector<Hook> poststart;
  std::vector<Hook> poststop;
};

enum class NamespaceType { Mount, Pid, Network, Uts, Ipc, User, Cgroup, Time };

struct Namespace {
  NamespaceType type = NamespaceType::Mount;
  std::optional<std::string> path;  // join this namespace instead of creating one
};

struct Device {
  std::string type;  // "c", "b", "u" or "p"
  std::string path;
  std::optional<int64_t> major;
  std::optional<int64_t> minor;
  std::optional<uint32_t> fileMode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
};

struct DeviceCgroup {
  bool allow = false;
  std::optional<std::string> type;  // "a", "c" or "b"
  std::optional<int64_t> major;
  std::optional<int64_t> minor;
  std::optional<std::string> access;  // subset of "rwm"
};

struct Memory {
  std::optional<int64_t> limit;
  std::optional<int64_t> reservation;
  std::optional<int64_t> swap;
  std::optional<int64_t> kernel;
  std::optional<int64_t> kernelTCP;
  std::optional<uint64_t> swappiness;
  std::optional<bool> disableOOMKiller;
  std::optional<bool> useHierarchy;
  std::optional<bool> checkBeforeUpdate;
};

struct CPU {
  std::optional<uint64_t> shares;
  std::optional<int64_t> quota;
  std::optional<uint64_t> burst;
  std::optional<uint64_t> period;
  std::optional<int64_t> realtimeRuntime;
  std::optional<uint64_t> realtimePeriod;
  std::optional<std::string> cpus;
  std::optional<std::string> mems;
  std::optional<int64_t> idle;
};

struct Pids {
  // 0 is unset, whether absent or sent as 0 (cgroups/unset_values.hpp).
  int64_t limit = 0;
};

struct BlockIODeviceWeight {
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint16_t> weight;
  std::optional<uint16_t> leafWeight;
};

struct BlockIODeviceThrottle {
  int64_t major = 0;
  int64_t minor = 0;
  uint64_t rate = 0;
};

struct BlockIO {
  std::optional<uint16_t> weight;
  std::optional<uint16_t> leafWeight;
  std::vector<BlockIODeviceWeight> weightDevice;
  std::vector<BlockIODeviceThrottle> throttleReadBpsDevice;
  std::vector<BlockIODeviceThrottle> throttleWriteBpsDevice;
  std::vector<BlockIODeviceThrottle> throttleReadIOPSDevice;
  std::vector<BlockIODeviceThrottle> throttleWriteIOPSDevice;
};

struct HugepageLimit {
  std::string pageSize;  // "2MB", "1GB", ...
  uint64_t limit = 0;
};

struct NetworkInterfacePriority {
  std::string name;
  uint32_t priority = 0;
};

struct Network {
  std::optional<uint32_t> classID;
  std::vector<NetworkInterfacePriority> priorities;
};

struct Rdma {
  std::optional<uint32_t> hcaHandles;
  std::optional<uint32_t> hcaObjects;
};

struct Resources {
  std::vector<DeviceCgroup> devices;
  std::optional<Memory> memory;
  std::optional<CPU> cpu;
  std::optional<Pids> pids;
  std::optional<BlockIO> blockIO;
  std::vector<HugepageLimit> hugepageLimits;
  std::optional<Network> network;
  std::map<std::string, Rdma> rdma;
  std::map<std::string, std::string> unified;
};

struct SyscallArg {
  uint32_t index = 0;
  uint64_t value = 0;
  uint64_t valueTwo = 0;
  std::string op;  // SCMP_CMP_*
};

struct Syscall {
  std::vector<std::string> names;  // at least one
  std::string action;              // SCMP_ACT_*
  std::optional<uint32_t> errnoRet;
  std::vector<SyscallArg> args;
};

struct Seccomp {
  std::string defaultAction;  // SCMP_ACT_*
  std::optional<uint32_t> defaultErrnoRet;
  std::vector<std::string> architectures;  // SCMP_ARCH_*
  // SECCOMP_FILTER_FLAG_*; absent (or null) is not [] (seccomp/compile.cpp).
  std::optional<std::vector<std::string>> flags;
  std::optional<std::string> listenerPath;
  std::optional<std::string> listenerMetadata;
  std::vector<Syscall> syscalls;
};

struct IntelRdt {
  std::optional<std::string> closID;
  std::vector<std::string> schemata;
  std::optional<std::string> l3CacheSchema;
  std::optional<std::string> memBwSchema;
  std::optional<bool> enableMonitoring;
};

struct Personality {
  std::string domain;  // LINUX or LINUX32
  std::vector<std::string> flags;
};

struct MemoryPolicy {
  std::string mode;  // MPOL_*
  std::optional<std::string> nodes;
  std::vector<std::string> flags;  // MPOL_F_*
};

struct TimeOffset {
  int64_t secs = 0;
  uint32_t nanosecs = 0;
};

struct NetDevice {
  std::optional<std::string> name;
};

struct Linux {
  std::vector<Namespace> namespaces;
  std::vector<IDMapping> uidMappings;
  std::vector<IDMapping> gidMappings;
  std::vector<Device> devices;
  std::map<std::string, NetDevice> netDevices;
  std::optional<std::string> cgroupsPath;
  std::optional<Resources> resources;
  std::optional<std::string> rootfsPropagation;  // private|shared|slave|unbindable
  std::optional<Seccomp> seccomp;
  std::map<std::string, std::string> sysctl;
  std::vector<std::string> maskedPaths;
  std::vector<std::string> readonlyPaths;
  std::optional<std::string> mountLabel;
  std::optional<IntelRdt> intelRdt;
  std::optional<Personality> personality;
  std::optional<MemoryPolicy> memoryPolicy;
  std::map<std::string, TimeOffset> timeOffsets;  // "boottime", "monotonic"
};

struct Spec {
  std::string ociVersion;  // required
  std::optional<Root> root;
  std::vector<Mount> mounts;
  std::optional<Process> process;
  std::optional<std::string> hostname;
  std::optional<std::string> domainname;
  Hooks hooks;
  std::map<std::string, std::string> annotations;
  std::optional<Linux> linux_;  // JSON "linux" (a macro name in g++'s GNU mode)
};

// The most a config.json, a process file (`exec --process`) or a resources
// file (`update -r`) may hold: far above any real one (Kubernetes caps a
// pod's annotations at 256 KiB), and a file without end (/dev/zero, a
// runaway pipe) is refused, naming it, rather than read until memory runs out.
constexpr size_t kMaxConfigSize = size_t{16} << 20;

// Parses config.json text. Throws hull::Error whose message names the file,
// the JSON path and the value, e.g.
//   config.json: .linux.namespaces[2].type: unknown namespace "netx"
Spec parse_config(const std::string& json_text, const std::string& file_name = "config.json");
// Reads and parses <bundle>/config.json.
Spec load_bundle_config(const std::string& bundle_dir);

// Spec name of a namespace type ("network", "mount", ...).
const char* to_string(NamespaceType t);

// Whether .linux.namespaces has an entry of type t (a new namespace or one
// joined by path). Without one the container shares the runtime's.
bool lists_namespace(const Spec& spec, NamespaceType t);
// Whether any hook of any kind is configured.
bool has_hooks(const Hooks& hooks);

}  // namespace hull::spec

namespace hull::spec {
// Parses a standalone runtime-spec process object (hull exec --process FILE).
Process parse_process_json(const std::string& json_text, const std::string& file_name);
// Parses a standalone linux.resources object (hull update --resources FILE).
// Null members are read as absent, as everywhere in the parser.
Resources parse_resources_json(const std::string& json_text, const std::string& file_name);
}  // namespace hull::spec
