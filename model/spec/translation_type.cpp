// Names of the context-entry TT values (VT-d spec 9.3).
#include "model/spec/context_entry.hpp"
#include "model/spec/irte.hpp"

namespace vtd::spec {

const char* to_string(translation_type tt) {
  switch (tt) {
    case translation_type::untranslated_only:
      return "untranslated";
    case translation_type::device_tlb:
      return "device_tlb";
    case translation_type::pass_through:
      return "pass_through";
    case translation_type::reserved:
      return "reserved";
  }
  return "reserved";
}

bool is_valid_delivery_mode(unsigned dlm) {
  return dlm == 0 || dlm == 1 || dlm == 2 || dlm == 4 || dlm == 5 || dlm == 7;
}

const char* delivery_mode_name(unsigned dlm) {
  switch (dlm) {
    case 0:
      return "fixed";
    case 1:
      return "lowest_priority";
    case 2:
      return "smi";
    case 4:
      return "nmi";
    case 5:
      return "init";
    case 7:
      return "ext_int";
    default:
      return "reserved";
  }
}

}  // namespace vtd::spec
