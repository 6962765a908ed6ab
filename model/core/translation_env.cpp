// DMA fault reporting shared by the translation modes (see translation_env.hpp).
#include "model/core/translation_env.hpp"

namespace vtd::core {

translation_result translation_env::fail(const dma_request& req, spec::fault_reason r, bool fpd) const {
  translation_result res;
  res.status = dma_status::fault;
  res.fault = r;
  if (!(fpd && spec::is_qualified(r))) {
    fault_info f;
    f.reason = r;
    f.source_id = req.source_id;
    f.access = req.access;
    f.at = req.at;
    f.has_pasid = req.has_pasid;
    f.pasid = req.pasid;
    f.privileged = req.privileged;
    f.execute = req.execute;
    f.fault_info = fault_info::dma_fi(req.address);
    res.fault_recorded = faults.record(f);
  }
  return res;
}

}  // namespace vtd::core
