// String names for the core's enums (used by JSON output and the explain printer).
#include "model/core/request.hpp"
#include "model/core/result.hpp"
#include "model/core/walk_record.hpp"

namespace vtd::core {

const char* to_string(access_kind k) {
  switch (k) {
    case access_kind::read:
      return "read";
    case access_kind::write:
      return "write";
    case access_kind::atomic:
      return "atomic";
  }
  return "?";
}

const char* to_string(address_type t) {
  switch (t) {
    case address_type::untranslated:
      return "untranslated";
    case address_type::translation_request:
      return "translation_request";
    case address_type::translated:
      return "translated";
  }
  return "?";
}

const char* to_string(step_kind k) {
  switch (k) {
    case step_kind::root_entry:
      return "root_entry";
    case step_kind::context_entry:
      return "context_entry";
    case step_kind::pasid_dir_entry:
      return "pasid_dir_entry";
    case step_kind::pasid_entry:
      return "pasid_entry";
    case step_kind::sl_entry:
      return "sl_entry";
    case step_kind::fs_entry:
      return "fs_entry";
    case step_kind::irte:
      return "irte";
    case step_kind::posted_descriptor:
      return "posted_descriptor";
    case step_kind::cache_lookup:
      return "cache_lookup";
    case step_kind::status_write:
      return "status_write";
  }
  return "?";
}

const char* to_string(cache_kind k) {
  switch (k) {
    case cache_kind::context:
      return "context";
    case cache_kind::iotlb:
      return "iotlb";
    case cache_kind::pde:
      return "psc_pde";
    case cache_kind::pdpe:
      return "psc_pdpe";
    case cache_kind::pml4e:
      return "psc_pml4e";
    case cache_kind::pml5e:
      return "psc_pml5e";
    case cache_kind::interrupt:
      return "interrupt";
    case cache_kind::pasid:
      return "pasid";
    case cache_kind::none:
      return "none";
  }
  return "?";
}

const char* to_string(structure_kind s) {
  switch (s) {
    case structure_kind::none:
      return "none";
    case structure_kind::root_entry:
      return "root_entry";
    case structure_kind::context_entry:
      return "context_entry";
    case structure_kind::sm_root_entry:
      return "sm_root_entry";
    case structure_kind::sm_context_entry:
      return "sm_context_entry";
    case structure_kind::pasid_dir_entry:
      return "pasid_dir_entry";
    case structure_kind::pasid_entry:
      return "pasid_entry";
    case structure_kind::paging_entry:
      return "paging_entry";
    case structure_kind::irte:
      return "irte";
    case structure_kind::posted_descriptor:
      return "posted_descriptor";
    case structure_kind::invalidation_wait:
      return "invalidation_wait";
  }
  return "?";
}

const char* to_string(translation_stage s) {
  switch (s) {
    case translation_stage::none:
      return "none";
    case translation_stage::first:
      return "first";
    case translation_stage::second:
      return "second";
    case translation_stage::nested:
      return "nested";
    case translation_stage::pass_through:
      return "pass_through";
  }
  return "?";
}

const char* to_string(dma_status s) {
  switch (s) {
    case dma_status::translated:
      return "translated";
    case dma_status::pass_through:
      return "pass_through";
    case dma_status::untranslated:
      return "untranslated";
    case dma_status::fault:
      return "fault";
    case dma_status::interrupt:
      return "interrupt";
  }
  return "?";
}

const char* to_string(interrupt_status s) {
  switch (s) {
    case interrupt_status::remapped:
      return "remapped";
    case interrupt_status::posted:
      return "posted";
    case interrupt_status::passthrough:
      return "passthrough";
    case interrupt_status::fault:
      return "fault";
  }
  return "?";
}

}  // namespace vtd::core
