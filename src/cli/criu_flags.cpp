#include "cli/cli.hpp"

namespace hull::cli {

void add_criu_flags(CLI::App& command, CriuOptions& o) {
  command.add_option("--image-path", o.image_path, "directory of the CRIU images (default: ./checkpoint)");
  command.add_option("--work-path", o.work_path, "directory for CRIU's log and work files (default: the image path)");
  command.add_flag("--tcp-established", o.tcp_established, "allow open TCP connections");
  command.add_flag("--ext-unix-sk", o.ext_unix_sk, "allow external unix sockets");
  command.add_flag("--shell-job", o.shell_job, "allow a shell job (a process on the caller's terminal)");
  command.add_flag("--file-locks", o.file_locks, "handle file locks");
  command.add_flag("--auto-dedup", o.auto_dedup, "deduplicate memory pages against the parent images");
  command.add_flag("--lazy-pages", o.lazy_pages, "restore memory pages on demand (userfaultfd)");
  command.add_option("--manage-cgroups-mode", o.manage_cgroups_mode,
                     "cgroups mode: soft (default), full, strict or ignore");
  command.add_option("--empty-ns", o.empty_ns, "create this namespace but do not restore its contents (network)")
      ->allow_extra_args(false);
}

}  // namespace hull::cli
