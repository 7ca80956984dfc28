#include "base/error.hpp"
#include "runtime/spec_parse.hpp"

namespace hull::spec {

Process parse_process_json(const std::string& json_text, const std::string& file_name) {
  detail::Json doc;
  try {
    doc = detail::Json::parse(json_text);
  } catch (const detail::Json::parse_error& e) {
    throw Error(file_name + ": invalid JSON: " + e.what());
  }
  return detail::parse_process(detail::Node(doc, "", file_name));
}

}  // namespace hull::spec
