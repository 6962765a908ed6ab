// The PASID TLP prefix on vtdsim's command line (--pasid, --priv, --exec) and in query files (pasid=N, priv,
// exec): the values reach the core and come back in the output, and every misuse is refused with a message
// naming it. Expected values are hand-computed from examples/two-devices.json, a legacy-mode platform:
// domain 1 (00:02.0, 4-level) maps IOVA 0x100000 -> HPA 0x40000000 (4 KiB pages, RW), domain 2 (03:00.0,
// 3-level) maps 0x40000000 -> 0x100000000 (one 1 GiB page). In legacy mode a request with a PASID faults
// 31h (pasid_request_legacy, condition RTA.2) whatever its address, while the same request without PASID
// translates.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli_run.hpp"
#include "tests/test_temp_dir.hpp"

namespace {

using run_result = vtd::test::cli_result;
constexpr auto& run = vtd::test::run_vtdsim_split;
using vtd::test::write_temp;

// Runs vtdsim with stdout and stderr apart (JSON is parsed from stdout alone).
std::string platform() {
  return " --platform " + std::string(VTDSIM_SOURCE_DIR) + "/examples/two-devices.json";
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

nlohmann::json translate_json(const std::string& args) {
  auto r = run("translate" + platform() + " " + args + " --json");
  EXPECT_EQ(r.code, 0) << args << "\n" << r.err;
  return nlohmann::json::parse(r.out);
}

void expect_pasid_legacy_fault(const nlohmann::json& j) {
  EXPECT_EQ(j["status"], "fault") << j.dump();
  EXPECT_EQ(j["fault_reason"], "0x31") << j.dump();
  EXPECT_EQ(j["fault_name"], "pasid_request_legacy");
  EXPECT_EQ(j["fault_condition"], "RTA.2");
}

}  // namespace

TEST(PasidOptions, LegacyModeFaultsARequestWithPasidAndTranslatesItWithout) {
  const std::string req = "--sid 00:02.0 --iova 0x100040";
  const auto plain = translate_json(req);
  EXPECT_EQ(plain["status"], "ok");
  EXPECT_EQ(plain["hpa"], "0x40000040");
  // Without PASID the prefix fields are absent, like every field that does not apply.
  EXPECT_FALSE(plain.contains("pasid"));
  EXPECT_FALSE(plain.contains("privileged"));
  EXPECT_FALSE(plain.contains("execute"));

  const auto with = translate_json(req + " --pasid 0x1f");
  expect_pasid_legacy_fault(with);
  EXPECT_EQ(with["pasid"], 0x1f);
  EXPECT_EQ(with["privileged"], false);
  EXPECT_EQ(with["execute"], false);
  EXPECT_FALSE(with.contains("hpa"));

  // PASID 0 is a PASID too: the prefix is there, so legacy mode still refuses it.
  expect_pasid_legacy_fault(translate_json(req + " --pasid 0"));

  const auto all = translate_json(req + " --pasid 0xfffff --priv --exec");  // the largest 20-bit PASID
  expect_pasid_legacy_fault(all);
  EXPECT_EQ(all["pasid"], 0xfffff);
  EXPECT_EQ(all["privileged"], true);
  EXPECT_EQ(all["execute"], true);

  const auto w = translate_json(req + " --write --priv --pasid 12");  // decimal, options in any order
  expect_pasid_legacy_fault(w);
  EXPECT_EQ(w["pasid"], 12);
  EXPECT_EQ(w["access"], "write");
  EXPECT_EQ(w["privileged"], true);
  EXPECT_EQ(w["execute"], false);
}

TEST(PasidOptions, PrefixFieldsFollowTheAccessInJson) {
  // Parsed keeping the order of the keys (nlohmann::json would sort them).
  auto r = run("translate" + platform() + " --sid 00:02.0 --iova 0x100040 --pasid 3 --priv --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::ordered_json::parse(r.out);
  std::vector<std::string> keys;
  for (const auto& item : j.items()) keys.push_back(item.key());
  ASSERT_GE(keys.size(), 7u);
  EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + 7),
            (std::vector<std::string>{"kind", "sid", "iova", "access", "pasid", "privileged", "execute"}));
}

