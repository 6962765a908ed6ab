// One self-contained HTML page of an explanation (inline CSS, no scripts, no network): the input address as
// coloured bit slices, then each table as a card linked to the next, the entry used highlighted with its
// index slice in the level's colour, the fault's culprit field marked.
#include <fmt/format.h>

#include "apps/explain/explanation.hpp"

namespace vtd::explain {

namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '&':
        o += "&amp;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

// Level colours: offset, PT, PD, PDPT, PML4, PML5.
constexpr const char* kColours[] = {"#9e9e9e", "#43a047", "#1e88e5", "#fb8c00", "#8e24aa", "#e53935"};

const char* kStyle = R"(
body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}
h1{font-size:20px} .req{font-family:monospace;font-size:15px}
.bar{display:flex;margin:12px 0 24px 0;font-family:monospace}
.slice{color:white;padding:6px 10px;margin-right:2px;text-align:center;border-radius:4px}
.slice small{display:block;font-size:11px;opacity:.9}
.card{background:white;border:1px solid #ccc;border-left:8px solid #999;border-radius:6px;padding:10px 14px;margin:0 0 6px 0;max-width:980px}
.card.fault{border-color:#c62828;background:#fff5f5}
.card h2{font-size:16px;margin:2px 0 6px 0} .calc{font-family:monospace;font-size:13px;color:#444}
.raw{font-family:monospace;font-size:13px;margin:4px 0}
table{border-collapse:collapse;font-size:13px;margin:6px 0} td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f0f0f0} td.v{font-family:monospace} tr.culprit td{background:#ffcdd2;font-weight:bold}
.verdict{font-weight:bold;color:#00695c} .card.fault .verdict{color:#c62828}
.arrow{font-size:20px;color:#777;margin:0 0 6px 30px} .arrow a{text-decoration:none;color:#555}
.result{padding:10px 14px;border-radius:6px;font-family:monospace;font-size:15px;max-width:980px}
.ok{background:#e8f5e9;border:1px solid #66bb6a} .bad{background:#ffebee;border:1px solid #e53935}
.fix{margin-top:8px;font-family:system-ui,sans-serif;font-size:14px}
ul.second{font-size:14px}
.group{border-left:3px dashed #00897b;margin:0 0 6px 12px;padding:4px 0 2px 12px;max-width:990px}
.group-title{font-weight:bold;color:#00695c;margin:0 0 6px 0}
.stage{font-size:12px;color:#fff;background:#00897b;border-radius:3px;padding:1px 5px;margin-left:6px}
)";

// The raw entry: one value up to 128 bits (high_low), QW0 first for the 256- and 512-bit entries.
std::string raw_html(const step& s) {
  if (s.qwords() <= 2)
    return s.wide ? fmt::format("0x{:016x}_{:016x}", s.raw_hi, s.raw_lo) : fmt::format("0x{:016x}", s.raw_lo);
  std::string o;
  for (unsigned i = 0; i < s.qwords(); ++i)
    o += fmt::format("{}QW{} 0x{:016x}", i == 0 ? "" : i % 2 ? " " : "<br>", i, s.qw(i));
  return o;
}

}  // namespace

std::string render_html(const explanation& x) {
  std::string o = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>vtdsim walk: " +
                  esc(x.request) + "</title>\n<style>" + kStyle + "</style></head><body>\n";
  o += "<h1>vtdsim walk</h1>\n<div class=\"req\">" + esc(x.request) + "</div>\n";
  if (!x.slices.empty()) {
    o += fmt::format(
        "<h3>Input address 0x{:x}, cut into the index of each level</h3>\n<div class=\"bar\" id=\"bits\">",
        x.input);
    for (const auto& s : x.slices)
      o +=
          fmt::format("<div class=\"slice\" style=\"background:{}\">[{}:{}]<br>0x{:x}<small>{}</small></div>",
                      kColours[s.level % 6], s.hi, s.lo, s.value, esc(s.label));
    o += "</div>\n";
  }
  for (size_t i = 0; i < x.steps.size(); ++i) {
    const auto& s = x.steps[i];
    // A group (the second-stage reads of one guest-physical address) is one framed block under its label.
    const bool opens = !s.group.empty() && (i == 0 || x.steps[i - 1].group != s.group);
    const bool closes = !s.group.empty() && (i + 1 == x.steps.size() || x.steps[i + 1].group != s.group);
    if (opens) o += "<div class=\"group\"><div class=\"group-title\">" + esc(s.group) + "</div>\n";
    const char* colour = s.kind == "sl_entry" || s.kind == "fs_entry" ? kColours[s.level % 6]
                         : s.kind == "register"                       ? "#546e7a"
                         : s.kind == "status_write"                   ? "#00897b"
                                                                      : "#6d4c41";
    o += fmt::format("<div class=\"card{}\" id=\"step-{}\" style=\"border-left-color:{}\">\n",
                     s.fault ? " fault" : "", i + 1, colour);
    o += fmt::format("<h2>{}. {}{}</h2>\n", i + 1, esc(s.title),
                     s.stage.empty() ? "" : "<span class=\"stage\">" + esc(s.stage) + " stage</span>");
    if (!s.address_calc.empty())
      o += "<div class=\"calc\">entry address: " + esc(s.address_calc) + "</div>\n";
    if (s.kind != "register" && s.kind != "msi" && s.kind != "check") {
      if (!s.read_ok)
        o += fmt::format("<div class=\"raw\">{} failed: the address is outside simulated memory</div>\n",
                         s.kind == "status_write" ? "write" : "read");
      else
        o += "<div class=\"raw\">" + std::string(s.kind == "status_write" ? "written" : "raw entry") + ": " +
             raw_html(s) + "</div>\n";
    }
    if (!s.fields.empty()) {
      o += "<table><tr><th>field</th><th>bits</th><th>value</th><th>meaning</th></tr>\n";
      for (const auto& f : s.fields)
        o += fmt::format("<tr{}><td>{}</td><td>{}</td><td class=\"v\">{}</td><td>{}</td></tr>\n",
                         f.culprit ? " class=\"culprit\"" : "", esc(f.name), esc(f.bits), esc(f.value),
                         esc(f.meaning));
      o += "</table>\n";
    }
    if (!s.verdict.empty()) o += "<div class=\"verdict\">&rArr; " + esc(s.verdict) + "</div>\n";
    o += "</div>\n";
    if (i + 1 < x.steps.size() && !closes)
      o += fmt::format("<div class=\"arrow\"><a href=\"#step-{}\">&darr; next: {}</a></div>\n", i + 2,
                       esc(x.steps[i + 1].title));
    if (closes) {
      o += "</div>\n";
      if (i + 1 < x.steps.size())
        o += fmt::format("<div class=\"arrow\"><a href=\"#step-{}\">&darr; next: {}</a></div>\n", i + 2,
                         esc(x.steps[i + 1].title));
    }
  }
  o += fmt::format("<div class=\"result {}\" id=\"result\">{}", x.ok ? "ok" : "bad", esc(x.result));
  if (!x.ok)
    o += "<div class=\"fix\"><b>Spec condition " + esc(x.fault_condition) + ":</b> " +
         esc(x.fault_description) + "<br><b>To fix:</b> " + esc(x.fault_fix) + "<br>" +
         (x.fault_recorded ? "Recorded in a fault recording register."
                           : "Not recorded (FPD, or FRCDs full).") +
         "</div>";
  o += "</div>\n";
  if (!x.second_access.empty()) {
    o += "<h3>A second identical request (default caches)</h3>\n<ul class=\"second\">";
    for (const auto& s : x.second_access) o += "<li>" + esc(s) + "</li>";
    o += "</ul>\n";
  }
  o += "</body></html>\n";
  return o;
}

}  // namespace vtd::explain
