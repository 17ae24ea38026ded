// A WebSocket client for the terminal: it connects to a URL, sends each line it reads as a
// text message, and prints every message the server sends.
//
//   websocket-client [options] ws://HOST[:PORT]/PATH   (or wss://)
//     --subprotocol NAME     offer a subprotocol (repeatable)
//     --header 'NAME: VALUE' add a request header (repeatable)
//     --origin ORIGIN        send an Origin header
//     --binary               send lines as binary messages
//     --ping-interval MS     ping the server every MS milliseconds
//     --reconnect            reconnect with backoff when the connection drops
//     --show-pongs           print pongs too
//     --max-message-size N   the largest frame and message accepted (default 16 MiB)
//     --ca FILE              wss: trust the CAs in FILE (PEM) instead of the system's
//     --insecure             wss: do not verify the server's certificate (tests only)
//     --deflate              offer permessage-deflate (RFC 7692) compression
//
// Lines starting with "/" are commands: "/ping [payload]", "/close [code [reason]]" and
// "/quit". End of input closes the connection with 1000 and exits. Status lines (connected,
// disconnected, reconnecting) go to stderr, received messages to stdout, so that
// `echo hi | websocket-client ws://127.0.0.1:8080/ws` prints just "< hi".

#include <fmt/format.h>
#include <poll.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelPipeline.h>
#include <sluice/handler/ssl/SslContextBuilder.h>
#include <sluice/transport/UvEventLoopGroup.h>
#include <sluice/websocket/PerMessageDeflateClientExtensionHandshaker.h>
#include <sluice/websocket/WebSocketClient.h>
#include <sluice/websocket/WebSocketClientProtocolHandler.h>
#include <sluice/websocket/WebSocketFrame.h>
#include <sluice/websocket/WebSocketFrameAggregator.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>

#include "FramePrinter.h"

namespace ws = sluice::websocket;

namespace {

// The channel stdin's lines go to: the current one, which reconnects replace.
class CurrentChannel {
 public:
  void set(sluice::ChannelPtr ch) {
    std::lock_guard lock(mutex_);
    channel_ = std::move(ch);
  }
  sluice::ChannelPtr get() const {
    std::lock_guard lock(mutex_);
    return channel_;
  }

 private:
  mutable std::mutex mutex_;
  sluice::ChannelPtr channel_;
};

// Reads stdin line by line, and wakes up when the connection ends for good (a pipe written by
// the Closed event), so that a server closing the connection ends the program.
class LineReader {
 public:
  LineReader() {
    if (pipe(wake_) != 0) {
      wake_[0] = wake_[1] = -1;
    }
  }
  ~LineReader() {
    ::close(wake_[0]);
    ::close(wake_[1]);
  }
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  void wake() {
    char c = 0;
    [[maybe_unused]] auto n = ::write(wake_[1], &c, 1);
  }

