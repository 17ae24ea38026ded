#pragma once

// A blocking TCP client for integration tests that must control every byte on the wire
// (pipelining, malformed requests). Every wait has a deadline; nothing sleeps.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::testing {

class RawHttpClient {
 public:
  explicit RawHttpClient(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  RawHttpClient(const RawHttpClient&) = delete;
  RawHttpClient& operator=(const RawHttpClient&) = delete;
  ~RawHttpClient() { ::close(fd_); }

  bool connected() const { return connected_; }

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        return false;
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// Reads until `count` occurrences of `marker` have arrived in total, the peer closes, or
  /// the deadline passes; returns everything received so far.
  std::string readUntilCount(std::string_view marker, std::size_t count,
                             std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (occurrences(marker) < count && !eof_ && readSome(until)) {
    }
    return received_;
  }
  /// Reads until the peer closes the connection or the deadline passes; true on close.
  bool waitClosed(std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!eof_ && readSome(until)) {
    }
    return eof_;
  }
  const std::string& received() const { return received_; }

 private:
  std::size_t occurrences(std::string_view marker) const {
    std::size_t n = 0;
    for (std::size_t at = received_.find(marker); at != std::string::npos;
         at = received_.find(marker, at + marker.size())) {
      ++n;
    }
    return n;
  }
  bool readSome(std::chrono::steady_clock::time_point until) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      return false;
    }
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    received_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string received_;
};

}  // namespace sluice::testing
