// Decoding VER / CAP / ECAP once (VT-d spec 11.4.1-11.4.3).
#include "model/spec/caps.hpp"

#include "model/spec/registers.hpp"

namespace vtd::spec {

caps caps::decode(uint32_t ver, uint64_t cap, uint64_t ecap, unsigned haw) {
  const reg::cap_reg k{cap};
  const reg::ecap_reg e{ecap};
  caps c;
  c.cap_raw = cap;
  c.ecap_raw = ecap;
  c.ver_major = (ver >> 4) & 0xF;
  c.haw = haw;
  c.nd = k.nd();
  c.did_bits = k.domain_id_bits();
  c.rwbf = k.rwbf();
  c.plmr = k.plmr();
  c.phmr = k.phmr();
  c.cm = k.cm();
  c.sagaw = k.sagaw();
  c.mgaw = k.mgaw();
  c.zlr = k.zlr();
  c.fro = k.fro();
  c.sllps = k.sllps();
  c.super_2m = k.super_2m();
  c.super_1g = k.super_1g();
  c.psi = k.psi();
  c.nfr = k.nfr();
  c.mamv = k.mamv();
  c.dwd = k.dwd();
  c.drd = k.drd();
  c.fs1gp = k.fs1gp();
  c.pi = k.pi();
  c.fs5lp = k.fs5lp();
  c.esirtps = k.esirtps();
  c.esrtps = k.esrtps();
  c.c = e.c();
  c.qi = e.qi();
  c.dt = e.dt();
  c.ir = e.ir();
  c.eim = e.eim();
  c.pt = e.pt();
  c.sc = e.sc();
  c.iro = e.iro();
  c.mhmv = e.mhmv();
  c.mts = e.mts();
  c.nest = e.nest();
  c.prs = e.prs();
  c.ers = e.ers();
  c.srs = e.srs();
  c.nwfs = e.nwfs();
  c.eafs = e.eafs();
  c.pss = e.pss();
  c.pasid = e.pasid();
  c.pds = e.pds();
  c.smts = e.smts();
  c.slads = e.slads();
  c.slts = e.slts();
  c.flts = e.flts();
  c.smpwcs = e.smpwcs();
  c.rps = e.rps();
  c.adms = e.adms();
  c.rprivs = e.rprivs();
  return c;
}

}  // namespace vtd::spec
