#pragma once

#include <sluice/channel/ChannelClosedEvent.h>

#include <string>
#include <string_view>

namespace sluice::detail {

/// Appends ` key=value` to `out` in logfmt: the value is quoted when it is empty or holds a
/// space, a quote, '=', a backslash or a control character; inside quotes, quotes and
/// backslashes are escaped and control characters written as \n, \r, \t or \xHH.
void appendLogfmtField(std::string& out, std::string_view key, std::string_view value);

/// The one log line written for each closed connection (logger "channel", level Info):
///
///   closed id=1f3a9c02 remote=127.0.0.1:53412 initiator=peer rule="..." code_sent=1000
///   reason_sent="..." code_received=1000 reason_received="bye" error="..." duration_ms=12
///   bytes_read=512 bytes_written=734
///
/// Fields with no value (an empty remote, rule or reason, a code of 0, no error) are left
/// out. `remote` is the client's address as text (Channel::clientAddress), or empty; `via`,
/// when not empty, is the balancer a relayed connection came through (` via=10.0.0.2:41000`
/// follows `remote`).
std::string formatChannelCloseLog(std::string_view id, std::string_view remote,
                                  std::string_view via, const ChannelClosedEvent& event);

}  // namespace sluice::detail
