#include <fmt/format.h>
#include <sluice/metrics/PrometheusTextFormat.h>

#include <cmath>
#include <iterator>

namespace sluice {
namespace {

// The exposition format escapes \ and newline in HELP, and also " in label values.
void appendEscaped(std::string& out, std::string_view text, bool quotes) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quotes && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void appendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    fmt::format_to(std::back_inserter(out), "{}", static_cast<long long>(value));
  } else {
    fmt::format_to(std::back_inserter(out), "{}", value);
  }
}

// `name{a="1",b="2",le="0.5"} value`
void appendSeries(std::string& out, std::string_view name, std::string_view suffix,
                  const MetricLabels& labels, std::string_view le, double value) {
  out += name;
  out += suffix;
  if (!labels.empty() || !le.empty()) {
    out += '{';
    bool first = true;
    for (const auto& [label, text] : labels) {
      if (!first) {
        out += ',';
      }
      first = false;
      out += label;
      out += "=\"";
      appendEscaped(out, text, true);
      out += '"';
    }
    if (!le.empty()) {
      out += first ? "le=\"" : ",le=\"";
      out += le;
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  appendValue(out, value);
  out += '\n';
}

}  // namespace

std::string PrometheusTextFormat::write(const std::vector<MetricFamily>& families) {
  std::string out;
  out.reserve(families.size() * 160);
  std::string le;
  for (const MetricFamily& family : families) {
    out += "# HELP ";
    out += family.name;
    out += ' ';
    appendEscaped(out, family.help, false);
    out += "\n# TYPE ";
    out += family.name;
    out += ' ';
    out += toString(family.type);
    out += '\n';
    for (const MetricSample& sample : family.samples) {
      if (family.type != MetricType::Histogram) {
        appendSeries(out, family.name, {}, sample.labels, {}, sample.value);
        continue;
      }
      // Buckets are cumulative in the exposition format, +Inf last and equal to _count.
      std::uint64_t cumulative = 0;
      const auto& counts = sample.histogram.counts;
      for (std::size_t b = 0; b < counts.size(); ++b) {
        cumulative += counts[b];
        le.clear();
        if (b < family.bounds.size()) {
          appendValue(le, family.bounds[b]);
        } else {
          le = "+Inf";
        }
        appendSeries(out, family.name, "_bucket", sample.labels, le,
                     static_cast<double>(cumulative));
      }
      appendSeries(out, family.name, "_sum", sample.labels, {}, sample.histogram.sum);
      appendSeries(out, family.name, "_count", sample.labels, {},
                   static_cast<double>(sample.histogram.count));
    }
  }
  return out;
}

}  // namespace sluice
