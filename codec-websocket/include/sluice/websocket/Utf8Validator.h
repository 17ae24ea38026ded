#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sluice::websocket {

/// Checks that bytes are UTF-8, incrementally (Netty's Utf8Validator): a message may be fed
/// in any number of pieces — frames, reads — split anywhere, even inside a character, and
/// the answer is the same as for the whole. RFC 6455 8.1 makes an endpoint that receives
/// invalid UTF-8 in a text message fail the connection, and 5.6 allows doing it as soon as
/// the first bad byte arrives, which update() reports.
///
/// Valid means RFC 3629 UTF-8: no overlong encodings, no surrogates (U+D800..U+DFFF), nothing
/// above U+10FFFF, no bytes C0, C1 or F5..FF. Runs of ASCII are checked 16 bytes at a time;
/// other bytes go through a table-driven state machine (the approach of Hoehrmann's decoder).
///
/// Thread: one thread at a time.
class Utf8Validator {
 public:
  /// Feeds the next bytes of the message. Returns false when the bytes so far can no longer
  /// be the start of valid UTF-8; from then on it stays false until reset().
  bool update(std::span<const std::uint8_t> bytes) noexcept;
  bool update(std::string_view bytes) noexcept {
    return update({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
  }

  /// True when everything fed so far is valid and ends on a character boundary: the
  /// message may end here. False inside a character or after an error.
  bool finish() const noexcept { return state_ == kAccept; }
  /// False once an invalid byte has been seen.
  bool isValid() const noexcept { return state_ != kReject; }
  /// Starts over, for the next message.
  void reset() noexcept { state_ = kAccept; }

  /// Whether `bytes` is, on its own, complete and valid UTF-8.
  static bool isValidUtf8(std::span<const std::uint8_t> bytes) noexcept {
    Utf8Validator v;
    return v.update(bytes) && v.finish();
  }
  static bool isValidUtf8(std::string_view bytes) noexcept {
    Utf8Validator v;
    return v.update(bytes) && v.finish();
  }

  /// The states of the machine, each a multiple of 16 so that a state plus a byte class
  /// indexes the transition table.
  static constexpr std::uint8_t kAccept = 0;
  static constexpr std::uint8_t kReject = 16;

 private:
  std::uint8_t state_ = kAccept;
};

}  // namespace sluice::websocket
