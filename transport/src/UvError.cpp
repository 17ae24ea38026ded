#include <fmt/format.h>
#include <sluice/transport/UvError.h>
#include <uv.h>

namespace sluice {
namespace {

class UvCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.uv"; }
  std::string message(int value) const override { return uv_strerror(value); }
  std::error_condition default_error_condition(int value) const noexcept override {
    // On Unix libuv's codes are negated errno values.
    if (value < 0 && value > -4096) {
      return std::generic_category().default_error_condition(-value);
    }
    return {value, *this};
  }
};

}  // namespace

const std::error_category& uvCategory() noexcept {
  static const UvCategory category;
  return category;
}

Error makeUvError(int status, const std::string& context) {
  std::string message = uv_strerror(status);
  if (!context.empty()) {
    message = fmt::format("{}: {}", context, message);
  }
  return Error(makeUvErrorCode(status), std::move(message));
}

}  // namespace sluice
