// Strict JSON input (see header).
#include "tables/json_input.hpp"

#include <fmt/format.h>

#include <set>
#include <vector>

namespace vtd::tables {

std::string line_column(std::string_view text, size_t offset) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return fmt::format("{}:{}", line, col);
}

namespace {

// A key as it may be shown in a message: control characters escaped.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20)
      out += fmt::format("\\u{:04x}", unsigned(static_cast<unsigned char>(c)));
    else
      out += c;
  }
  return out;
}

}  // namespace

nlohmann::json parse_json_input(std::string_view text, const std::string& name) {
  if (const auto nul = text.find('\0'); nul != std::string_view::npos)
    throw json_input_error(
        fmt::format("{}:{}: NUL byte (not a JSON text file)", name, line_column(text, nul)));
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    throw json_input_error(fmt::format("{}: empty file (expected a JSON object)", name));
  // Open objects: the keys seen so far and the key that leads to each, for duplicate detection and paths.
  struct open_object {
    std::set<std::string> keys;
    std::string path;
  };
  std::vector<open_object> objects;
  std::string last_key;
  std::vector<std::string> container_paths;  // path of every open container (objects and arrays)
  auto here = [&] { return container_paths.empty() ? std::string("(top level)") : container_paths.back(); };
  auto child_path = [&](const std::string& key) {
    const std::string parent = container_paths.empty() ? "" : container_paths.back();
    return parent.empty() || parent == "(top level)" ? key : parent + "." + key;
  };
  nlohmann::json::parser_callback_t cb = [&](int depth, nlohmann::json::parse_event_t event,
                                             nlohmann::json& parsed) {
    using ev = nlohmann::json::parse_event_t;
    if (depth > max_json_depth)
      throw json_input_error(
          fmt::format("{}: {}: nesting deeper than {} levels", name, here(), max_json_depth));
    switch (event) {
      case ev::object_start:
      case ev::array_start: {
        const std::string path = depth == 0 ? std::string() : child_path(last_key);
        container_paths.push_back(path);
        if (event == ev::object_start) objects.push_back({{}, path});
        last_key.clear();
        break;
      }
      case ev::object_end:
      case ev::array_end:
        if (event == ev::object_end && !objects.empty()) objects.pop_back();
        if (!container_paths.empty()) container_paths.pop_back();
        break;
      case ev::key: {
        last_key = parsed.get<std::string>();
        if (!objects.empty() && !objects.back().keys.insert(last_key).second)
          throw json_input_error(fmt::format(
              "{}: {}: key \"{}\" appears twice", name,
              objects.back().path.empty() ? "(top level)" : objects.back().path, printable(last_key)));
        break;
      }
      case ev::value:
        break;
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text, cb, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    const auto pos = what.find("syntax error");
    throw json_input_error(fmt::format("{}:{}: JSON {}", name, line_column(text, e.byte ? e.byte - 1 : 0),
                                       printable(pos == std::string::npos ? what : what.substr(pos))));
  } catch (const nlohmann::json::out_of_range& e) {
    // A number too large for a double (nlohmann's 406): find the literal to give its position.
    std::string what = e.what();
    const auto q1 = what.find('\''), q2 = what.rfind('\'');
    if (q1 != std::string::npos && q2 > q1) {
      const std::string literal = what.substr(q1 + 1, q2 - q1 - 1);
      if (const auto at = text.find(literal); at != std::string_view::npos)
        throw json_input_error(
            fmt::format("{}:{}: number {} is too large", name, line_column(text, at), literal));
    }
    throw json_input_error(fmt::format("{}: JSON: {}", name, printable(what)));
  } catch (const nlohmann::json::exception& e) {
    throw json_input_error(fmt::format("{}: JSON: {}", name, printable(e.what())));
  }
}

}  // namespace vtd::tables
