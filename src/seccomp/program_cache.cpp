#include "seccomp/program_cache.hpp"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "base/build_info.hpp"
#include "base/cache_dir.hpp"
#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/warn.hpp"

namespace hull::seccomp {
namespace {

// Bumped when the entry layout or its checksum changes.
constexpr char kMagic[16] = "hull-seccomp-3\n";
// After the magic and the checksum, six u32: key size, warnings size,
// instruction count, flags, notify, fd_send_call.
constexpr size_t kFixedFields = size_t{6} * sizeof(uint32_t);
constexpr size_t kHeaderSize = sizeof kMagic + sizeof(uint64_t) + kFixedFields;
constexpr size_t kMaxEntrySize = size_t{256} * 1024;

// Length-prefixed, so that no two different keys serialize alike.
void put(std::string& key, std::string_view field) {
  key += std::to_string(field.size());
  key += ':';
  key += field;
}

void put_u32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }

uint32_t get_u32(std::string_view in, size_t at) {
  uint32_t v;
  std::memcpy(&v, in.data() + at, sizeof v);
  return v;
}

std::string encode(const std::string& key, const std::string& warnings, const Program& p) {
  std::string body;
  put_u32(body, static_cast<uint32_t>(key.size()));
  put_u32(body, static_cast<uint32_t>(warnings.size()));
  put_u32(body, static_cast<uint32_t>(p.instructions.size()));
  put_u32(body, p.flags);
  put_u32(body, p.notify ? 1 : 0);
  put_u32(body, static_cast<uint32_t>(p.fd_send_call));
  body += key;
  body += warnings;
  body.append(reinterpret_cast<const char*>(p.instructions.data()), p.instructions.size() * sizeof(struct sock_filter));
  std::string out(kMagic, sizeof kMagic);
  const uint64_t sum = fnv1a(body);
  out.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  return out + body;
}

// The program of an entry made for exactly `key`; nullopt for anything else
// (another key under the same name, a torn or damaged file).
std::optional<CachedProgram> decode(std::string_view entry, const std::string& key, std::string* warnings) {
  if (entry.size() < kHeaderSize || std::memcmp(entry.data(), kMagic, sizeof kMagic) != 0) return std::nullopt;
  uint64_t sum;
  std::memcpy(&sum, entry.data() + sizeof kMagic, sizeof sum);
  std::string_view body = entry.substr(sizeof kMagic + sizeof sum);
  if (fnv1a(body) != sum) return std::nullopt;
  const uint32_t key_size = get_u32(body, 0), warnings_size = get_u32(body, 4), count = get_u32(body, 8);
  if (count == 0 || count > BPF_MAXINSNS) return std::nullopt;
  if (body.size() != kFixedFields + key_size + warnings_size + size_t{count} * sizeof(struct sock_filter)) return std::nullopt;
  if (body.substr(kFixedFields, key_size) != key) return std::nullopt;
  CachedProgram out;
  out.from_cache = true;
  out.program.flags = get_u32(body, 12);
  out.program.notify = get_u32(body, 16) != 0;
  const uint32_t call = get_u32(body, 20);
  if (call > static_cast<uint32_t>(SendCall::Sendmmsg)) return std::nullopt;
  out.program.fd_send_call = static_cast<SendCall>(call);
  *warnings = std::string(body.substr(kFixedFields + key_size, warnings_size));
  out.program.instructions.resize(count);
  std::memcpy(out.program.instructions.data(), body.data() + kFixedFields + key_size + warnings_size,
              size_t{count} * sizeof(struct sock_filter));
  return out;
}

// Best effort: a cache that cannot be written leaves the next command to
// compile again. Renamed into place (write_file_atomic); two commands storing
// the same entry at once write the same bytes, and a reader that catches one
// half-written fails the checksum and compiles.
void store(int dir, const std::string& name, const std::string& entry) {
  make_room_in_cache(dir, kMaxCacheEntries, "the seccomp program cache");
  try {
    write_file_atomic(dir, name, entry);
  } catch (const Error&) {
  }
}

// Gives each line of `lines` as a warning.
void warn_lines(std::string_view lines) {
  for (size_t at = 0; at < lines.size();) {
    size_t end = lines.find('\n', at);
    warn(lines.substr(at, end - at));
    at = end + 1;
  }
}

// compile(), with the warnings it gives collected (and given as usual).
Program compile_collecting(const spec::Seccomp& config, std::string* warnings) {
  WarnSink previous = set_warn_sink([warnings](std::string_view w) {
    *warnings += w;
    *warnings += '\n';
  });
  auto give = [&] {
    set_warn_sink(std::move(previous));
    warn_lines(*warnings);
  };
  try {
    Program p = compile(config);
    give();
    return p;
  } catch (...) {
    give();
    throw;
  }
}

}  // namespace

std::string cache_key(const spec::Seccomp& config) {
  std::string key = "hull ";
  put(key, build_info::version());
  put(key, build_info::commit());
  put(key, build_info::build_type());
  const scmp_version* lib = seccomp_version();
  key += " libseccomp " + std::to_string(lib->major) + "." + std::to_string(lib->minor) + "." +
         std::to_string(lib->micro) + " api " + std::to_string(seccomp_api_get()) + " native " +
         std::to_string(seccomp_arch_native()) + "\n";
  put(key, config.defaultAction);
  put(key, config.defaultErrnoRet ? std::to_string(*config.defaultErrnoRet) : "-");
  key += "a" + std::to_string(config.architectures.size());
  for (const auto& a : config.architectures) put(key, a);
  // Absent flags and [] compile differently.
  if (config.flags) {
    key += "f" + std::to_string(config.flags->size());
    for (const auto& f : *config.flags) put(key, f);
  } else {
    key += "F";
  }
  // Only their presence changes what compile() accepts.
  key += config.listenerPath ? "L" : "-";
  key += config.listenerMetadata ? "M" : "-";
  key += "s" + std::to_string(config.syscalls.size());
  for (const auto& sc : config.syscalls) {
    put(key, sc.action);
    put(key, sc.errnoRet ? std::to_string(*sc.errnoRet) : "-");
    key += "n" + std::to_string(sc.names.size());
    for (const auto& n : sc.names) put(key, n);
    key += "g" + std::to_string(sc.args.size());
    for (const auto& a : sc.args)
      key += "(" + std::to_string(a.index) + "," + std::to_string(a.value) + "," + std::to_string(a.valueTwo) + "," +
             std::to_string(a.op.size()) + ":" + a.op + ")";
  }
  return key;
}

std::string cache_entry_name(const std::string& key) { return fnv1a_name(key); }

CachedProgram compile_cached(const spec::Seccomp& config, const CacheDir& cache) {
  if (!cache.parent) return {compile(config), false};
  const std::string key = cache_key(config);
  const std::string name = cache_entry_name(key);
  UniqueFd dir = open_own_cache_dir(cache.parent.get(), cache.name, false);
  if (dir) {
    try {
      std::string warnings;
      if (auto hit = decode(read_regular_file_at(dir.get(), name, kMaxEntrySize, name), key, &warnings)) {
        warn_lines(warnings);
        return std::move(*hit);
      }
    } catch (const Error&) {
      // No entry yet (ENOENT), or one that is not a file we could read: compile.
    }
  }
  std::string warnings;
  CachedProgram out{compile_collecting(config, &warnings), false};
  // Made only now: a profile that does not compile leaves nothing behind.
  if (!dir) dir = open_own_cache_dir(cache.parent.get(), cache.name, true);
  if (dir) store(dir.get(), name, encode(key, warnings, out.program));
  return out;
}

}  // namespace hull::seccomp
