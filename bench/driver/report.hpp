#pragma once
// Turns the samples into results: a Markdown table (median, min, max, ratios
// to crun and runc, whether hull meets the target), raw CSV, and the data
// files the gnuplot script plots.
#include <string>

#include "ctx.hpp"

namespace bench {

void write_report(const Ctx& c, const std::string& out_dir);

}  // namespace bench
