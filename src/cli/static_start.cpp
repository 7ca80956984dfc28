// What the static glibc's start-up would do for hull and hull never uses.
// Linked into the static hull only (CMakeLists.txt), as an object of its own:
// a definition in an archive would lose to libc.a's, which the link reaches
// first from glibc's own start-up code.

// glibc's start-up of a static program (_dl_non_dynamic_init) asks
// _dl_get_origin for the directory of the running binary, to expand $ORIGIN
// in the paths of a later dlopen. It reads /proc/self/exe for that: the first
// lookup of the new process's /proc/<pid>/exe, 8-15 µs on the development VM,
// on every command before main(). hull never dlopens anything that names
// $ORIGIN (no NSS lookups, no iconv modules: bench/rounds.md, "Thirty-ninth
// round"). (char*)-1 is what glibc's own function returns where /proc is
// missing: "origin unknown", which a $ORIGIN path then fails to expand.
extern "C" const char* _dl_get_origin() { return reinterpret_cast<const char*>(-1); }  // NOLINT
