// The sweep's plots read back from the SVG: axes with units, one line per series, the legend, the caption.
#include "tests/cli/sweep_fixture.hpp"

using namespace vtd::sweep_test;

namespace {

// The contents of every `<text class="CLS" ...>CONTENT</text>` element, in order. (A plain scan: GCC 12's
// std::regex raises -Wmaybe-uninitialized inside libstdc++ in the sanitizer build.)
std::vector<std::string> texts_of(const std::string& svg, const std::string& cls) {
  std::vector<std::string> out;
  const std::string open = "<text class=\"" + cls + "\"";
  for (size_t at = svg.find(open); at != std::string::npos; at = svg.find(open, at + 1)) {
    const size_t body = svg.find('>', at);
    const size_t end = svg.find("</text>", body);
    if (body == std::string::npos || end == std::string::npos) break;
    out.push_back(svg.substr(body + 1, end - body - 1));
  }
  return out;
}

std::vector<std::string> legend(const std::string& svg) {
  return texts_of(svg, "legend-entry");
}

std::string text_of(const std::string& svg, const std::string& cls) {
  const auto all = texts_of(svg, cls);
  return all.empty() ? std::string() : all.front();
}

}  // namespace

TEST(SweepPlot, OneLinePerValueOfTheSeriesParameterWithALegend) {
  const auto& w = traces();
  const std::string d = vtd::test::temp_dir();
  auto r = vtdsim("sweep --functional -q --platform " + w.platform + " --trace " + w.a +
                  " --param iotlb.entries --values 8..64 --param iotlb.policy --values lru,fifo,random "
                  "--series iotlb.policy --metric iotlb.hit_rate --metric walks.per_request --svg " +
                  d + "p.svg");
  ASSERT_EQ(r.code, 0) << r.err;
  // Two metrics: one plot each.
  const std::string svg = slurp(d + "p.iotlb.hit_rate.svg");
  ASSERT_FALSE(svg.empty());
  ASSERT_TRUE(std::filesystem::exists(d + "p.walks.per_request.svg"));
  EXPECT_EQ(text_of(svg, "x-label"), "iotlb.entries (entries)");
  const std::string y = text_of(svg, "y-label");
  EXPECT_EQ(y.rfind("iotlb.hit_rate (", 0), 0u) << y;
  EXPECT_EQ(legend(svg),
            (std::vector<std::string>{"iotlb.policy=lru", "iotlb.policy=fifo", "iotlb.policy=random"}));
  EXPECT_EQ(count(svg, "<g class=\"series\""), 3u);
  // Four sizes (8, 16, 32, 64) on each line.
  EXPECT_EQ(count(svg, "<circle"), 12u);
  EXPECT_EQ(count(svg, "<polyline"), 3u);
  const std::string caption = text_of(svg, "caption");
  EXPECT_NE(caption.find("functional model"), std::string::npos) << caption;
  EXPECT_NE(caption.find("platform " + w.platform), std::string::npos) << caption;
  EXPECT_NE(caption.find("trace " + w.a), std::string::npos) << "the one trace is shared: " << caption;
}

TEST(SweepPlot, SeriesPerTraceAndCategoricalPolicies) {
  const auto& w = traces();
  const std::string d = vtd::test::temp_dir();
  auto r = vtdsim("sweep --functional -q --platform " + w.platform + " --trace " + w.a + " --trace " + w.b +
                  " --param iotlb.policy --values lru,fifo --set iotlb.entries=16 --svg " + d + "t.svg");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string svg = slurp(d + "t.svg");
  EXPECT_EQ(legend(svg), (std::vector<std::string>{"trace=" + w.a, "trace=" + w.b}));
  EXPECT_EQ(text_of(svg, "x-label"), "iotlb.policy");
  EXPECT_NE(svg.find(">lru</text>"), std::string::npos);
  EXPECT_NE(svg.find(">fifo</text>"), std::string::npos);
  EXPECT_EQ(count(svg, "<polyline"), 0u) << "categories are not joined";
  EXPECT_NE(text_of(svg, "caption").find("--set iotlb.entries=16"), std::string::npos);
}

TEST(SweepPlot, UnknownSeriesOrMetricIsAUsageError) {
  const auto& w = traces();
  const std::string base = "sweep --functional -q --platform " + w.platform + " --trace " + w.a +
                           " --param iotlb.entries --values 16 ";
  auto a = vtdsim(base + "--series iotlb.ways");
  EXPECT_EQ(a.code, 2);
  EXPECT_NE(a.err.find("--series iotlb.ways"), std::string::npos) << a.err;
  auto b = vtdsim(base + "--metric no.such.stat");
  EXPECT_EQ(b.code, 2);
  EXPECT_NE(b.err.find("no.such.stat"), std::string::npos) << b.err;
}
