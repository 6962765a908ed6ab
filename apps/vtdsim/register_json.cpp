// Register values from a JSON file (docs/memory-image.md; see system_setup.hpp).
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "apps/vtdsim/system_setup.hpp"
#include "model/io/input_file.hpp"
#include "tables/json_input.hpp"

namespace vtdsim::app {

// Fills the options the command line left unset from a register-values JSON file.
system_options with_register_file(system_options o) {
  if (o.registers_file.empty()) return o;
  return with_register_json(
      std::move(o), vtd::io::read_input_file(o.registers_file, vtd::io::max_json_bytes, "register values"));
}

system_options with_register_json(system_options o, std::string_view bytes) {
  const nlohmann::json j = vtd::tables::parse_json_input(bytes, o.registers_file);
  if (!j.is_object()) throw std::runtime_error(fmt::format("{}: expected a JSON object", o.registers_file));
  auto text = [&](const std::string& key, const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
    if (v.is_number_integer())
      throw std::runtime_error(fmt::format("{}: {}: {} is negative", o.registers_file, key, v.dump()));
    if (v.is_boolean()) return std::string(v.get<bool>() ? "on" : "off");
    throw std::runtime_error(fmt::format("{}: {}: expected a number or a string", o.registers_file, key));
  };
  for (auto& item : j.items()) {
    const std::string key = item.key();  // named copies: clang 14 cannot capture structured bindings
    const nlohmann::json& v = item.value();
    // Options the command line gave win; a value taken from the file remembers where it came from.
    const std::string option = key == "memory_size"           ? "memory-size"
                               : key == "interrupt_remapping" ? "interrupt-remapping"
                               : key == "cap_fields"          ? "cap-field"
                               : key == "ecap_fields"         ? "ecap-field"
                                                              : key;
    auto set = [&](std::string& field, bool is_default) {
      if (!is_default) return;
      field = text(key, v);
      o.origin[option] = fmt::format("{}: \"{}\"", o.registers_file, key);
    };
    if (key == "rtaddr")
      set(o.rtaddr, o.rtaddr.empty());
    else if (key == "irta")
      set(o.irta, o.irta.empty());
    else if (key == "preset")
      set(o.preset, o.preset == "server");
    else if (key == "cap")
      set(o.cap, o.cap.empty());
    else if (key == "ecap")
      set(o.ecap, o.ecap.empty());
    else if (key == "haw")
      set(o.haw, o.haw.empty());
    else if (key == "memory_size")
      set(o.memory_size, o.memory_size == "1TiB");
    else if (key == "translation")
      set(o.translation, o.translation == "auto");
    else if (key == "interrupt_remapping")
      set(o.interrupt_remapping, o.interrupt_remapping == "auto");
    else if (key == "compat_interrupts")
      o.compat_interrupts = o.compat_interrupts || text(key, v) == "on";
    else if (key == "cap_fields" || key == "ecap_fields") {
      if (!v.is_object())
        throw std::runtime_error(fmt::format("{}: {}: expected an object", o.registers_file, key));
      for (auto& [field, value] : v.items())
        (key == "cap_fields" ? o.cap_fields : o.ecap_fields)
            .push_back(field + "=" + text(key + "." + field, value));
      o.origin[option] = fmt::format("{}: \"{}\"", o.registers_file, key);
    } else {
      throw std::runtime_error(fmt::format("{}: unknown key '{}'", o.registers_file, key));
    }
  }
  return o;
}

}  // namespace vtdsim::app
