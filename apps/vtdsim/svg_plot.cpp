// SVG line plot (see header).
#include "apps/vtdsim/svg_plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

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

// Ten colours that stay distinct side by side; more series reuse them with a dash pattern.
constexpr const char* kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

}  // namespace

std::string render_svg(const plot& p) {
  const bool legend = p.lines.size() > 1 || (p.lines.size() == 1 && !p.lines[0].name.empty());
  const double legend_w = legend ? 170 : 0;
  const double width = 720 + legend_w, height = p.caption.empty() ? 440 : 460, left = 80,
               right = 30 + legend_w, top = 50, bottom = p.caption.empty() ? 70 : 90;
  const double pw = width - left - right, ph = height - top - bottom;
  const bool categorical = !p.x_names.empty();
  // Every x tick: the category indices, or each distinct x value of any line.
  std::set<double> xset;
  double ymin = 0, ymax = 1;
  bool any = false;
  for (const auto& l : p.lines)
    for (size_t i = 0; i < l.x.size() && i < l.y.size(); ++i) {
      xset.insert(l.x[i]);
      ymin = any ? std::min(ymin, l.y[i]) : l.y[i];
      ymax = any ? std::max(ymax, l.y[i]) : l.y[i];
      any = true;
    }
  if (categorical) {
    xset.clear();
    for (size_t i = 0; i < p.x_names.size(); ++i) xset.insert(double(i));
  }
  const std::vector<double> xs(xset.begin(), xset.end());
  double xmin = xs.empty() ? 0 : xs.front();
  double xmax = xs.empty() ? 1 : xs.back();
  if (categorical) {  // half a slot of margin on each side
    xmin -= 0.5;
    xmax += 0.5;
  }
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
  auto x_text = [&](double v) {
    const size_t i = size_t(std::lround(v));
    return categorical && i < p.x_names.size() ? p.x_names[i] : tick_label(v);
  };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width, height);
  svg += fmt::format("<text x=\"{}\" y=\"28\" text-anchor=\"middle\" font-size=\"15\">{}</text>\n",
                     left + pw / 2, escape(p.title));
  // Axes and grid.
  for (int i = 0; i <= ticks; ++i) {
    double v = ymin + step * i;
    double y = fy(v);
    svg += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>\n", left, y,
                       left + pw, y);
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6, y + 4,
                       tick_label(v));
  }
  for (double v : xs) {
    double x = fx(v);
    svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#eee\"/>\n", x, top, x,
                       top + ph);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", x, top + ph + 18,
                       escape(x_text(v)));
  }
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>\n",
                     left, top, pw, ph);
  svg += fmt::format("<text class=\"x-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}{}</text>\n",
                     left + pw / 2, top + ph + 42, escape(p.x_label), logx ? " (log scale)" : "");
  if (!p.caption.empty())
    svg += fmt::format(
        "<text class=\"caption\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" "
        "fill=\"#555\">{}</text>\n",
        width / 2, height - 14, escape(p.caption));
  svg += fmt::format(
      "<text class=\"y-label\" transform=\"translate(20,{}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
      top + ph / 2, escape(p.y_label));
  // Data: one line per series; categories have no order to connect, so they get markers only.
  for (size_t s = 0; s < p.lines.size(); ++s) {
    const auto& l = p.lines[s];
    const char* colour = kColours[s % std::size(kColours)];
    const std::string dash =
        s < std::size(kColours) ? std::string() : fmt::format(" stroke-dasharray=\"{}\"", 2 + 2 * (s / 10));
    // Points in x order, so that the line does not double back.
    std::vector<size_t> order;
    for (size_t i = 0; i < l.x.size() && i < l.y.size(); ++i) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return l.x[a] < l.x[b]; });
    svg += fmt::format("<g class=\"series\" data-name=\"{}\">\n", escape(l.name));
    if (!categorical) {
      std::string pts;
      for (size_t i : order) pts += fmt::format("{:.1f},{:.1f} ", fx(l.x[i]), fy(l.y[i]));
      svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{} points=\"{}\"/>\n",
                         colour, dash, pts);
    }
    for (size_t i : order)
      svg += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"><title>{}{} = {}: {}</title></circle>\n",
          fx(l.x[i]), fy(l.y[i]), colour, l.name.empty() ? "" : escape(l.name) + ", ", escape(p.x_label),
          escape(x_text(l.x[i])), tick_label(l.y[i]));
    svg += "</g>\n";
  }
  if (legend) {
    const double lx = left + pw + 20;
    svg += "<g class=\"legend\">\n";
    for (size_t s = 0; s < p.lines.size(); ++s) {
      const double ly = top + 10 + 18 * double(s);
      svg += fmt::format(
          "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"/>"
          "<text class=\"legend-entry\" x=\"{}\" y=\"{}\">{}</text>\n",
          lx, ly, lx + 18, ly, kColours[s % std::size(kColours)], lx + 24, ly + 4, escape(p.lines[s].name));
    }
    svg += "</g>\n";
  }
  svg += "</svg>\n";
  return svg;
}

std::string render_svg(const plot_series& s) {
  plot p;
  p.x_label = s.x_label;
  p.y_label = s.y_label;
  p.title = s.title;
  p.caption = s.caption;
  p.x_names = s.x_names;
  plot_line l;
  l.y = s.y;
  if (s.x_names.empty())
    l.x = s.x;
  else
    for (size_t i = 0; i < s.x_names.size(); ++i) l.x.push_back(double(i));
  p.lines.push_back(std::move(l));
  return render_svg(p);
}

}  // namespace vtdsim::app
