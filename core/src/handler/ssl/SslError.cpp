#include <sluice/handler/ssl/SslError.h>

#include <string>

namespace sluice {
namespace {

class SslCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.ssl"; }
  std::string message(int value) const override {
    switch (static_cast<SslErrc>(value)) {
      case SslErrc::HandshakeFailed:
        return "TLS handshake failed";
      case SslErrc::CertificateVerifyFailed:
        return "certificate verification failed";
      case SslErrc::HostnameMismatch:
        return "certificate does not match the host name";
      case SslErrc::UnsupportedProtocol:
        return "no TLS protocol version in common";
      case SslErrc::AlertReceived:
        return "TLS alert received";
      case SslErrc::NotSslRecord:
        return "not a TLS record";
      case SslErrc::HandshakeTimeout:
        return "TLS handshake timed out";
      case SslErrc::ClosedBeforeHandshake:
        return "connection closed during the TLS handshake";
      case SslErrc::ProtocolError:
        return "TLS protocol error";
      case SslErrc::InvalidConfiguration:
        return "invalid TLS configuration";
      case SslErrc::WrongPassword:
        return "wrong password for the key or key store";
      case SslErrc::UnsupportedKeyStore:
        return "unsupported key store format";
    }
    return "unknown TLS error";
  }
  std::error_condition default_error_condition(int value) const noexcept override {
    switch (static_cast<SslErrc>(value)) {
      case SslErrc::HandshakeTimeout:
        return std::errc::timed_out;
      case SslErrc::InvalidConfiguration:
      case SslErrc::WrongPassword:
      case SslErrc::UnsupportedKeyStore:
        return std::errc::invalid_argument;
      default:
        return {value, *this};
    }
  }
  bool equivalent(int value, const std::error_condition& cond) const noexcept override {
    if (cond.category() == sslConditionCategory()) {
      switch (static_cast<SslCondition>(cond.value())) {
        case SslCondition::VerificationFailure:
          return value == static_cast<int>(SslErrc::CertificateVerifyFailed) ||
                 value == static_cast<int>(SslErrc::HostnameMismatch);
        case SslCondition::HandshakeFailure:
          return value == static_cast<int>(SslErrc::HandshakeFailed) ||
                 value == static_cast<int>(SslErrc::UnsupportedProtocol) ||
                 value == static_cast<int>(SslErrc::AlertReceived) ||
                 value == static_cast<int>(SslErrc::NotSslRecord) ||
                 value == static_cast<int>(SslErrc::HandshakeTimeout) ||
                 value == static_cast<int>(SslErrc::ClosedBeforeHandshake);
      }
      return false;
    }
    return default_error_condition(value) == cond;
  }
};

class SslConditionCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.ssl-condition"; }
  std::string message(int value) const override {
    switch (static_cast<SslCondition>(value)) {
      case SslCondition::HandshakeFailure:
        return "TLS handshake failure";
      case SslCondition::VerificationFailure:
        return "TLS peer verification failure";
    }
    return "unknown TLS condition";
  }
};

}  // namespace

const std::error_category& sslCategory() noexcept {
  static const SslCategory category;
  return category;
}

const std::error_category& sslConditionCategory() noexcept {
  static const SslConditionCategory category;
  return category;
}

}  // namespace sluice
