#pragma once
// The criu(8) command lines behind `hull checkpoint` and `hull restore`:
// runc's flags translated into CRIU's, and the container's external mounts
// described to CRIU as runc describes them. Pure functions, no I/O.
//
// hull runs the criu CLI rather than its RPC (`criu swrk` over a socketpair
// with protobuf messages, as runc does): every option used here has a CLI
// spelling in CRIU 3.17, so no protobuf encoder is needed and the arguments
// are visible in `ps` and in CRIU's log. The RPC's notifications come
// through --action-script instead (CriuActions, criu.hpp: the hooks at
// setup-namespaces); the orphaned pty master for a restored console has no
// CLI spelling, so hull does without it: a process.terminal container's
// console is an external pty to CRIU (--shell-job, /dev/console an external
// mount), and restore hands CRIU the new pty on its stdin (see restore.cpp).
#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "runtime/operations.hpp"
#include "spec/spec.hpp"

namespace hull {

// One `--external mnt[KEY]:VALUE`: on dump KEY is the mount point inside the
// container and VALUE the cookie saved in the images; on restore KEY is that
// cookie and VALUE the host path mounted there.
struct ExternalMount {
  std::string key;
  std::string value;
  bool operator==(const ExternalMount&) const = default;
};

// The CRIU configuration file of a dump or restore, and what in it takes the
// place of hull's own options: runc hands CRIU the file over RPC, where
// "settings in the configuration file will overwrite RPC settings", but on
// CRIU's command line the command line wins, so hull leaves out its own
// --log-file and -v4 where the file sets them.
struct CriuConfigFile {
  std::string path;        // "" = none
  std::string log_file;    // its log-file ("" = none), relative to the work directory
  std::string work_dir;    // its work-dir ("" = none)
  bool verbosity = false;  // it sets verbosity
};

// What a dump needs to know about the container besides the user's options.
struct DumpTarget {
  pid_t pid = 0;              // the container's init
  std::string rootfs;         // its root, as the host sees it
  std::string freeze_cgroup;  // cgroup directory CRIU freezes instead of ptrace-stopping ("" = none)
  std::vector<ExternalMount> mounts;
  std::vector<std::string> external_namespaces;  // "net[4026532163]:extRootNetNS" (criu_external_namespace)
  CriuConfigFile config;                         // CRIU's --config: criu_config_file
};

struct RestoreTarget {
  std::string root;      // a mount point holding the rootfs (CRIU's --root)
  std::string pid_file;  // CRIU writes the restored init's pid here
  // The container's cgroups as CRIU's --cgroup-root takes them: "/path" for
  // cgroup v2, "controller:/path" for a v1 hierarchy, relative to its mount.
  std::vector<std::string> cgroup_roots;
  std::vector<ExternalMount> mounts;
  std::vector<std::pair<int, std::string>>
      inherit_fds;  // fd in CRIU -> what it stands for ("pipe:[123]", "extRootNetNS")
  std::vector<std::pair<std::string, std::string>> join_namespaces;  // --join-ns: CRIU's name ("ipc") -> path
  std::string action_script;                             // CRIU's --action-script ("" = none)
  CriuConfigFile config;                                 // CRIU's --config: criu_config_file
};

// The CRIU configuration file a container's dump and restore use, as runc
// picks it: the annotation org.criu.config's file ("": none), else
// /etc/criu/runc.conf, read for the options above. None where that file
// does not exist (runc's CRIU, over RPC, ignores a missing one; the command
// line would fail on it). CRIU's own default files (/etc/criu/default.conf,
// ~/.criu/default.conf), which runc's RPC never reads, are left out with
// --no-default-config.
CriuConfigFile criu_config_file(const spec::Spec& spec);
// CRIU's reading of a configuration file's text: one option a line, its long
// name without dashes, then "=" and its value as it stands, or blanks and its
// value, double quotes around it dropped; "#" starts a comment.
CriuConfigFile parse_criu_config(const std::string& path, std::string_view text);

// The log file CRIU writes in the work directory.
// A pre-dump writes dump.log too, as runc's does.
inline constexpr const char* kDumpLog = "dump.log";
inline constexpr const char* kRestoreLog = "restore.log";

// Checks --manage-cgroups-mode ("" means soft, CRIU's and runc's default).
// Throws `invalid --manage-cgroups-mode "x": ...`.
std::string criu_cgroups_mode(const std::string& mode);
// runc's --empty-ns names ("network") as CRIU's ("net"). Throws on others:
// CRIU can leave only the network namespace empty.
std::string criu_empty_ns(const std::string& name);

// The namespaces a config joins by path, told to CRIU as runc tells it:
// network and pid are outside what a dump saves, `--external
// net[INODE]:extRootNetNS`, and a restore hands CRIU that namespace open
// under the same key (--inherit-fd); ipc, uts, user and mount are joined by
// a restore (--join-ns). A cgroup or time namespace joined by path cannot be
// restored: CRIU has no way to join one.
// The key of a network or pid namespace ("extRootNetNS"), "" for the others.
std::string criu_namespace_key(spec::NamespaceType t);
// `--external` of a dump for namespace `t`'s inode: "net[4026532163]:extRootNetNS".
std::string criu_external_namespace(spec::NamespaceType t, ino_t inode);
// CRIU's name of a namespace type ("net", "mnt", ...); throws for a cgroup
// or time namespace, which a restore cannot join (`where` names the entry).
std::string criu_join_namespace(spec::NamespaceType t, const std::string& where);

// Whether the config gives its process a terminal (process.terminal): its
// pty's master lives outside the container, so CRIU must treat the pty as a
// shell job's (--shell-job is added to dump and restore).
bool criu_terminal(const spec::Spec& spec);

// The external mounts of a dump, as runc lists them: every bind mount of the
// config (key and cookie: its destination), and every masked path that is
// not a directory (cookie "/dev/null"). masked_files are those masked paths.
// A terminal container's /dev/console (the pty slave bind-mounted there,
// whose master CRIU never sees) is one too, cookie "console".
std::vector<ExternalMount> dump_external_mounts(const spec::Spec& spec, const std::vector<std::string>& masked_files);
// The same for a restore: every bind mount's cookie to its source (a
// relative one the bundle's, as create reads it), the masked paths' cookie
// to the host's /dev/null and, for a terminal container, the console's
// cookie to `console` (the new pty's slave path).
std::vector<ExternalMount> restore_external_mounts(const spec::Spec& spec, const std::string& bundle,
                                                   const std::string& console = "");

// argv for `criu dump` or `criu pre-dump` (without the program name),
// image and work paths absolute. With --lazy-pages the dump itself serves
// the memory pages it left out: on --page-server's ADDRESS:PORT (without
// CRIU's --page-server, which would send them to another server), writing
// \0 to --status-fd once it listens, and it ends once the restore's
// lazy-pages daemon has fetched them all (runc's lazy migration).
// checkpoint --page-server's ADDRESS:PORT split, as runc splits it.
std::pair<std::string, std::string> page_server_address(const std::string& text);

std::vector<std::string> criu_dump_args(const CheckpointOptions& o, const DumpTarget& t);
// argv for `criu restore`: detached, the init restored as a sibling of CRIU
// (so it is a child of hull), in the cgroup t.cgroup_root. With --lazy-pages
// CRIU takes the pages from a `criu lazy-pages` daemon started beside it
// (on the work directory's socket), as runc leaves that daemon to its caller.
std::vector<std::string> criu_restore_args(const RestoreOptions& o, const RestoreTarget& t);

}  // namespace hull
