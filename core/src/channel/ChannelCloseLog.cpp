#include "ChannelCloseLog.h"

#include <fmt/format.h>

#include <chrono>

namespace sluice::detail {

namespace {

bool needsQuotes(std::string_view value) noexcept {
  if (value.empty()) {
    return true;
  }
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '"' || c == '=' || c == '\\') {
      return true;
    }
  }
  return false;
}

}  // namespace

void appendLogfmtField(std::string& out, std::string_view key, std::string_view value) {
  out += ' ';
  out += key;
  out += '=';
  if (!needsQuotes(value)) {
    out += value;
    return;
  }
  out += '"';
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          // One log record stays one line, whatever a peer put in a close reason.
          out += fmt::format("\\x{:02x}", u);
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string formatChannelCloseLog(std::string_view id, std::string_view remote,
                                  std::string_view via, const ChannelClosedEvent& event) {
  const CloseReason& reason = event.reason;
  std::string line = "closed";
  line.reserve(160);
  appendLogfmtField(line, "id", id);
  if (!remote.empty()) {
    appendLogfmtField(line, "remote", remote);
  }
  if (!via.empty()) {
    appendLogfmtField(line, "via", via);
  }
  appendLogfmtField(line, "initiator", toString(reason.initiator));
  if (!reason.rule.empty()) {
    appendLogfmtField(line, "rule", reason.rule);
  }
  if (reason.codeSent != 0) {
    appendLogfmtField(line, "code_sent", fmt::format("{}", reason.codeSent));
  }
  if (!reason.reasonSent.empty()) {
    appendLogfmtField(line, "reason_sent", reason.reasonSent);
  }
  if (reason.codeReceived != 0) {
    appendLogfmtField(line, "code_received", fmt::format("{}", reason.codeReceived));
  }
  if (!reason.reasonReceived.empty()) {
    appendLogfmtField(line, "reason_received", reason.reasonReceived);
  }
  if (reason.error) {
    appendLogfmtField(line, "error", reason.error.message());
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(event.duration).count();
  appendLogfmtField(line, "duration_ms", fmt::format("{}", ms));
  appendLogfmtField(line, "bytes_read", fmt::format("{}", event.bytesRead));
  appendLogfmtField(line, "bytes_written", fmt::format("{}", event.bytesWritten));
  return line;
}

}  // namespace sluice::detail