TEST(PasidOptions, TextOutputNamesThePrefixInTheQueryFileWords) {
  auto r = run("translate" + platform() + " --sid 00:02.0 --iova 0x100040 --pasid 0x2a --priv --exec");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("0x0000000000100040 pasid=0x2a priv exec -> FAULT 0x31 pasid_request_legacy (RTA.2)"),
            std::string::npos)
      << r.out;
  r = run("translate" + platform() + " --sid 00:02.0 --iova 0x100040 --pasid 7");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("pasid=0x7 -> FAULT 0x31"), std::string::npos) << r.out;
  r = run("translate" + platform() + " --sid 00:02.0 --iova 0x100040");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("pasid"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("-> 0x0000000040000040"), std::string::npos) << r.out;
}

TEST(PasidOptions, WalkTakesTheSameOptions) {
  auto r = run("walk" + platform() + " --sid 00:02.0 --iova 0x100040 --pasid 5 --priv --json");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["status"], "fault");
  EXPECT_EQ(j["result"]["fault_reason"], "0x31") << j["result"].dump();
  r = run("walk" + platform() + " --sid 00:02.0 --iova 0x100040 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["result"]["hpa"], "0x40000040");
}

TEST(PasidOptions, MisuseIsAUsageErrorNamingTheProblem) {
  struct bad {
    std::string options, message;
  };
  const std::vector<bad> cases = {
      {"--pasid 0x100000", "--pasid: '0x100000': too large (at most 0xfffff)"},
      {"--pasid 1048576", "--pasid: '1048576': too large"},
      {"--pasid -1", "--pasid"},
      {"--pasid zz", "--pasid: 'zz': not a number"},
      {"--priv", "--priv needs --pasid"},
      {"--exec", "--exec needs --pasid"},
      {"--exec --priv", "--priv needs --pasid"},
      {"--pasid 1 --exec --write", "--exec is for reads only, not write"},
      {"--pasid 1 --exec --atomic", "--exec is for reads only, not atomic"},
  };
  for (const std::string command : {"translate", "walk"}) {
    for (const auto& c : cases) {
      auto r = run(command + platform() + " --sid 00:02.0 --iova 0x100040 " + c.options);
      EXPECT_EQ(r.code, 2) << command << " " << c.options << "\n" << r.err;
      EXPECT_NE(r.err.find(c.message), std::string::npos) << command << " " << c.options << "\n" << r.err;
      EXPECT_EQ(r.out, "") << command << " " << c.options;
    }
  }
  // A usage error whatever the platform: the options are checked before the system loads.
  auto r = run("translate --platform /no/such/platform.json --sid 00:02.0 --iova 0 --priv");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--priv needs --pasid"), std::string::npos) << r.err;
}

TEST(PasidOptions, QueriesAndMsiTakeNoPrefixOptions) {
  auto q = write_temp("ok.txt", "dma 00:02.0 0x100040 read\n");
  for (const std::string command : {"translate", "walk"})
    for (const std::string extra : {"--pasid 1", "--priv", "--exec"}) {
      auto r = run(command + platform() + " --queries " + q + " " + extra);
      EXPECT_EQ(r.code, 2) << command << " " << extra << "\n" << r.err;
      EXPECT_NE(r.err.find("--queries takes every request from its file"), std::string::npos) << r.err;
      EXPECT_EQ(r.out, "") << command << " " << extra;
    }
  auto r = run("walk" + platform() + " --msi --sid 00:02.0 --addr 0xfee00010 --pasid 1");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--msi explains an interrupt"), std::string::npos) << r.err;
}

