#include <sluice/channel/CloseReason.h>

namespace sluice {

std::string_view toString(CloseInitiator initiator) noexcept {
  switch (initiator) {
    case CloseInitiator::Unknown:
      return "unknown";
    case CloseInitiator::Peer:
      return "peer";
    case CloseInitiator::Application:
      return "application";
    case CloseInitiator::Timeout:
      return "timeout";
    case CloseInitiator::Limit:
      return "limit";
    case CloseInitiator::Protocol:
      return "protocol";
    case CloseInitiator::Shutdown:
      return "shutdown";
    case CloseInitiator::Error:
      return "error";
  }
  return "unknown";
}

bool CloseReason::record(CloseInitiator by, std::string_view why, Error cause) {
  if (isRecorded() || by == CloseInitiator::Unknown) {
    return false;
  }
  initiator = by;
  rule.assign(why);
  if (cause) {
    error = std::move(cause);
  }
  return true;
}

void CloseReason::recordSent(int code, std::string_view reason) {
  if (codeSent == 0) {
    codeSent = code;
    reasonSent.assign(reason);
  }
}

void CloseReason::recordReceived(int code, std::string_view reason) {
  if (codeReceived == 0) {
    codeReceived = code;
    reasonReceived.assign(reason);
  }
}

}  // namespace sluice
