// Trace reader and writer (one include for both).
#pragma once
#include "traces/trace_reader.hpp"
#include "traces/trace_writer.hpp"
