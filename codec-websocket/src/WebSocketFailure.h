#pragma once

#include <sluice/channel/Channel.h>
#include <sluice/websocket/WebSocketError.h>

#include <string>
#include <string_view>

namespace sluice::websocket::detail {

/// The rule of RFC 6455 (or RFC 7692) that `errc` breaks, in words, as a CloseReason's rule:
/// "RFC 6455 5.1: a client frame must be masked". `serverSide` says which end received the
/// frame (it decides the masking rule's wording). Limits (FrameTooLarge, MessageTooLarge)
/// have no rule: their callers name the limit.
std::string violatedRule(WebSocketErrc errc, bool serverSide);

/// Records on `channel`, before the connection fails with `errc` (RFC 6455 7.1.7), why it
/// closes and the close code sent: Limit with `rule` (the limit's name and value,
/// "maxFramePayloadLength 65536") for FrameTooLarge and MessageTooLarge, Protocol with
/// `rule` for the others; the code is closeStatusOf(errc).
void recordFailure(Channel& channel, WebSocketErrc errc, std::string_view rule);

}  // namespace sluice::websocket::detail
