#include "rootfs_template.hpp"

#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "process.hpp"
#include "support/temp_dir.hpp"

namespace hull::itest {

namespace fs = std::filesystem;

namespace {

void write_file_or_throw(const fs::path& p, const std::string& text) {
  std::ofstream f(p);
  f << text;
  if (!f.flush()) throw std::runtime_error("write " + p.string());
}

void build_template(const fs::path& dir) {
  for (const char* d : {"bin", "etc", "proc", "sys", "dev", "tmp", "root"}) fs::create_directory(dir / d);
  fs::permissions(dir / "tmp", fs::perms::all | fs::perms::sticky_bit);
  fs::copy_file(kHostBusybox, dir / "bin/busybox");
  fs::permissions(dir / "bin/busybox", fs::perms(0755));

  ProcResult list = run_process({kHostBusybox, "--list"});
  if (list.exit_code != 0)
    throw std::runtime_error("busybox --list exited " + std::to_string(list.exit_code) + ": " + list.err);
  std::istringstream names(list.out);
  for (std::string name; std::getline(names, name);) {
    if (name.empty() || name == "busybox" || name.find('/') != std::string::npos) continue;
    fs::create_symlink("busybox", dir / "bin" / name);
  }

  write_file_or_throw(dir / "etc/passwd",
                      "root:x:0:0:root:/root:/bin/sh\n"
                      "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
  write_file_or_throw(dir / "etc/group", "root:x:0:\nnogroup:x:65534:\n");
}

// The template lives as long as the test binary; built on first use.
class Template {
 public:
  const fs::path& path() {
    if (!dir_) {
      auto dir = std::make_unique<test::TempDir>("itest-rootfs");
      build_template(dir->path());  // a half-built template is removed with `dir`
      dir_ = std::move(dir);
      path_ = dir_->path();
    }
    return path_;
  }

 private:
  std::unique_ptr<test::TempDir> dir_;
  fs::path path_;
};

Template& the_template() {
  static Template t;
  return t;
}

}  // namespace

bool has_interpreter(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  Elf64_Ehdr eh{};
  if (!f.read(reinterpret_cast<char*>(&eh), sizeof eh)) return false;
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph{};
    f.seekg(static_cast<std::streamoff>(eh.e_phoff + static_cast<uint64_t>(i) * eh.e_phentsize));
    if (!f.read(reinterpret_cast<char*>(&ph), sizeof ph)) return false;
    if (ph.p_type == PT_INTERP) return true;
  }
  return false;
}

std::optional<std::string> rootfs_unavailable_reason() {
  struct stat st;
  if (::stat(kHostBusybox, &st) != 0) return std::string(kHostBusybox) + " is missing (install busybox-static)";
  // A dynamic busybox would need the host's libraries inside the rootfs.
  if (has_interpreter(kHostBusybox))
    return std::string(kHostBusybox) + " is dynamically linked (install busybox-static)";
  return std::nullopt;
}

void make_rootfs(const fs::path& dest) {
  const fs::path& src = the_template().path();
  fs::create_directory(dest);
  fs::permissions(dest, fs::perms(0755));
  for (const auto& e : fs::recursive_directory_iterator(src)) {
    // lexically: fs::relative would follow the applet symlinks to bin/busybox.
    fs::path to = dest / e.path().lexically_relative(src);
    if (e.is_symlink()) {
      fs::create_symlink(fs::read_symlink(e.path()), to);
    } else if (e.is_directory()) {
      fs::create_directory(to, e.path());  // copies the mode (tmp keeps its sticky bit)
    } else if (e.path() == src / "bin/busybox") {
      fs::create_hard_link(e.path(), to);
    } else {
      fs::copy_file(e.path(), to);
    }
  }
}

void make_bare_rootfs(const fs::path& dest) {
  fs::create_directories(dest / "bin");
  fs::copy_file(kHostBusybox, dest / "bin/busybox");
  fs::permissions(dest / "bin/busybox", fs::perms(0755));
  fs::create_symlink("busybox", dest / "bin/sh");
}

}  // namespace hull::itest
