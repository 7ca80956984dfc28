#include "ctx.hpp"

#include <sys/stat.h>

#include <stdexcept>

namespace bench {

Row& Ctx::row(const std::string& key, const std::string& title, const std::string& unit, const std::string& target) {
  for (auto& r : rows)
    if (r.key == key) return r;
  rows.push_back(Row{key, title, unit, target, {}, {}, {}});
  return rows.back();
}

static void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
}

std::string Ctx::bundle(const std::string& id, bool netns, const std::string& args_json, bool seccomp) {
  std::string dir = work + "/b/" + id;
  mkdir(dir.c_str(), 0755);
  std::string cfg = tmpl;
  replace_all(cfg, "@ARGS@", args_json);
  replace_all(cfg, "@ROOTFS@", rootfs);
  replace_all(cfg, "@CGROUP@", cg_parent + "/" + id);
  replace_all(cfg, "@NETNS@", netns ? "\n      { \"type\": \"network\" }," : "");
  replace_all(cfg, "@SECCOMP@", seccomp ? "\n    \"seccomp\": " + seccomp_profile + "," : "");
  if (!write_file(dir + "/config.json", cfg)) throw std::runtime_error("cannot write bundle " + dir);
  return dir;
}

std::string Ctx::new_id(const Runtime& rt, const std::string& what) {
  return rt.name + "-" + what + "-" + std::to_string(++seq);
}

std::vector<std::string> Ctx::argv(const Runtime& rt, std::initializer_list<std::string> rest) const {
  std::vector<std::string> v{rt.bin, "--root", rt.root};
  v.insert(v.end(), rest);
  return v;
}

std::string Ctx::cgroup_dir(const std::string& ctrl, const std::string& id) const {
  return "/sys/fs/cgroup" + (v2 ? std::string() : "/" + ctrl) + cg_parent + (id.empty() ? "" : "/" + id);
}

std::string Ctx::controllers_arg() const {
  std::string out;
  for (auto& k : cg_controllers) out += (out.empty() ? "" : ",") + k;
  return out.empty() ? "-" : out;
}

std::vector<const Runtime*> Ctx::order(int i) const {
  std::vector<const Runtime*> v;
  for (size_t k = 0; k < rts.size(); ++k) v.push_back(&rts[(k + i) % rts.size()]);
  return v;
}

}  // namespace bench
