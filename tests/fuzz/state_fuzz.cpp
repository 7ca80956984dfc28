// state.json as hull reads it back (state, list, delete, every verb). An
// accepted file must survive a write/read round trip unchanged: what hull
// writes it must read back, and write the bytes nlohmann's compact dump()
// writes for it (base/json_write replaced it; hulls before the
// eighty-eighth round indented).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "fuzz_guard.hpp"
#include "runtime/state_store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  hull::fuzz::expect_clean("from_state_file_json", [&] {
    hull::ContainerState s = hull::from_state_file_json(text, "state.json");
    std::string written = hull::to_state_file_json(s);
    nlohmann::ordered_json earlier{{"ociVersion", s.ociVersion},
                                   {"id", s.id},
                                   {"status", hull::to_string(s.status)},
                                   {"pid", s.pid},
                                   {"bundle", s.bundle},
                                   {"annotations", s.annotations},
                                   {"initStartTime", s.initStartTime},
                                   {"cgroupPath", s.cgroupPath},
                                   {"created", s.created},
                                   {"owner", s.owner},
                                   {"rootfs", s.rootfs},
                                   {"extra", s.extra}};
    if (written != earlier.dump() + "\n") {
      std::fprintf(stderr, "state.json differs from nlohmann's dump:\n%s\n", written.c_str());
      std::abort();
    }
    hull::ContainerState again = hull::from_state_file_json(written, "state.json (rewritten)");
    if (hull::to_state_file_json(again) != written) {
      std::fprintf(stderr, "state.json round trip changed the file:\n%s\n", written.c_str());
      std::abort();
    }
    // What state and list read must be the same file, less two fields.
    hull::ContainerState status = hull::from_state_file_json(text, "state.json", hull::StateFields::Status);
    s.cgroupPath.clear();
    s.extra.clear();
    if (hull::to_state_file_json(status) != hull::to_state_file_json(s)) {
      std::fprintf(stderr, "state.json read for its status differs from the full read\n");
      std::abort();
    }
    hull::to_spec_state_json(s);
    hull::parse_proc_stat(text, "stat");
  });
  return 0;
}
