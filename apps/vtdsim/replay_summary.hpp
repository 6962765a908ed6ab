// The human-readable replay summary: the figures of the statistics registry arranged for people.
#pragma once
#include <string>
#include <vector>

#include "apps/replay/replay_engine.hpp"
#include "apps/replay/stats_report.hpp"

namespace vtdsim::app {

std::string format_summary(const vtd::replay::stats_report& s,
                           const std::vector<vtd::replay::stale_event>& stale_events,
                           const std::string& headline, bool timed);
// A platform with several remapping units: a line per unit from its unit.NAME.* figures.
std::string format_units_summary(const vtd::replay::stats_report& s, const std::vector<std::string>& units);

}  // namespace vtdsim::app
