// A small, dependency-free SVG line plot for `vtdsim sweep` (one metric against one swept parameter), so that
// a miss-rate curve can be seen, not only read. Log-scaled x axis when the values span more than two decades.
#pragma once
#include <string>
#include <vector>

namespace vtdsim::app {

struct plot_series {
  std::string x_label, y_label, title;
  std::vector<double> x, y;
};

std::string render_svg(const plot_series& s);

}  // namespace vtdsim::app
