// A small, dependency-free SVG line plot for `vtdsim sweep`: one metric against one swept parameter, one
// line per series (a second parameter's value, or a trace) with a legend, so that a miss-rate curve can be
// seen, not only read. Log-scaled x axis when the values span more than two decades.
#pragma once
#include <string>
#include <vector>

namespace vtdsim::app {

struct plot_line {
  std::string name;          // the legend's text; a plot whose only line has no name has no legend
  std::vector<double> x, y;  // x: the value, or the index into plot::x_names on a categorical axis
};

struct plot {
  std::string x_label, y_label, title;  // axis labels carry their units, e.g. "latency.dma_read.mean (ns)"
  // Non-numeric x values (replacement policies, presets): when given, the x axis is categorical, one evenly
  // spaced tick per name in this order, and each line's x holds indices into it.
  std::vector<std::string> x_names;
  std::vector<plot_line> lines;
  std::string caption;  // under the plot: the configuration the points share
};

std::string render_svg(const plot& p);

// One series (the single-parameter sweep's plot).
struct plot_series {
  std::string x_label, y_label, title;
  std::vector<double> x, y;
  std::vector<std::string> x_names;  // categorical axis: when given, `x` is ignored
  std::string caption;
};

std::string render_svg(const plot_series& s);

}  // namespace vtdsim::app
