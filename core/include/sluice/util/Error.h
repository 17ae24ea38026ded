#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>

namespace sluice {

/// Errors of the core module: channels, pipelines, executors, futures.
enum class CoreErrc {
  /// An operation on a channel that is closed (a write after close, a pending write failed
  /// by the close).
  ClosedChannel = 1,
  /// A blocking wait (sync(), await()) on an event loop's own thread, which would deadlock.
  BlockingOperation,
  /// A user handler threw; Error::exception() holds what it threw.
  HandlerException,
  /// The operation was cancelled.
  Cancelled,
  /// The operation did not finish in time.
  Timeout,
  /// An executor that is shutting down refused a task.
  RejectedExecution,
  /// A message reached a handler or channel that cannot take its type.
  UnsupportedMessageType,
  /// The channel is not connected (yet).
  NotYetConnected,
  /// The operation is not supported by this channel.
  UnsupportedOperation,
  /// The operation is not allowed in the current state (Netty's IllegalStateException): a
  /// WebSocket frame written before the opening handshake completed.
  IllegalState,
};

}  // namespace sluice

template <>
struct std::is_error_code_enum<sluice::CoreErrc> : std::true_type {};

namespace sluice {

/// The category of CoreErrc, named "sluice.core".
const std::error_category& coreCategory() noexcept;

inline std::error_code make_error_code(CoreErrc e) noexcept {  // NOLINT: found by ADL
  return {static_cast<int>(e), coreCategory()};
}

/// The one error type that travels through sluice (DESIGN.md, "Errors"): a std::error_code
/// (module enums, libuv and OpenSSL errors in their own categories), a message for people,
/// and, when user code threw, the exception itself. A default-constructed Error means "no
/// error" and converts to false.
class Error {
 public:
  Error() = default;
  Error(std::error_code code, std::string message = {},
        std::exception_ptr exception = nullptr)  // NOLINT(google-explicit-constructor)
      : code_(code), message_(std::move(message)), exception_(std::move(exception)) {}
  Error(CoreErrc code, std::string message = {})  // NOLINT(google-explicit-constructor)
      : Error(make_error_code(code), std::move(message)) {}

  /// The exception being handled, as a HandlerException carrying it (its what() becomes the
  /// message). Call only inside a catch block.
  static Error fromCurrentException();

  explicit operator bool() const noexcept { return static_cast<bool>(code_); }
  const std::error_code& code() const noexcept { return code_; }
  /// The message given when the error was made, or the code's own message if none was.
  std::string message() const { return message_.empty() ? code_.message() : message_; }
  /// What user code threw, when that is the cause; null otherwise.
  const std::exception_ptr& exception() const noexcept { return exception_; }
  /// "message [category:value]", for logs.
  std::string toString() const;

  /// Errors compare by code, as std::error_code does; the message does not count.
  friend bool operator==(const Error& a, const Error& b) noexcept { return a.code_ == b.code_; }
  friend bool operator==(const Error& a, CoreErrc b) noexcept { return a.code_ == b; }

 private:
  std::error_code code_;
  std::string message_;
  std::exception_ptr exception_;
};

/// What blocking calls (Future::sync()) throw when the future failed: a std::system_error
/// that carries the whole Error.
class ErrorException : public std::system_error {
 public:
  explicit ErrorException(Error error)
      : std::system_error(error.code(), error.message()), error_(std::move(error)) {}
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

}  // namespace sluice
