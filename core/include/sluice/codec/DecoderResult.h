#pragma once

#include <sluice/util/Error.h>

#include <utility>

namespace sluice {

/// Whether a decoder produced a message from valid input (Netty's DecoderResult). A decoder
/// that meets bad input still produces a message, marked as a failure with the reason, so a
/// handler sees what was received before the error and can answer (HTTP 400, for one).
class DecoderResult {
 public:
  /// Success.
  DecoderResult() noexcept = default;
  static DecoderResult success() noexcept { return {}; }
  static DecoderResult failure(Error cause) noexcept {
    DecoderResult r;
    r.cause_ = std::move(cause);
    return r;
  }

  bool isSuccess() const noexcept { return !cause_; }
  bool isFailure() const noexcept { return static_cast<bool>(cause_); }
  /// Why decoding failed; an empty Error on success.
  const Error& cause() const noexcept { return cause_; }

 private:
  Error cause_;
};

}  // namespace sluice
