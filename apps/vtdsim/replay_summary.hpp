// The human-readable replay summary: the figures of the statistics registry arranged for people.
#pragma once
#include <string>

#include "apps/replay/replay_engine.hpp"
#include "apps/replay/stats_report.hpp"

namespace vtdsim::app {

std::string format_summary(const vtd::replay::stats_report& s, const vtd::replay::replay_engine& engine,
                           const std::string& headline, bool timed);

}  // namespace vtdsim::app
