// Names of invalidation descriptor types and IQEI codes (VT-d spec 6.5.2, 11.4.9.x).
#include "model/spec/inv_descriptor.hpp"

namespace vtd::spec {

const char* to_string(inv_type t) {
  switch (t) {
    case inv_type::cc:
      return "cc_inv_dsc";
    case inv_type::iotlb:
      return "iotlb_inv_dsc";
    case inv_type::dev_tlb:
      return "dev_tlb_inv_dsc";
    case inv_type::iec:
      return "iec_inv_dsc";
    case inv_type::wait:
      return "inv_wait_dsc";
    case inv_type::p_iotlb:
      return "p_iotlb_inv_dsc";
    case inv_type::pc:
      return "pc_inv_dsc";
    case inv_type::p_dev_tlb:
      return "p_dev_tlb_inv_dsc";
    case inv_type::page_group_response:
      return "page_group_response";
    case inv_type::hpt:
      return "hpt_inv_dsc";
  }
  return "?";
}

const char* to_string(iqei e) {
  switch (e) {
    case iqei::none:
      return "none";
    case iqei::invalid_tail:
      return "invalid tail pointer";
    case iqei::fetch_error:
      return "descriptor fetch error";
    case iqei::invalid_type:
      return "invalid descriptor type";
    case iqei::reserved_field:
      return "reserved field violation";
    case iqei::invalid_width:
      return "invalid descriptor width";
    case iqei::tail_misaligned:
      return "tail pointer not 256-bit aligned";
    case iqei::invalid_ttm:
      return "invalid TTM";
  }
  return "?";
}

}  // namespace vtd::spec
