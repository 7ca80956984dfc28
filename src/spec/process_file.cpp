#include "base/error.hpp"
#include "base/json_depth.hpp"
#include "spec/parse.hpp"

namespace hull::spec {

Process parse_process_json(const std::string& json_text, const std::string& file_name) {
  detail::Json doc = detail::parse_json_document(json_text, file_name);
  return detail::parse_process(detail::Node(doc, "", file_name));
}

Resources parse_resources_json(const std::string& json_text, const std::string& file_name) {
  detail::Json doc = detail::parse_json_document(json_text, file_name);
  detail::Node top(doc, "", file_name);
  top.object();
  return detail::parse_resources(top);
}

}  // namespace hull::spec
