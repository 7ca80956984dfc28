#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace bench {
namespace {

struct Stat {
  int n = 0;
  double median = NAN, min = NAN, max = NAN;
};

Stat stat_of(std::vector<double> v) {
  Stat s;
  s.n = int(v.size());
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.min = v.front();
  s.max = v.back();
  size_t m = v.size() / 2;
  s.median = v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
  return s;
}

Stat get(const Row& r, const std::string& rt) {
  auto it = r.samples.find(rt);
  return it == r.samples.end() ? Stat{} : stat_of(it->second);
}

std::string num(double x) {
  if (std::isnan(x)) return "—";
  char b[32];
  if (std::fabs(x) >= 100)
    snprintf(b, sizeof b, "%.0f", x);
  else if (std::fabs(x) >= 10)
    snprintf(b, sizeof b, "%.1f", x);
  else
    snprintf(b, sizeof b, "%.2f", x);
  return b;
}

std::string cell(const Row& r, const std::string& rt) {
  Stat s = get(r, rt);
  std::string out = s.n ? "**" + num(s.median) + "** (" + num(s.min) + "–" + num(s.max) + ")" : "—";
  auto f = r.failures.find(rt);
  if (f != r.failures.end() && f->second) out += " ⚠" + std::to_string(f->second) + " failed";
  return out;
}

std::string ratio(const Row& r, const std::string& a, const std::string& b) {
  double x = get(r, a).median, y = get(r, b).median;
  if (std::isnan(x) || std::isnan(y) || y == 0) return "—";
  char buf[32];
  snprintf(buf, sizeof buf, "%.2f×", x / y);
  return buf;
}

const Row* find(const Ctx& c, const std::string& key) {
  for (auto& r : c.rows)
    if (r.key == key) return &r;
  return nullptr;
}

// Whether hull meets its goal on this row: "yes", "**no**" or "n/a".
std::string verdict(const Ctx& c, const Row& r) {
  if (r.target.empty()) return "";
  Stat h = get(r, "hull"), cr = get(r, "crun"), rc = get(r, "runc");
  auto f = r.failures.find("hull");
  int hull_fail = f == r.failures.end() ? 0 : f->second;
  if (!h.n) return "n/a";
  auto yn = [](bool ok) { return std::string(ok ? "yes" : "**no**"); };
  const std::string& k = r.key;
  // issue #16: ≤ 0.5× crun and ≤ 1.5× the full floor
  if (k == "run" || k == "run_nonet" || k == "run_quiet" || k == "run_beside") {
    Stat fl = get(r, "floor");
    if (!cr.n || !fl.n) return "n/a";
    return yn(h.median <= 0.5 * cr.median && h.median <= 1.5 * fl.median);
  }
  if (k == "lifecycle" || k == "lifecycle_nonet" || k == "exec" || k == "density_delete" || k == "run_seccomp" ||
      k == "exec_seccomp" || k == "exec_quiet")
    return cr.n ? yn(h.median <= 0.5 * cr.median) : "n/a";
  if (k == "create_rss") return cr.n ? yn(h.median <= 0.8 * cr.median) : "n/a";
  if (k == "run_mounts") return cr.n ? yn(h.median <= cr.median) : "n/a";
  if (k.rfind("state@", 0) == 0) {  // against state in a root of one, in the same rounds
    const Row* one = find(c, "state_alone@" + k.substr(6));
    Stat h1 = one ? get(*one, "hull") : Stat{};
    return h1.n ? yn(h.median <= 1.2 * h1.median) : "n/a";
  }
  if (k.rfind("list@", 0) == 0) return cr.n ? yn(h.median <= 0.5 * cr.median) : "n/a";
  if (k == "parallel") return yn(hull_fail == 0);
  if (k == "density_avail") return rc.n ? yn(h.median <= rc.median) : "n/a";
  if (k == "density_procs") return yn(h.median == 0);
  if (k == "cg_user_extra") return yn(h.max <= 0);
  return "";
}

bool has_column(const Ctx& c, const std::string& n) {
  for (auto& r : c.rows)
    if (r.samples.count(n) || r.failures.count(n)) return true;
  return false;
}

// The three runtimes, then any other one given by --runtime (a build under
// test, "hull-base"), then the pseudo-columns.
std::vector<std::string> columns(const Ctx& c) {
  std::vector<std::string> cols;
  for (const char* n : {"hull", "crun", "runc"})
    if (has_column(c, n)) cols.push_back(n);
  for (auto& rt : c.rts)
    if (rt.name != "hull" && rt.name != "crun" && rt.name != "runc" && has_column(c, rt.name)) cols.push_back(rt.name);
  for (const char* n : {"idle", "floor"})
    if (has_column(c, n)) cols.push_back(n);
  return cols;
}

// Two builds compared in one run (`--runtimes "hull-base hull-new"`): each
// row's samples were taken in turn, so sample i of one runtime and sample i
// of another ran under the same load. The median of their differences says
// more than the difference of their medians.
void paired_differences(const Ctx& c, std::ostream& md) {
  bool builds = false;
  for (auto& rt : c.rts) builds |= rt.name != "hull" && rt.name != "crun" && rt.name != "runc";
  if (c.rts.size() < 2 || !builds) return;
  const std::string& base = c.rts.front().name;
  md << "\nPaired against " << base
     << " (median of the per-sample differences, sample i of each runtime taken in the same round; "
        "\"faster\": samples below "
     << base << "'s):\n\n| measurement | unit |";
  for (size_t k = 1; k < c.rts.size(); ++k) md << ' ' << c.rts[k].name << " − " << base << " | faster |";
  md << "\n|---|---|";
  for (size_t k = 1; k < c.rts.size(); ++k) md << "---|---|";
  md << '\n';
  for (auto& r : c.rows) {
    auto a = r.samples.find(base);
    if (a == r.samples.end() || a->second.empty()) continue;
    md << "| " << r.title << " | " << r.unit << " |";
    for (size_t k = 1; k < c.rts.size(); ++k) {
      auto b = r.samples.find(c.rts[k].name);
      if (b == r.samples.end() || b->second.size() != a->second.size()) {
        md << " — | — |";
        continue;
      }
      std::vector<double> d;
      int faster = 0;
      for (size_t i = 0; i < a->second.size(); ++i) {
        d.push_back(b->second[i] - a->second[i]);
        faster += d.back() < 0;
      }
      double m = stat_of(d).median;
      md << ' ' << (m > 0 ? "+" : "") << num(m) << " | " << faster << '/' << d.size() << " |";
    }
    md << '\n';
  }
}

// One gnuplot data file: a row per key, a column per runtime (NaN when absent).
void plot_data(const Ctx& c, const std::string& path, const std::vector<std::string>& keys) {
  std::ofstream f(path);
  f << "key hull crun runc\n";
  for (auto& k : keys) {
    const Row* r = find(c, k);
    if (!r) continue;
    f << '"' << k << '"';
    for (const char* rt : {"hull", "crun", "runc"}) {
      Stat s = get(*r, rt);
      f << ' ' << (s.n ? s.median : NAN);
    }
    f << '\n';
  }
}

}  // namespace