  // The next line without its newline; nullopt at end of input or after wake().
  std::optional<std::string> next() {
    for (;;) {
      auto newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return line;
      }
      pollfd fds[2] = {{0, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 || (fds[1].revents & POLLIN) != 0) {
        return std::nullopt;
      }
      char chunk[4096];
      ssize_t n = ::read(0, chunk, sizeof chunk);
      if (n <= 0) {
        if (buffer_.empty()) {
          return std::nullopt;
        }
        std::string last;
        last.swap(buffer_);
        return last;
      }
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  int wake_[2] = {-1, -1};
  std::string buffer_;
};

void status(const std::string& line) {
  fmt::print(stderr, "{}\n", line);
  std::fflush(stderr);
}

// Runs one line of input; false when the user asked to quit.
bool runLine(const std::string& line, bool binary, const sluice::ChannelPtr& ch) {
  if (line == "/quit") {
    return false;
  }
  if (line.rfind("/close", 0) == 0) {
    int code = 1000;
    std::string reason;
    if (line.size() > 7) {
      char* end = nullptr;
      code = static_cast<int>(std::strtol(line.c_str() + 7, &end, 10));
      if (*end == ' ') {
        reason = end + 1;
      }
    }
    try {
      ch->writeAndFlush(ws::CloseWebSocketFrame(code, reason));
    } catch (const std::invalid_argument& e) {
      status(fmt::format("! {}", e.what()));
      return true;
    }
    return false;
  }
  if (line.rfind("/ping", 0) == 0) {
    ch->writeAndFlush(ws::PingWebSocketFrame(
        sluice::Unpooled::copiedBuffer(line.size() > 6 ? line.substr(6) : std::string())));
    return true;
  }
  if (binary) {
    ch->writeAndFlush(ws::BinaryWebSocketFrame(sluice::Unpooled::copiedBuffer(line)));
  } else {
    ch->writeAndFlush(ws::TextWebSocketFrame(line));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  ws::WebSocketClientConfig config;
  std::string url;
  bool binary = false;
  bool showPongs = false;
  std::size_t maxMessageSize = 16 * 1024 * 1024;
  std::string caFile;
  bool insecure = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool hasValue = i + 1 < argc;
    if (arg == "--subprotocol" && hasValue) {
      config.protocol.subprotocols.emplace_back(argv[++i]);
    } else if (arg == "--header" && hasValue) {
      std::string header = argv[++i];
      auto colon = header.find(':');
      if (colon == std::string::npos) {
        fmt::print(stderr, "websocket-client: --header wants 'NAME: VALUE'\n");
        return 2;
      }
      std::string value = header.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      config.protocol.customHeaders.add(header.substr(0, colon), value);
    } else if (arg == "--origin" && hasValue) {
      config.protocol.origin = argv[++i];
    } else if (arg == "--ping-interval" && hasValue) {
      config.protocol.pingInterval = std::chrono::milliseconds(std::atoll(argv[++i]));
    } else if (arg == "--max-message-size" && hasValue) {
      maxMessageSize = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--ca" && hasValue) {
      caFile = argv[++i];
    } else if (arg == "--insecure") {
      insecure = true;
    } else if (arg == "--deflate") {
      config.protocol.extensionHandshakers.push_back(
          std::make_shared<ws::PerMessageDeflateClientExtensionHandshaker>());
    } else if (arg == "--binary") {
      binary = true;
    } else if (arg == "--reconnect") {
      config.reconnect.enabled = true;
    } else if (arg == "--show-pongs") {
      showPongs = true;
    } else if (arg.rfind("--", 0) != 0 && url.empty()) {
      url = arg;
    } else {
      fmt::print(stderr, "websocket-client: unknown option {}\n", arg);
      return 2;
    }
  }
  if (url.empty()) {
    fmt::print(stderr, "usage: websocket-client [options] ws://HOST[:PORT]/PATH\n");
    return 2;
  }

  if (!caFile.empty() || insecure) {
    try {
      auto tls = sluice::SslContextBuilder::forClient();
      if (!caFile.empty()) {
        tls.trustManager(caFile);
      }
      if (insecure) {
        tls.verifyPeer(false);
      }
      config.sslContext = tls.build();
    } catch (const sluice::ErrorException& e) {
      fmt::print(stderr, "websocket-client: {}\n", e.error().message());
      return 2;
    }
  }

  CurrentChannel current;
  LineReader input;
  config.protocol.dropPongFrames = !showPongs;
  // A terminal client takes what a server sends, within reason: larger limits than the
  // decoder's defaults (64 KiB frames, 1 MiB messages).
  config.protocol.decoderConfig.maxFramePayloadLength = maxMessageSize;
  config.protocol.decoderConfig.maxMessageLength = maxMessageSize;
  config.initChannel = [maxMessageSize](sluice::ChannelPipeline& p) {
    p.addLast<ws::WebSocketFrameAggregator>(maxMessageSize);
    p.addLast<FramePrinter>();
  };
  config.onEvent = [&current, &input](const ws::WebSocketClientEvent& event) {
    using Type = ws::WebSocketClientEvent::Type;
    switch (event.type) {
      case Type::Connected: {
        current.set(event.channel);
        // One event loop: events run on the channel's own thread, so its pipeline may be read.
        std::string extensions;
        if (auto* h = event.channel->pipeline().get<ws::WebSocketClientProtocolHandler>()) {
          for (const auto& e : h->handshaker().acceptedExtensions()) {
            extensions += (extensions.empty() ? " with " : ", ") + e.toString();
          }
        }
        status(fmt::format("* connected to {}{}", event.channel->remoteAddress().toString(),
                           extensions));
        break;
      }
      case Type::ConnectFailed:
        status(fmt::format("* connect failed: {}", event.error.message()));
        break;
      case Type::Disconnected:
        current.set(nullptr);
        status(event.closeCode
                   ? fmt::format("* disconnected: close {} {}", *event.closeCode, event.closeReason)
                   : std::string("* disconnected"));
        break;
      case Type::ReconnectScheduled:
        status(fmt::format("* reconnecting in {} ms", event.delay.count()));
        break;
      case Type::Closed:
        current.set(nullptr);
        input.wake();  // ends the read loop below
        break;
      default:
        break;
    }
  };

  sluice::UvEventLoopGroup group(1);
  int exitCode = 0;
  {
    ws::WebSocketClient client(group, config);
    auto connected = client.connect(url);
    connected.await();
    if (!connected.isSuccess()) {
      fmt::print(stderr, "websocket-client: {}\n", connected.cause().message());
      exitCode = 1;
    } else {
      while (auto line = input.next()) {
        sluice::ChannelPtr ch = current.get();
        if (!ch) {
          status("! not connected; line dropped");
          continue;
        }
        if (!runLine(*line, binary, ch)) {
          break;
        }
      }
      client.close().await();
    }
  }
  group.shutdownGracefully().await();
  return exitCode;
}
