#include "base/error.hpp"
#include "spec/parse.hpp"

namespace hull::spec {

Process parse_process_json(const std::string& json_text, const std::string& file_name) {
  detail::JsonDocument doc;
  detail::parse_json_document(json_text, file_name, doc);
  return detail::parse_process(detail::top_node(doc, file_name));
}

Resources parse_resources_json(const std::string& json_text, const std::string& file_name) {
  detail::JsonDocument doc;
  detail::parse_json_document(json_text, file_name, doc);
  detail::Node top = detail::top_node(doc, file_name);
  top.object();
  return detail::parse_resources(top);
}

}  // namespace hull::spec