TEST(PasidQueries, KeywordsReachTheCoreInAnyOrder) {
  auto q = write_temp("pasid.txt",
                      "dma 00:02.0 0x100040 read\n"
                      "dma 00:02.0 0x100040 read pasid=0x1f\n"
                      "dma 00:02.0 0x100040 read 8 exec pasid=0xabcde priv   # after a length\n"
                      "dma 00:02.0 0x100040 write priv pasid=17\n"
                      "dma 03:00.0 0x7fffffff read 1\n"
                      "dma 03:00.0 0x7fffffff read 1 pasid=0\n"
                      "msi 00:02.0 0xfee00010 0\n");
  auto r = run("translate" + platform() + " --queries " + q);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = json_lines(r.out);
  ASSERT_EQ(j.size(), 7u) << r.out;

  EXPECT_EQ(j[0]["hpa"], "0x40000040");
  EXPECT_FALSE(j[0].contains("pasid"));

  expect_pasid_legacy_fault(j[1]);
  EXPECT_EQ(j[1]["pasid"], 0x1f);
  EXPECT_EQ(j[1]["privileged"], false);
  EXPECT_EQ(j[1]["execute"], false);

  expect_pasid_legacy_fault(j[2]);
  EXPECT_EQ(j[2]["pasid"], 0xabcde);
  EXPECT_EQ(j[2]["privileged"], true);
  EXPECT_EQ(j[2]["execute"], true);

  expect_pasid_legacy_fault(j[3]);
  EXPECT_EQ(j[3]["pasid"], 17);
  EXPECT_EQ(j[3]["access"], "write");
  EXPECT_EQ(j[3]["privileged"], true);
  EXPECT_EQ(j[3]["execute"], false);

  EXPECT_EQ(j[4]["hpa"], "0x13fffffff");  // 1 GiB page: 0x40000000 -> 0x100000000
  EXPECT_FALSE(j[4].contains("pasid"));
  expect_pasid_legacy_fault(j[5]);
  EXPECT_EQ(j[5]["pasid"], 0);
  EXPECT_EQ(j[6]["vector"], 48);

  // The same lines as options give the same objects.
  EXPECT_EQ(j[2], translate_json("--sid 00:02.0 --iova 0x100040 --length 8 --pasid 0xabcde --priv --exec"));
  EXPECT_EQ(j[3], translate_json("--sid 00:02.0 --iova 0x100040 --write --pasid 17 --priv"));
}

