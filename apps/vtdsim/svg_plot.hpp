// A small, dependency-free SVG line plot for `vtdsim sweep` (one metric against one swept parameter), so that
// a miss-rate curve can be seen, not only read. Log-scaled x axis when the values span more than two decades.
#pragma once
#include <string>
#include <vector>

namespace vtdsim::app {

struct plot_series {
  std::string x_label, y_label, title;  // axis labels carry their units, e.g. "latency.dma_read.mean (ns)"
  std::vector<double> x, y;
  // Non-numeric swept values (replacement policies, presets): when given, the x axis is categorical, one
  // evenly spaced tick per name in this order, and `x` is ignored.
  std::vector<std::string> x_names;
  std::string caption;  // under the plot: the configuration the points share
};

std::string render_svg(const plot_series& s);

}  // namespace vtdsim::app
