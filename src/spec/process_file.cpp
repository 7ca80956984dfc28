#include "base/error.hpp"
#include "base/json_depth.hpp"
#include "spec/parse.hpp"

namespace hull::spec {

namespace {

detail::Json parse_json_file(const std::string& json_text, const std::string& file_name) {
  check_json_depth(json_text, file_name);
  try {
    return detail::Json::parse(json_text);
  } catch (const detail::Json::parse_error& e) {
    throw Error(file_name + ": invalid JSON: " + e.what());
  }
}

}  // namespace

Process parse_process_json(const std::string& json_text, const std::string& file_name) {
  detail::Json doc = parse_json_file(json_text, file_name);
  return detail::parse_process(detail::Node(doc, "", file_name));
}

Resources parse_resources_json(const std::string& json_text, const std::string& file_name) {
  detail::Json doc = parse_json_file(json_text, file_name);
  detail::Node top(doc, "", file_name);
  top.object();
  return detail::parse_resources(top);
}

}  // namespace hull::spec
