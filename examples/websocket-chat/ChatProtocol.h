#pragma once

// The chat's wire protocol, server to client: each event is one JSON object in one text frame.
//
//   {"type":"join","name":"Ada"}                 Ada entered the room (the joiner gets it too)
//   {"type":"message","name":"Ada","text":"hi"}  Ada said "hi" (the sender gets it too)
//   {"type":"leave","name":"Ada"}                Ada's connection closed
//   {"type":"error","text":"..."}                to one client: its last frame was refused
//
// Client to server, every text frame is plain text: the first one is the nickname unless the
// URL carried ?name=, every later one a message.

#include <fmt/format.h>
#include <sluice/buffer/ByteBuf.h>
#include <sluice/buffer/ByteBufAllocator.h>
#include <sluice/websocket/Utf8Validator.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace chat {

/// Appends `s` to `out` as the body of a JSON string (RFC 8259 7): the quote, the backslash
/// and every control character are escaped; everything else, UTF-8 included, is copied.
inline void appendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
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
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

/// {"type":TYPE,"name":NAME} or, with text, {"type":TYPE,"name":NAME,"text":TEXT}; an empty
/// name is left out (errors have none).
inline std::string chatEvent(std::string_view type, std::string_view name,
                             std::string_view text = {}) {
  std::string json = R"({"type":)";
  appendJsonString(json, type);
  if (!name.empty()) {
    json += R"(,"name":)";
    appendJsonString(json, name);
  }
  if (!text.empty()) {
    json += R"(,"text":)";
    appendJsonString(json, text);
  }
  json += '}';
  return json;
}

/// Whether `s` may be a nickname or a room name: 1 to 32 bytes of UTF-8 (the page and every
/// other client must be able to show it) without control characters.
inline bool isValidName(std::string_view s) {
  constexpr std::size_t kMaxNameLength = 32;
  if (s.empty() || s.size() > kMaxNameLength || !sluice::websocket::Utf8Validator::isValidUtf8(s)) {
    return false;
  }
  for (const char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return false;
    }
  }
  return true;
}

/// `s` without leading and trailing white space (spaces, tabs, line breaks).
inline std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace chat