void write_report(const Ctx& c, const std::string& out) {
  auto cols = columns(c);
  std::ofstream md(out + "/table.md");
  md << "| measurement | unit |";
  for (auto& n : cols) md << ' ' << n << " |";
  md << " hull/crun | hull/runc | hull/floor | target for hull | met |\n|---|---|";
  for (size_t i = 0; i < cols.size(); ++i) md << "---|";
  md << "---|---|---|---|---|\n";
  for (auto& r : c.rows) {
    md << "| " << r.title << " | " << r.unit << " |";
    for (auto& n : cols) md << ' ' << cell(r, n) << " |";
    md << ' ' << ratio(r, "hull", "crun") << " | " << ratio(r, "hull", "runc") << " | " << ratio(r, "hull", "floor")
       << " | " << r.target << " | " << verdict(c, r) << " |\n";
  }
  md << "\nCells: **median** (min–max) over all samples.\n";
  paired_differences(c, md);
  for (auto& r : c.rows)
    if (!r.note.empty()) md << "\n- *" << r.title << "*: " << r.note;
  md << '\n';

  // One line CI can read: a row passes when no runtime had a failed command
  // in it (targets missed are not failures: the table reports those).
  int passed = 0, failed = 0;
  for (auto& r : c.rows) {
    int f = 0;
    for (auto& [rt, n] : r.failures) f += n;
    (f ? failed : passed)++;
  }
  std::ofstream(out + "/summary.txt") << "bench: " << passed << " passed, " << failed << " failed\n";

  std::ofstream csv(out + "/raw.csv");
  csv << "row,runtime,value,unit\n";
  for (auto& r : c.rows)
    for (auto& [rt, v] : r.samples)
      for (double x : v) csv << r.key << ',' << rt << ',' << x << ',' << r.unit << '\n';

  std::vector<std::string> lat{"run",    "run_nonet", "run_quiet", "lifecycle", "lifecycle_nonet",
                               "create", "start",     "delete",    "exec",      "exec_quiet"};
  for (int lv : c.fill_levels) lat.push_back("state@" + std::to_string(lv));
  for (int lv : c.fill_levels) lat.push_back("list@" + std::to_string(lv));
  plot_data(c, out + "/plot_latency.dat", lat);
  std::vector<std::string> cpu{"run_cpu",  "run_cpu_nonet", "run_cpu_quiet", "lifecycle_cpu", "lifecycle_cpu_nonet",
                               "exec_cpu", "exec_cpu_quiet"};
  for (int lv : c.fill_levels) cpu.push_back("state_cpu@" + std::to_string(lv));
  for (int lv : c.fill_levels) cpu.push_back("list_cpu@" + std::to_string(lv));
  plot_data(c, out + "/plot_cpu.dat", cpu);
  plot_data(c, out + "/plot_memory.dat", {"create_rss", "run_rss", "cg_peak", "cg_user", "cg_kernel", "density_avail"});
  plot_data(c, out + "/plot_parallel.dat", {"parallel"});
}

}  // namespace bench
