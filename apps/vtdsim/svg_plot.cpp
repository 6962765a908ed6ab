// SVG line plot (see header).
#include "apps/vtdsim/svg_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace vtdsim::app {

namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

std::string tick_label(double v) {
  if (v != 0 && (std::fabs(v) >= 1e6 || std::fabs(v) < 1e-3)) return fmt::format("{:.2g}", v);
  if (std::fabs(v - std::round(v)) < 1e-9) return fmt::format("{}", static_cast<long long>(std::round(v)));
  return fmt::format("{:.3g}", v);
}

}  // namespace

std::string render_svg(const plot_series& s) {
  const double width = 720, height = s.caption.empty() ? 440 : 460, left = 80, right = 30, top = 50,
               bottom = s.caption.empty() ? 70 : 90;
  const double pw = width - left - right, ph = height - top - bottom;
  const bool categorical = !s.x_names.empty();
  std::vector<double> xs = s.x;
  if (categorical) {
    xs.clear();
    for (size_t i = 0; i < s.x_names.size(); ++i) xs.push_back(double(i));
  }
  double xmin = xs.empty() ? 0 : *std::min_element(xs.begin(), xs.end());
  double xmax = xs.empty() ? 1 : *std::max_element(xs.begin(), xs.end());
  if (categorical) {  // half a slot of margin on each side
    xmin -= 0.5;
    xmax += 0.5;
  }
  double ymin = s.y.empty() ? 0 : *std::min_element(s.y.begin(), s.y.end());
  double ymax = s.y.empty() ? 1 : *std::max_element(s.y.begin(), s.y.end());
  ymin = std::min(0.0, ymin);
  if (ymax <= ymin) ymax = ymin + 1;
  // Round the top up to a "nice" multiple of a 1/2/5 step so that the ticks read well.
  const double raw_step = (ymax - ymin) / 5.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw_step)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * magnitude >= raw_step) {
      step = m * magnitude;
      break;
    }
  ymax = ymin + std::ceil((ymax - ymin) / step - 1e-9) * step;
  const int ticks = static_cast<int>(std::lround((ymax - ymin) / step));
  const bool logx = !categorical && xmin > 0 && xmax / xmin > 100;
  auto fx = [&](double v) {
    if (xmax == xmin) return left + pw / 2;
    double t = logx ? (std::log(v) - std::log(xmin)) / (std::log(xmax) - std::log(xmin))
                    : (v - xmin) / (xmax - xmin);
    return left + t * pw;
  };
  auto fy = [&](double v) { return top + ph - (v - ymin) / (ymax - ymin) * ph; };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width, height);
  svg += fmt::format("<text x=\"{}\" y=\"28\" text-anchor=\"middle\" font-size=\"15\">{}</text>\n", width / 2,
                     escape(s.title));
  // Axes and grid.
  for (int i = 0; i <= ticks; ++i) {
    double v = ymin + step * i;
    double y = fy(v);
    svg += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>\n", left, y,
                       left + pw, y);
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6, y + 4,
                       tick_label(v));
  }
  auto x_text = [&](size_t i) { return categorical ? s.x_names[i] : tick_label(xs[i]); };
  for (size_t i = 0; i < xs.size(); ++i) {
    double x = fx(xs[i]);
    svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#eee\"/>\n", x, top, x,
                       top + ph);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", x, top + ph + 18,
                       escape(x_text(i)));
  }
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>\n",
                     left, top, pw, ph);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}{}</text>\n", left + pw / 2,
                     top + ph + 42, escape(s.x_label), logx ? " (log scale)" : "");
  if (!s.caption.empty())
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#555\">{}</text>\n",
        width / 2, height - 14, escape(s.caption));
  svg += fmt::format("<text transform=\"translate(20,{}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
                     top + ph / 2, escape(s.y_label));
  // Data.
  std::string points;
  for (size_t i = 0; i < xs.size() && i < s.y.size(); ++i)
    points += fmt::format("{:.1f},{:.1f} ", fx(xs[i]), fy(s.y[i]));
  if (!categorical)  // categories have no order to connect
    svg += fmt::format("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"{}\"/>\n",
                       points);
  for (size_t i = 0; i < xs.size() && i < s.y.size(); ++i)
    svg += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"#1f77b4\"><title>{} = {}: "
        "{}</title></circle>\n",
        fx(xs[i]), fy(s.y[i]), escape(s.x_label), escape(x_text(i)), tick_label(s.y[i]));
  svg += "</svg>\n";
  return svg;
}

}  // namespace vtdsim::app
