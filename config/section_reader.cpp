// section_reader.cpp — lenient typed reads with errors naming the key.
#include "config/section_reader.hpp"

#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::config {

section_reader::section_reader(const nlohmann::json& settings, std::string section)
  : name_(std::move(section)) {
  if (!settings.is_object())
    return;
  auto it = settings.find(name_);
  if (it == settings.end())
    return;
  if (!it->is_object()) {
    error_ = protocol::make_error(protocol::errc::invalid_argument,
                                  name_ + " must be a section (an object)");
    return;
  }
  section_ = &*it;
}

const nlohmann::json* section_reader::find(const char* key) const {
  if (section_ == nullptr)
    return nullptr;
  auto it = section_->find(key);
  return it == section_->end() ? nullptr : &*it;
}

caf::error section_reader::bad(const char* key, const std::string& what) const {
  return protocol::make_error(protocol::errc::invalid_argument, name_ + "." + key + " " + what);
}

caf::error section_reader::text(const char* key, std::string& out, bool non_empty) const {
  if (error_)
    return error_;
  auto* v = find(key);
  if (v == nullptr)
    return {};
  if (!v->is_string())
    return bad(key, "must be a string");
  if (non_empty && v->get_ref<const std::string&>().empty())
    return bad(key, "must not be empty");
  out = v->get<std::string>();
  return {};
}

caf::error section_reader::integer(const char* key, int64_t lo, int64_t hi, int64_t& out) const {
  if (error_)
    return error_;
  auto* v = find(key);
  if (v == nullptr)
    return {};
  auto range = hi == std::numeric_limits<int64_t>::max()
                 ? "of " + std::to_string(lo) + " or more"
                 : "from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (!v->is_number_integer() || v->get<int64_t>() < lo || v->get<int64_t>() > hi)
    return bad(key, "must be an integer " + range + " (got " + v->dump() + ")");
  out = v->get<int64_t>();
  return {};
}

caf::error section_reader::number(const char* key, double lo, double hi, double& out) const {
  if (error_)
    return error_;
  auto* v = find(key);
  if (v == nullptr)
    return {};
  if (!v->is_number() || !(v->get<double>() >= lo) || !(v->get<double>() <= hi))
    return bad(key, "must be a number from " + nlohmann::json(lo).dump() + " to "
                      + nlohmann::json(hi).dump() + " (got " + v->dump() + ")");
  out = v->get<double>();
  return {};
}

caf::error section_reader::boolean(const char* key, bool& out) const {
  if (error_)
    return error_;
  auto* v = find(key);
  if (v == nullptr)
    return {};
  if (!v->is_boolean())
    return bad(key, "must be true or false");
  out = v->get<bool>();
  return {};
}

}  // namespace cartmate::config