TEST(PasidQueries, WalkReadsTheKeywords) {
  auto q = write_temp("walk-pasid.txt",
                      "dma 00:02.0 0x100040 read pasid=9\n"
                      "dma 00:02.0 0x100040 read\n");
  auto r = run("walk" + platform() + " --queries " + q + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = json_lines(r.out);
  ASSERT_EQ(j.size(), 2u) << r.out;
  EXPECT_EQ(j[0]["status"], "fault");
  EXPECT_EQ(j[0]["result"]["fault_reason"], "0x31");
  EXPECT_EQ(j[1]["status"], "ok");
  EXPECT_EQ(j[1]["result"]["hpa"], "0x40000040");
}

TEST(PasidQueries, BadKeywordsNameLineColumnAndProblem) {
  struct bad {
    std::string line, message;
  };
  // Columns counted by hand: "dma 00:02.0 0x100040 read " is 26 characters, so the first keyword is at 27.
  const std::vector<bad> cases = {
      {"dma 00:02.0 0x100040 read pasid=0x100000", ":2:33: pasid: '0x100000': too large (at most 0xfffff)"},
      {"dma 00:02.0 0x100040 read pasid=", ":2:33: pasid: '': empty number"},
      {"dma 00:02.0 0x100040 read pasid", ":2:27: 'pasid': expected pasid=N"},
      {"dma 00:02.0 0x100040 read priv", ":2:27: 'priv' needs pasid=N"},
      {"dma 00:02.0 0x100040 read 4 exec", ":2:29: 'exec' needs pasid=N"},
      {"dma 00:02.0 0x100040 write pasid=1 exec", ":2:36: 'exec' is for reads only, not write"},
      {"dma 00:02.0 0x100040 atomic exec pasid=1", ":2:29: 'exec' is for reads only, not atomic"},
      {"dma 00:02.0 0x100040 read pasid=1 pasid=2", ":2:35: duplicate 'pasid=' (first at column 27)"},
      {"dma 00:02.0 0x100040 read priv pasid=1 priv", ":2:40: duplicate 'priv' (first at column 27)"},
      {"dma 00:02.0 0x100040 read pasid=1 exec exec", ":2:40: duplicate 'exec' (first at column 35)"},
      {"dma 00:02.0 0x100040 read 4 supervisor",
       ":2:29: unknown keyword 'supervisor' (expected pasid=N, priv or exec)"},
      {"dma 00:02.0 0x100040 read PASID=1", ":2:27: unknown keyword 'PASID=1'"},
      {"dma 00:02.0 0x100040 read pasid=1 8", ":2:35: '8': LENGTH comes before pasid=N, priv and exec"},
      {"dma 00:02.0 0x100040",
       ":2:21: expected: dma BDF IOVA read|write|atomic [LENGTH] [pasid=N] [priv] [exec]"},
      {"msi 00:02.0 0xfee00010 0 pasid=1", ":2:26: unexpected 'pasid=1' after the query"},
  };
  for (const auto& c : cases) {
    auto q = write_temp("bad.txt", "dma 00:02.0 0x100040 read pasid=1 priv exec\n" + c.line + "\n");
    for (const std::string command : {"translate", "walk"}) {
      auto r = run(command + platform() + " --queries " + q);
      // A value read from a file is bad input (exit 1), as every query-file error (docs/cli.md).
      EXPECT_EQ(r.code, 1) << command << ": " << c.line << "\n" << r.err;
      EXPECT_NE(r.err.find("bad.txt" + c.message), std::string::npos) << command << ": " << c.line << "\n"
                                                                      << r.err;
      if (command == "walk") {
        EXPECT_EQ(r.out, "") << "no walk printed before the error: " << c.line;
      }
    }
  }
}

namespace {

// Scalable-mode tables written by hand as raw bytes from the spec's layouts (9.4 scalable-mode root entry,
// 9.4 scalable-mode context entry, 9.5 PASID directory entry, 9.6 PASID-table entry, 9.8 second-stage
// entries), loaded at 0x1000 (address = image offset + 0x1000); RTADDR = 0x1000 | TTM 01b << 10.
//   root table 0x1000: bus 0 LP=1, LCTP 0x2000 (lower context table, devfn 0-127)
//   context table 0x2000 (32-byte entries): devfn 8 (00:01.0) P, PASIDE, PDTS 0 (PASIDs below 2^13),
//     PASIDDIRPTR 0x3000, RID_PASID 0; devfn 16 (00:02.0) P, PASIDE=0, same directory, RID_PASID 0x45
//   PASID directory 0x3000 (index PASID[19:6]): entry 0 -> PASID table 0x4000, entry 1 -> table 0x5000
//   PASID 0x05 = table 0x4000 entry 5: PGTT 010b (second stage), AW 001b (3-level), SSPTPTR 0x6000, DID 7,
//   SRE 0 PASID 0x45 = table 0x5000 entry 5: PGTT 010b, AW 001b, SSPTPTR 0x9000, DID 8, SRE 1 PASID 0x05
//   tables: PDPT 0x6000 -> PD 0x7000 -> PT 0x8000, PTE 5 -> frame 0xABCDE000 RW PASID 0x45 tables: PDPT
//   0x9000 -> PD 0xA000 -> PT 0xB000, PTE 5 -> frame 0x12345000 RW
// So IOVA 0x5123 (PDPT 0, PD 0, PT 5, offset 0x123) is HPA 0xabcde123 through PASID 5 and 0x12345123 through
// PASID 0x45.
std::string scalable_system() {
  std::string img(0xB000, '\0');
  auto put = [&](uint64_t address, uint64_t v) {
    for (int i = 0; i < 8; ++i) img[address - 0x1000 + i] = char(v >> (8 * i));
  };
  put(0x1000, 0x2001);                                     // root entry bus 0: LCTP 0x2000, LP
  put(0x2000 + 8 * 32, 0x3000 | (1 << 3) | 1);             // devfn 8: PASIDDIRPTR 0x3000, PDTS 0, PASIDE, P
  put(0x2000 + 16 * 32, 0x3000 | 1);                       // devfn 16: PASIDDIRPTR 0x3000, PASIDE=0, P
  put(0x2000 + 16 * 32 + 8, 0x45);                         // devfn 16: RID_PASID (83:64) 0x45
  put(0x3000, 0x4001);                                     // PASID directory entry 0: table 0x4000, P
  put(0x3008, 0x5001);                                     // PASID directory entry 1: table 0x5000, P
  put(0x4000 + 5 * 64, 0x6000 | (2 << 6) | (1 << 2) | 1);  // SSPTPTR 0x6000, PGTT 010b, AW 001b, P
  put(0x4000 + 5 * 64 + 8, 7);                             // DID (79:64) 7
  put(0x5000 + 5 * 64, 0x9000 | (2 << 6) | (1 << 2) | 1);  // SSPTPTR 0x9000, PGTT 010b, AW 001b, P
  put(0x5000 + 5 * 64 + 8, 8);                             // DID 8
  put(0x5000 + 5 * 64 + 16, 1);                            // SRE (bit 128)
  put(0x6000, 0x7003);                                     // PDPE 0 -> PD 0x7000, R W
  put(0x7000, 0x8003);                                     // PDE 0 -> PT 0x8000, R W
  put(0x8000 + 5 * 8, 0xABCDE003);                         // PTE 5 -> 0xABCDE000, R W
  put(0x9000, 0xA003);
  put(0xA000, 0xB003);
  put(0xB000 + 5 * 8, 0x12345003);
  return " --mem " + write_temp("scalable.bin", img) + "@0x1000 --rtaddr 0x1400 --preset server-sm";
}

nlohmann::json scalable_json(const std::string& command, const std::string& args) {
  auto r = run(command + scalable_system() + " " + args + " --json");
  EXPECT_EQ(r.code, 0) << args << "\n" << r.err;
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST(PasidScalable, PasidOptionSelectsThePasidsTables) {
  auto a = scalable_json("translate", "--sid 00:01.0 --iova 0x5123 --pasid 5");
  EXPECT_EQ(a["hpa"], "0xabcde123") << a.dump();
  EXPECT_EQ(a["domain_id"], 7);
  EXPECT_EQ(a["pasid"], 5);
  auto b = scalable_json("translate", "--sid 00:01.0 --iova 0x5123 --pasid 0x45");  // directory entry 1
  EXPECT_EQ(b["hpa"], "0x12345123") << b.dump();
  EXPECT_EQ(b["domain_id"], 8);
  // PASID 6 has no entry; without PASID the request uses RID_PASID 0, whose entry is not present either.
  EXPECT_EQ(scalable_json("translate", "--sid 00:01.0 --iova 0x5123 --pasid 6")["fault_reason"], "0x59");
  EXPECT_EQ(scalable_json("translate", "--sid 00:01.0 --iova 0x5123")["fault_reason"], "0x59");
  // PDTS 0: the directory covers PASIDs below 2^13 (SCT.7).
  EXPECT_EQ(scalable_json("translate", "--sid 00:01.0 --iova 0x5123 --pasid 0x2000")["fault_reason"], "0x46");
  // 00:02.0 has PASIDE=0: with a PASID it faults 45h (SCT.6), without one it reaches RID_PASID 0x45.
  EXPECT_EQ(scalable_json("translate", "--sid 00:02.0 --iova 0x5123 --pasid 5")["fault_reason"], "0x45");
  EXPECT_EQ(scalable_json("translate", "--sid 00:02.0 --iova 0x5123")["hpa"], "0x12345123");
  // The walk's result is the same translation.
  EXPECT_EQ(scalable_json("walk", "--sid 00:01.0 --iova 0x5123 --pasid 0x45")["result"]["hpa"], "0x12345123");
}

TEST(PasidScalable, PrivAndExecReachThePasidEntryChecks) {
  // PASID 5's entry has SRE=0: a supervisor request is blocked (5Dh, SPT.6); PASID 0x45's has SRE=1.
  auto p = scalable_json("translate", "--sid 00:01.0 --iova 0x5123 --pasid 5 --priv");
  EXPECT_EQ(p["fault_reason"], "0x5d") << p.dump();
  EXPECT_EQ(p["privileged"], true);
  EXPECT_EQ(scalable_json("translate", "--sid 00:01.0 --iova 0x5123 --pasid 0x45 --priv")["hpa"],
            "0x12345123");
  // server-sm has no ECAP.ERS: an execute request is blocked (5Ch, SPT.5).
  auto x = scalable_json("translate", "--sid 00:01.0 --iova 0x5123 --pasid 0x45 --exec");
  EXPECT_EQ(x["fault_reason"], "0x5c") << x.dump();
  EXPECT_EQ(x["execute"], true);
}

TEST(PasidScalable, QueryFileKeywordsSelectThePasidsTables) {
  auto q = write_temp("scalable-queries.txt",
                      "dma 00:01.0 0x5123 read pasid=5\n"
                      "dma 00:01.0 0x5123 write 8 pasid=0x45\n"
                      "dma 00:01.0 0x5123 read priv pasid=5\n"
                      "dma 00:01.0 0x5123 read pasid=0x45 priv\n"
                      "dma 00:02.0 0x5123 read\n");
  auto r = run("translate" + scalable_system() + " --queries " + q);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = json_lines(r.out);
  ASSERT_EQ(j.size(), 5u) << r.out;
  EXPECT_EQ(j[0]["hpa"], "0xabcde123");
  EXPECT_EQ(j[1]["hpa"], "0x12345123");
  EXPECT_EQ(j[1]["access"], "write");
  EXPECT_EQ(j[2]["fault_reason"], "0x5d");
  EXPECT_EQ(j[3]["hpa"], "0x12345123");
  EXPECT_EQ(j[4]["hpa"], "0x12345123");
  EXPECT_FALSE(j[4].contains("pasid"));

  r = run("walk" + scalable_system() + " --queries " + q + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto w = json_lines(r.out);
  ASSERT_EQ(w.size(), 5u) << r.out;
  EXPECT_EQ(w[0]["result"]["hpa"], "0xabcde123");
  EXPECT_EQ(w[1]["result"]["hpa"], "0x12345123");
  EXPECT_EQ(w[2]["result"]["fault_reason"], "0x5d");
}

TEST(PasidScalable, PlatformFilePasidsSelectTheirDomains) {
  // A scalable-mode platform file (docs/platform-format.md): 00:02.0 reaches domain 1 through RID_PASID (0)
  // and domain 2 through PASID 9; PASID 10 is domain 2 again with supervisor requests enabled (SRE).
  auto p = write_temp("sm-platform.json", R"({
  "schema": 1,
  "mode": "scalable",
  "iommu": {"preset": "server-sm", "haw": 46, "memory_size": "64GiB"},
  "domains": [
    {"id": 1, "stage": "second", "address_width": 48, "mappings": [
      {"iova": "0x100000", "hpa": "0x40000000", "size": "4KiB", "read": true, "write": true}]},
    {"id": 2, "stage": "second", "address_width": 48, "mappings": [
      {"iova": "0x100000", "hpa": "0x70000000", "size": "4KiB", "read": true, "write": true}]}
  ],
  "devices": [
    {"bdf": "00:02.0", "domain": 1, "pasid_enable": true,
     "pasids": [{"pasid": 9, "domain": 2}, {"pasid": 10, "domain": 2, "supervisor": true}]}
  ]
})");
  const std::string sys = "translate --platform " + p + " --sid 00:02.0 --iova 0x100040 --json ";
  auto json_of = [](const run_result& r) {
    EXPECT_EQ(r.code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  };
  auto none = json_of(run(sys));
  EXPECT_EQ(none["hpa"], "0x40000040");
  EXPECT_EQ(none["domain_id"], 1);
  auto nine = json_of(run(sys + "--pasid 9"));
  EXPECT_EQ(nine["hpa"], "0x70000040");
  EXPECT_EQ(nine["domain_id"], 2);
  EXPECT_EQ(json_of(run(sys + "--pasid 8"))["fault_reason"], "0x59");         // no PASID-table entry (SPT.2)
  EXPECT_EQ(json_of(run(sys + "--pasid 9 --priv"))["fault_reason"], "0x5d");  // SRE=0 (SPT.6)
  EXPECT_EQ(json_of(run(sys + "--pasid 10 --priv"))["hpa"], "0x70000040");

  auto q = write_temp("sm-queries.txt",
                      "dma 00:02.0 0x100040 read\n"
                      "dma 00:02.0 0x100040 write pasid=9\n"
                      "dma 00:02.0 0x100040 read priv pasid=10\n");
  auto r = run("translate --platform " + p + " --queries " + q);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = json_lines(r.out);
  ASSERT_EQ(j.size(), 3u) << r.out;
  EXPECT_EQ(j[0]["hpa"], "0x40000040");
  EXPECT_EQ(j[1]["hpa"], "0x70000040");
  EXPECT_EQ(j[2]["hpa"], "0x70000040");
  EXPECT_EQ(j[2]["privileged"], true);
}
