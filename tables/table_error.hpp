// Errors the table builders report: what software asked for that the tables or the hardware cannot do.
#pragma once
#include <stdexcept>
#include <string>

namespace vtd::tables {

class table_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace vtd::tables
