#include <fmt/format.h>
#include <sluice/util/Error.h>

namespace sluice {
namespace {

class CoreCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.core"; }
  std::string message(int value) const override {
    switch (static_cast<CoreErrc>(value)) {
      case CoreErrc::ClosedChannel:
        return "channel closed";
      case CoreErrc::BlockingOperation:
        return "blocking operation on an event loop thread";
      case CoreErrc::HandlerException:
        return "a handler threw an exception";
      case CoreErrc::Cancelled:
        return "cancelled";
      case CoreErrc::Timeout:
        return "timed out";
      case CoreErrc::RejectedExecution:
        return "executor is shutting down";
      case CoreErrc::UnsupportedMessageType:
        return "unsupported message type";
      case CoreErrc::NotYetConnected:
        return "not yet connected";
      case CoreErrc::UnsupportedOperation:
        return "unsupported operation";
      case CoreErrc::IllegalState:
        return "illegal state";
    }
    return "unknown core error";
  }
};

}  // namespace

const std::error_category& coreCategory() noexcept {
  static const CoreCategory category;
  return category;
}

Error Error::fromCurrentException() {
  std::exception_ptr current = std::current_exception();
  std::string what = "unknown exception";
  try {
    std::rethrow_exception(current);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  return Error(make_error_code(CoreErrc::HandlerException), std::move(what), std::move(current));
}

std::string Error::toString() const {
  if (!code_) {
    return "no error";
  }
  return fmt::format("{} [{}:{}]", message(), code_.category().name(), code_.value());
}

}  // namespace sluice
