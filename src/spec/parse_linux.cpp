// .linux → spec::Linux, except resources and seccomp (files of their own).
#include "spec/parse.hpp"

#include <algorithm>

namespace hull::spec::detail {
namespace {

constexpr NamespaceType kNamespaceTypes[] = {
    NamespaceType::Mount, NamespaceType::Pid,  NamespaceType::Network, NamespaceType::Uts,
    NamespaceType::Ipc,   NamespaceType::User, NamespaceType::Cgroup,  NamespaceType::Time,
};

NamespaceType parse_namespace_type(const Node& n) {
  std::string name = n.string();
  for (NamespaceType t : kNamespaceTypes)
    if (name == to_string(t)) return t;
  n.fail("unknown namespace " + quote_json(name));
}

Namespace parse_namespace(const Node& n) {
  Namespace ns;
  required_field(n, "type", ns.type, parse_namespace_type);
  optional_field(n, "path", ns.path, &Node::string);
  // An empty path is none, as with runc: a new namespace.
  if (ns.path && ns.path->empty()) ns.path.reset();
  return ns;
}

Device parse_device(const Node& n) {
  Device d;
  required_field(n, "type", d.type, [](const Node& t) { return t.one_of({"c", "b", "u", "p"}, "device type"); });
  required_field(n, "path", d.path, &Node::string);
  // A fifo has no device number; for the others mknod(2) would silently make 0:0.
  if (d.type == "p") {
    optional_field(n, "major", d.major, &Node::i64);
    optional_field(n, "minor", d.minor, &Node::i64);
  } else {
    required_field(n, "major", d.major, &Node::i64);
    required_field(n, "minor", d.minor, &Node::i64);
  }
  // config-linux.md says uint32 (the schema narrows it to 0777); the device
  // module keeps the permission bits.
  optional_field(n, "fileMode", d.fileMode, &Node::u32);
  optional_field(n, "uid", d.uid, &Node::u32);
  optional_field(n, "gid", d.gid, &Node::u32);
  return d;
}

NetDevice parse_net_device(const Node& n) {
  NetDevice d;
  optional_field(n, "name", d.name, &Node::string);
  return d;
}

std::string parse_rootfs_propagation(const Node& n) {
  // The spec's four values plus the recursive forms runc accepts: Docker
  // writes "rslave" and "rshared", and hull must run what runc runs.
  return n.one_of({"private", "shared", "slave", "unbindable", "rprivate", "rshared", "rslave", "runbindable"},
                  "rootfs propagation");
}

// A resctrl group's name: one directory under the resctrl mount, or "/"
// for its root (the default CLOS).
std::string parse_clos_id(const Node& n) {
  std::string v = n.string();
  if (v == "/") return v;
  if (v.empty() || v == "." || v == ".." || v.find_first_of("/\n") != std::string::npos || v.size() > 255)
    n.fail("invalid closID " + quote_json(v) + " (a resctrl group name: one path component, or \"/\")");
  return v;
}

// One line of a resctrl schemata file, as the kernel reads it.
std::string parse_schemata_line(const Node& n) {
  std::string v = n.string();
  if (v.find('\n') != std::string::npos || v.find(':') == std::string::npos)
    n.fail("invalid schemata line " + quote_json(v) + " (expected one line \"<resource>:<domains>\")");
  return v;
}

IntelRdt parse_intel_rdt(const Node& n) {
  IntelRdt r;
  optional_field(n, "closID", r.closID, parse_clos_id);
  optional_field(n, "schemata", r.schemata, [](const Node& s) { return s.list(parse_schemata_line); });
  optional_field(n, "l3CacheSchema", r.l3CacheSchema, &Node::string);
  optional_field(n, "memBwSchema", r.memBwSchema, [](const Node& s) {
    std::string v = s.string();
    if (v.rfind("MB:", 0) != 0 || v.find('\n') != std::string::npos)
      s.fail("invalid memory bandwidth schema " + quote_json(v) + " (expected one line starting with MB:)");
    return v;
  });
  optional_field(n, "enableMonitoring", r.enableMonitoring, &Node::boolean);
  return r;
}

Personality parse_personality(const Node& n) {
  Personality p;
  required_field(n, "domain", p.domain, [](const Node& d) {
    return d.one_of({"LINUX", "LINUX32"}, "personality domain");
  });
  // The spec defines no flag yet; one refused here names the file and the
  // field before anything is made (the init refused it, after the
  // namespaces and cgroups). Ignoring one such as ADDR_NO_RANDOMIZE would
  // change the process's security unasked.
  optional_field(n, "flags", p.flags, [](const Node& flags) {
    return flags.list([](const Node& f) -> std::string {
      f.fail("unsupported flag " + quote_json(f.string()) + " (the spec defines none)");
    });
  });
  return p;
}

MemoryPolicy parse_memory_policy(const Node& n) {
  MemoryPolicy m;
  required_field(n, "mode", m.mode, [](const Node& d) {
    return d.one_of({"MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED",
                     "MPOL_PREFERRED_MANY", "MPOL_LOCAL"},
                    "memory policy mode");
  });
  optional_field(n, "nodes", m.nodes, [](const Node& d) { return parse_number_list(d, "node"); });
  // What set_mempolicy(2) takes, checked before anything is made (the init
  // applies it after the namespaces, cgroups and the first hooks).
  const bool has_nodes = m.nodes && m.nodes->find_first_of("0123456789") != std::string::npos;
  if ((m.mode == "MPOL_DEFAULT" || m.mode == "MPOL_LOCAL") && has_nodes)
    n.required("nodes").fail(m.mode + " takes no nodes");
  if (m.mode != "MPOL_DEFAULT" && m.mode != "MPOL_LOCAL" && m.mode != "MPOL_PREFERRED" && !has_nodes)
    n.fail(m.mode + " needs at least one node in \"nodes\"");
  if (auto f = n.get("flags")) {
    m.flags = f->list([](const Node& e) {
      return e.one_of({"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"}, "memory policy flag");
    });
    // The node-mapping flags map given nodes: one of them, and never for
    // the local node. Which modes MPOL_F_NUMA_BALANCING takes grows with
    // the kernel, so the kernel judges that one.
    const auto has = [&](std::string_view flag) { return std::ranges::find(m.flags, flag) != m.flags.end(); };
    const bool maps_nodes = has("MPOL_F_STATIC_NODES") || has("MPOL_F_RELATIVE_NODES");
    if (has("MPOL_F_STATIC_NODES") && has("MPOL_F_RELATIVE_NODES"))
      f->fail("MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other");
    if (maps_nodes && (m.mode == "MPOL_LOCAL" || (m.mode == "MPOL_PREFERRED" && !has_nodes)))
      f->fail((m.mode == "MPOL_LOCAL" ? m.mode : m.mode + " without nodes") +
              " takes no MPOL_F_STATIC_NODES or MPOL_F_RELATIVE_NODES");
  }
  return m;
}

std::map<std::string, TimeOffset> parse_time_offsets(const Node& n) {
  // time_namespaces(7) offsets exist for these two clocks only; an offset for
  // any other clock could not be applied, so it is an error, not ignored.
  for (std::string_view clock : n.keys()) {
    if (clock != "boottime" && clock != "monotonic")
      n.fail("unknown clock " + quote_json(clock) + " (time offsets exist for boottime and monotonic)");
  }
  return n.map([](const Node& e) {
    TimeOffset t;
    optional_field(e, "secs", t.secs, &Node::i64);
    // The kernel refuses nanoseconds of a second or more.
    if (auto ns = e.get("nanosecs")) t.nanosecs = ns->integer_in<uint32_t>(0, 999'999'999);
    return t;
  });
}

}  // namespace

Linux parse_linux(const Node& n) {
  Linux l;
  if (auto v = n.get("namespaces")) l.namespaces = v->list(parse_namespace);
  if (auto v = n.get("uidMappings")) l.uidMappings = v->list(parse_id_mapping);
  if (auto v = n.get("gidMappings")) l.gidMappings = v->list(parse_id_mapping);
  if (auto v = n.get("devices")) l.devices = v->list(parse_device);
  if (auto v = n.get("netDevices")) l.netDevices = v->map(parse_net_device);
  optional_field(n, "cgroupsPath", l.cgroupsPath, &Node::string);
  optional_field(n, "resources", l.resources, parse_resources);
  // "" is the default, as runc reads it (a generator writing Go's zero value).
  if (auto v = n.get("rootfsPropagation"); v && !v->string().empty())
    l.rootfsPropagation = parse_rootfs_propagation(*v);
  optional_field(n, "seccomp", l.seccomp, parse_seccomp);
  optional_field(n, "sysctl", l.sysctl, &Node::string_map);
  optional_field(n, "maskedPaths", l.maskedPaths, &Node::strings);
  optional_field(n, "readonlyPaths", l.readonlyPaths, &Node::strings);
  optional_field(n, "mountLabel", l.mountLabel, &Node::string);
  optional_field(n, "intelRdt", l.intelRdt, parse_intel_rdt);
  optional_field(n, "personality", l.personality, parse_personality);
  optional_field(n, "memoryPolicy", l.memoryPolicy, parse_memory_policy);
  if (auto v = n.get("timeOffsets")) l.timeOffsets = parse_time_offsets(*v);
  return l;
}

}  // namespace hull::spec::detail
