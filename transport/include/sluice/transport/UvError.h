#pragma once

#include <sluice/util/Error.h>

#include <string>
#include <system_error>

namespace sluice {

/// The category of libuv's error codes, named "sluice.uv". Codes keep libuv's values (negative
/// errno on Unix) and compare equal to the matching std::errc conditions, so
/// `error.code() == std::errc::connection_refused` holds for a refused connect.
const std::error_category& uvCategory() noexcept;

/// An error_code for a libuv status (a negative UV_E* value).
inline std::error_code makeUvErrorCode(int status) noexcept { return {status, uvCategory()}; }

/// An Error for a libuv status, with `context` in front of libuv's message
/// ("connect to 127.0.0.1:1: connection refused").
Error makeUvError(int status, const std::string& context = {});

}  // namespace sluice
