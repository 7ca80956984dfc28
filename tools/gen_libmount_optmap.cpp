// Build-time generator: writes libmount's builtin Linux mount option table
// (mnt_get_builtin_optmap(MNT_LINUX_MAP)) as C++ source, so hull parses mount
// options with libmount's own table without linking libmount into the
// runtime. Linking libmount (for this one table) dragged in libblkid,
// libselinux and libpcre2, and libselinux's constructor probes files on every
// start of the runtime.
//   usage: gen_libmount_optmap OUTPUT.cpp
#include <libmount/libmount.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

// A C string literal for any name (libmount's names are plain ASCII; escape anyway).
std::string literal(const char* s) {
  std::string out = "\"";
  for (; *s; ++s) {
    unsigned char c = static_cast<unsigned char>(*s);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char oct[8];
      std::snprintf(oct, sizeof oct, "\\%03o", c);
      out += oct;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT.cpp\n", argv[0]);
    return 2;
  }
  const libmnt_optmap* map = mnt_get_builtin_optmap(MNT_LINUX_MAP);
  if (!map) {
    std::fprintf(stderr, "%s: libmount has no MNT_LINUX_MAP\n", argv[0]);
    return 1;
  }
  const char* version = nullptr;
  mnt_get_library_version(&version);

  std::string out;
  out += "// Generated at build time by tools/gen_libmount_optmap.cpp from libmount ";
  out += version ? version : "?";
  out += ":\n// mnt_get_builtin_optmap(MNT_LINUX_MAP), entry by entry. Do not edit.\n";
  out += "#include \"rootfs/libmount_optmap.hpp\"\n\nnamespace hull::rootfs {\n\n";
  out += "const LibmountOption kLibmountLinuxMap[] = {\n";
  size_t n = 0;
  for (const libmnt_optmap* m = map; m->name; ++m, ++n) {
    char line[256];
    std::snprintf(line, sizeof line, "    {%s, %#lxUL, %s},\n", literal(m->name).c_str(),
                  static_cast<unsigned long>(m->id), (m->mask & MNT_INVERT) ? "true" : "false");
    out += line;
  }
  out += "};\nconst size_t kLibmountLinuxMapSize = " + std::to_string(n) + ";\n\n}  // namespace hull::rootfs\n";

  // Written to a temporary and renamed, so an interrupted build never leaves
  // a half table that looks up to date.
  std::string tmp = std::string(argv[1]) + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f || std::fwrite(out.data(), 1, out.size(), f) != out.size() || std::fclose(f) != 0 ||
      std::rename(tmp.c_str(), argv[1]) != 0) {
    std::perror(argv[1]);
    return 1;
  }
  return 0;
}
