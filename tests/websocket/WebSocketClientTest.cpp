// WebSocketClient on real sockets (127.0.0.1): against a server built from our own server
// handlers, for every frame type, fragmentation, close codes both ways, pings, refusals,
// reconnects across a server restart, and a pool's health check.

#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/SimpleChannelInboundHandler.h>
#include <sluice/channel/group/ChannelGroup.h>
#include <sluice/handler/ssl/SelfSignedCertificate.h>
#include <sluice/handler/ssl/SslContextBuilder.h>
#include <sluice/handler/ssl/SslError.h>
#include <sluice/handler/ssl/SslHandler.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/http/HttpServerCodec.h>
#include <sluice/websocket/WebSocketClient.h>
#include <sluice/websocket/WebSocketClientProtocolHandler.h>
#include <sluice/websocket/WebSocketFrame.h>
#include <sluice/websocket/WebSocketFrameAggregator.h>
#include <sluice/websocket/WebSocketHandshakeError.h>
#include <sluice/websocket/WebSocketServerProtocolHandler.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "support/SluiceTest.h"
#include "transport/TransportTestSupport.h"

namespace sluice::websocket {
namespace {

using namespace std::chrono_literals;
using Type = WebSocketClientEvent::Type;

constexpr auto kDeadline = 20s;

// What a client received, as a test compares it.
struct Received {
  WebSocketOpcode opcode;
  std::string payload;
  int closeCode = -1;
};

// Everything a test waits for, from any loop: frames and client events.
class Inbox {
 public:
  void push(Received r) {
    std::lock_guard lock(mutex_);
    frames_.push_back(std::move(r));
    changed_.notify_all();
  }
  void push(const WebSocketClientEvent& e) {
    std::lock_guard lock(mutex_);
    events_.push_back(e);
    changed_.notify_all();
  }

  std::optional<Received> next() {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, kDeadline, [&] { return !frames_.empty(); })) {
      return std::nullopt;
    }
    Received r = std::move(frames_.front());
    frames_.pop_front();
    return r;
  }
  // Waits until `count` events of `type` have arrived.
  bool waitEvents(Type type, std::size_t count = 1) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kDeadline, [&] { return countLocked(type) >= count; });
  }
  std::vector<WebSocketClientEvent> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::vector<Type> eventTypes() const {
    std::vector<Type> types;
    for (const auto& e : events()) {
      types.push_back(e.type);
    }
    return types;
  }

 private:
  std::size_t countLocked(Type type) const {
    return static_cast<std::size_t>(std::count_if(events_.begin(), events_.end(),
                                                  [&](const auto& e) { return e.type == type; }));
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Received> frames_;
  std::vector<WebSocketClientEvent> events_;
};

// The client's application handler: every frame into the inbox.
class ClientCollector : public SimpleChannelInboundHandler<WebSocketFrame> {
 public:
  explicit ClientCollector(std::shared_ptr<Inbox> inbox) : inbox_(std::move(inbox)) {}

 protected:
  void channelRead0(ChannelHandlerContext&, WebSocketFrame& frame) override {
    Received r{frame.opcode(), frame.content().toString()};
    if (frame.opcode() == WebSocketOpcode::Close) {
      r.closeCode = static_cast<CloseWebSocketFrame&>(frame).statusCode();
    }
    inbox_->push(std::move(r));
  }

 private:
  std::shared_ptr<Inbox> inbox_;
};

// The server's side of each test, driven by text commands:
//   "close CODE REASON"  the server starts the closing handshake;
//   "ping PAYLOAD"       the server pings; the client's pong comes back as "pong PAYLOAD";
//   "freeze"             the server answers "frozen" and stops reading (a hung peer);
//   anything else        echoed, text or binary, whole (an aggregator sits before it).
// Close frames reach it (handleCloseFrames off): it records their code and answers them.
struct ServerState {
  std::mutex mutex;
  std::vector<int> closeCodesReceived;
  std::atomic<int> handshakes{0};
};

class ServerScript : public SimpleChannelInboundHandler<WebSocketFrame> {
 public:
  explicit ServerScript(std::shared_ptr<ServerState> state) : state_(std::move(state)) {}

  // Requests for other paths pass the protocol handler: 404.
  void channelRead(ChannelHandlerContext& ctx, Message msg) override {
    if (msg.is<http::FullHttpRequest>()) {
      http::FullHttpResponse response(http::HttpVersion::kHttp11,
                                      http::HttpResponseStatus::kNotFound);
      response.headers().set(http::HttpHeaderNames::kContentLength, 0);
      ctx.writeAndFlush(std::move(response)).addListener(ChannelFutureListener::kClose);
      return;
    }
    SimpleChannelInboundHandler::channelRead(ctx, std::move(msg));
  }

  void userEventTriggered(ChannelHandlerContext& ctx, Message event) override {
    if (event.is<WebSocketServerProtocolHandler::HandshakeComplete>()) {
      ++state_->handshakes;
    }
    ctx.fireUserEventTriggered(std::move(event));
  }

 protected:
  void channelRead0(ChannelHandlerContext& ctx, WebSocketFrame& frame) override {
    switch (frame.opcode()) {
      case WebSocketOpcode::Text: {
        std::string text = frame.content().toString();
        if (text.rfind("close ", 0) == 0) {
          auto space = text.find(' ', 6);
          int code = std::stoi(text.substr(6, space - 6));
          ctx.writeAndFlush(
              CloseWebSocketFrame(code, space == std::string::npos ? "" : text.substr(space + 1)));
        } else if (text.rfind("ping ", 0) == 0) {
          ctx.writeAndFlush(PingWebSocketFrame(Unpooled::copiedBuffer(text.substr(5))));
        } else if (text == "freeze") {
          ctx.writeAndFlush(TextWebSocketFrame("frozen"));
          ctx.channel().config().setAutoRead(false);
        } else {
          ctx.writeAndFlush(TextWebSocketFrame(frame.content().retainedDuplicate()));
        }
        break;
      }
      case WebSocketOpcode::Binary:
        ctx.writeAndFlush(BinaryWebSocketFrame(frame.content().retainedDuplicate()));
        break;
      case WebSocketOpcode::Pong:
        ctx.writeAndFlush(TextWebSocketFrame("pong " + frame.content().toString()));
        break;
      case WebSocketOpcode::Close: {
        int code = static_cast<CloseWebSocketFrame&>(frame).statusCode();
        {
          std::lock_guard lock(state_->mutex);
          state_->closeCodesReceived.push_back(code);
        }
        // RFC 6455 5.5.1: echo the status, then the server closes TCP.
        ctx.writeAndFlush(code < 0 ? CloseWebSocketFrame() : CloseWebSocketFrame(code, ""))
            .addListener([](const ChannelFuture& f) { f.channel().close(); });
        break;
      }
      default:
        break;
    }
  }

 private:
  std::shared_ptr<ServerState> state_;
};

class WebSocketClientTest : public testing::SluiceTest {
 protected:
  void SetUp() override {
    SluiceTest::SetUp();
    startServer(0);
  }
  void TearDown() override {
    stopServer();
    group_.shutdownGracefully(0ms, 5s).await(10s);
    SluiceTest::TearDown();
  }

  // With `tls`, the server speaks wss (an SslHandler first, the context's certificate).
  void startServer(std::uint16_t port, std::shared_ptr<const SslContext> tls = nullptr) {
    ServerBootstrap sb;
    sb.group(group_).childHandler(testing::initializer([this, tls](Channel& ch) {
      children_.add(ch.shared_from_this());
      auto& p = ch.pipeline();
      if (tls) {
        p.addLast(tls->newHandler());
      }
      p.addLast<http::HttpServerCodec>();
      p.addLast<http::HttpObjectAggregator>(65536);
      p.addLast<WebSocketServerProtocolHandler>(WebSocketServerProtocolConfig{
          .websocketPath = "/ws",
          .subprotocols = {"chat.v2", "chat.v1"},
          // A frozen connection (below) never reads the client's close: don't wait long.
          .forceCloseTimeout = std::chrono::seconds(1),
          .handleCloseFrames = false,
          .dropPongFrames = false,
          .decoderConfig = {.maxFramePayloadLength = 1 << 20, .maxMessageLength = 4 << 20},
      });
      p.addLast<WebSocketFrameAggregator>(4 << 20);
      p.addLast<ServerScript>(serverState_);
    }));
    server_ = sb.bind("127.0.0.1", port).sync().channel().shared();
    port_ = server_->localAddress().port();
  }

  // Stops listening and drops every connection (as a server going down does).
  void stopServer() {
    if (server_) {
      server_->close().await(kDeadline);
      server_.reset();
    }
    children_.close().await(kDeadline);
  }

  std::string url(std::string_view path = "/ws", std::string_view scheme = "ws") const {
    return fmt::format("{}://127.0.0.1:{}{}", scheme, port_, path);
  }

  // Restarts the server as a wss server with a certificate issued by `ca_` for `hostNames`
  // and `ipAddresses`.
  void startTlsServer(std::vector<std::string> hostNames = {"localhost"},
                      std::vector<std::string> ipAddresses = {"127.0.0.1"}) {
    stopServer();
    SelfSignedCertificate leaf = ca_.issue(
        {.commonName = "test server", .hostNames = hostNames, .ipAddresses = ipAddresses});
    startServer(0,
                SslContextBuilder::forServer(leaf.certificatePem(), leaf.privateKeyPem()).build());
  }

  WebSocketClientConfig clientConfig() {
    return WebSocketClientConfig{
        .protocol = {.decoderConfig = {.maxFramePayloadLength = 1 << 20,
                                       .maxMessageLength = 4 << 20,
                                       .expectMaskedFrames = false}},
        .initChannel =
            [inbox = inbox_](ChannelPipeline& p) {
              p.addLast<WebSocketFrameAggregator>(4 << 20);
              p.addLast<ClientCollector>(inbox);
            },
        .onEvent = [inbox = inbox_](const WebSocketClientEvent& e) { inbox->push(e); },
    };
  }

  void echoCheck(const ChannelPtr& ch, const std::string& text) {
    ch->writeAndFlush(TextWebSocketFrame(text));
    EXPECT_EQ(nextText(), text);
  }

  std::string nextText() {
    auto r = inbox_->next();
    return r ? r->payload : "<nothing within the deadline>";
  }

  UvEventLoopGroup group_{2};
  ChannelGroup children_{"server children"};
  ChannelPtr server_;
  std::uint16_t port_ = 0;
  std::shared_ptr<ServerState> serverState_ = std::make_shared<ServerState>();
  std::shared_ptr<Inbox> inbox_ = std::make_shared<Inbox>();
  SelfSignedCertificate ca_{SelfSignedCertificateConfig{.commonName = "test CA", .ca = true}};
};

TEST_F(WebSocketClientTest, ConnectsAndExchangesTextAndBinaryMessages) {
  WebSocketClient client(group_, clientConfig());
  ChannelPtr ch = client.connect(url()).get();
  ASSERT_TRUE(ch->isActive());
  EXPECT_EQ(inbox_->eventTypes(), (std::vector<Type>{Type::Connecting, Type::Connected}));

  for (std::string text : {"hello", "h\xc3\xa9llo \xe2\x9c\x93", ""}) {
    ch->writeAndFlush(TextWebSocketFrame(text));
    auto r = inbox_->next();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->opcode, WebSocketOpcode::Text);
    EXPECT_EQ(r->payload, text);
  }
  std::string big(300 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) {
    big[i] = static_cast<char>(i % 251);
  }
  ch->writeAndFlush(BinaryWebSocketFrame(Unpooled::copiedBuffer(big)));
  auto r = inbox_->next();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->opcode, WebSocketOpcode::Binary);
  EXPECT_EQ(r->payload, big);
  client.close().await(kDeadline);
}

TEST_F(WebSocketClientTest, AFragmentedMessageArrivesWhole) {
  WebSocketClient client(group_, clientConfig());
  ChannelPtr ch = client.connect(url()).get();
  ch->write(TextWebSocketFrame(false, 0, Unpooled::copiedBuffer("frag")));
  ch->write(ContinuationWebSocketFrame(false, 0, Unpooled::copiedBuffer("men")));
  ch->writeAndFlush(ContinuationWebSocketFrame(true, 0, Unpooled::copiedBuffer("ted")));
  EXPECT_EQ(nextText(), "fragmented");
  client.close().await(kDeadline);
}

TEST_F(WebSocketClientTest, NegotiatesASubprotocol) {
  auto config = clientConfig();
  config.protocol.subprotocols = {"chat.v3", "chat.v1"};
  WebSocketClient client(group_, config);
  ChannelPtr ch = client.connect(url()).get();
  auto* handler = ch->pipeline().get<WebSocketClientProtocolHandler>();
  ASSERT_NE(handler, nullptr);
  EXPECT_EQ(handler->handshaker().actualSubprotocol(), "chat.v1");
  client.close().await(kDeadline);
}

TEST_F(WebSocketClientTest, AnswersTheServersPingWithAPong) {
  WebSocketClient client(group_, clientConfig());
  ChannelPtr ch = client.connect(url()).get();
  ch->writeAndFlush(TextWebSocketFrame("ping are you there"));
  EXPECT_EQ(nextText(), "pong are you there");
  client.close().await(kDeadline);
}

TEST_F(WebSocketClientTest, AServerCloseEndsTheConnectionWithItsStatus) {
  WebSocketClient client(group_, clientConfig());
  ChannelPtr ch = client.connect(url()).get();
  ch->writeAndFlush(TextWebSocketFrame("close 4000 see you"));
  ASSERT_TRUE(inbox_->waitEvents(Type::Closed));
  EXPECT_FALSE(ch->isActive());
  auto events = inbox_->events();
  ASSERT_EQ(events.size(), 4U);
  EXPECT_EQ(events[2].type, Type::Disconnected);
  EXPECT_EQ(events[2].closeCode, 4000);
  EXPECT_EQ(events[2].closeReason, "see you");
  EXPECT_EQ(events[3].type, Type::Closed);
  // The client echoed the status (RFC 6455 5.5.1).
  std::lock_guard lock(serverState_->mutex);
  EXPECT_EQ(serverState_->closeCodesReceived, std::vector<int>{4000});
}

TEST_F(WebSocketClientTest, CloseRunsTheClosingHandshake) {
  WebSocketClient client(group_, clientConfig());
  ChannelPtr ch = client.connect(url()).get();
  ASSERT_TRUE(client.close().await(kDeadline));
  EXPECT_FALSE(ch->isActive());
  {
    std::lock_guard lock(serverState_->mutex);
    EXPECT_EQ(serverState_->closeCodesReceived, std::vector<int>{1000});
  }
  auto types = inbox_->eventTypes();
  EXPECT_EQ(types, (std::vector<Type>{Type::Connecting, Type::Connected, Type::Disconnected,
                                      Type::Closed}));
  auto again = client.connect(url());  // a closed client opens nothing more
  ASSERT_TRUE(again.await(kDeadline));
  EXPECT_FALSE(again.isSuccess());
}

TEST_F(WebSocketClientTest, AnApplicationCloseIsNotReconnected) {
  auto config = clientConfig();
  config.reconnect = {.enabled = true, .initialDelay = 10ms};
  WebSocketClient client(group_, config);
  ChannelPtr ch = client.connect(url()).get();
  ch->writeAndFlush(CloseWebSocketFrame(4001, "bye"));
  ASSERT_TRUE(inbox_->waitEvents(Type::Closed));
  auto types = inbox_->eventTypes();
  EXPECT_EQ(types, (std::vector<Type>{Type::Connecting, Type::Connected, Type::Disconnected,
                                      Type::Closed}));
  std::lock_guard lock(serverState_->mutex);
  EXPECT_EQ(serverState_->closeCodesReceived, std::vector<int>{4001});
}

TEST_F(WebSocketClientTest, ARefusedHandshakeFailsConnectWithTheServersStatus) {
  WebSocketClient client(group_, clientConfig());
  auto refused = client.connect(url("/elsewhere"));
  ASSERT_TRUE(refused.await(kDeadline));
  ASSERT_FALSE(refused.isSuccess());
  EXPECT_EQ(&refused.cause().code().category(), &webSocketHandshakeCategory());
  EXPECT_NE(refused.cause().message().find("404"), std::string::npos) << refused.cause().message();
  EXPECT_EQ(inbox_->eventTypes(),
            (std::vector<Type>{Type::Connecting, Type::ConnectFailed, Type::Closed}));
}

TEST_F(WebSocketClientTest, InvalidUrlsAndRefusedConnectionsFail) {
  WebSocketClient client(group_, clientConfig());
  for (std::string bad : {"http://127.0.0.1/ws", "ws://", "ws://host:99999/", "ws://h/#frag"}) {
    auto f = client.connect(bad);
    ASSERT_TRUE(f.await(kDeadline));
    EXPECT_EQ(f.cause().code(), std::errc::invalid_argument) << bad;
  }
  stopServer();
  auto refused = client.connect(url());
  ASSERT_TRUE(refused.await(kDeadline));
  EXPECT_EQ(refused.cause().code(), std::errc::connection_refused) << refused.cause().toString();
}

TEST_F(WebSocketClientTest, AHandshakeWithNoAnswerTimesOut) {
  ServerBootstrap silent;
  silent.group(group_).childHandler(testing::initializer([](Channel&) {}));
  ChannelPtr mute = silent.bind("127.0.0.1", 0).sync().channel().shared();
  auto config = clientConfig();
  config.protocol.handshakeTimeout = 200ms;
  WebSocketClient client(group_, config);
  auto f = client.connect(fmt::format("ws://127.0.0.1:{}/ws", mute->localAddress().port()));
  ASSERT_TRUE(f.await(kDeadline));
  EXPECT_EQ(f.cause().code(), WebSocketHandshakeErrc::HandshakeTimeout);
  mute->close().await(kDeadline);
}

TEST_F(WebSocketClientTest, ReconnectsWhenTheServerRestarts) {
  auto config = clientConfig();
  config.reconnect = {.enabled = true, .initialDelay = 20ms, .maxDelay = 100ms};
  WebSocketClient client(group_, config);
  ChannelPtr first = client.connect(url()).get();
  echoCheck(first, "before");

  std::uint16_t port = port_;
  stopServer();  // the client's connection drops; its retries are refused for a while
  ASSERT_TRUE(inbox_->waitEvents(Type::Disconnected));
  ASSERT_TRUE(inbox_->waitEvents(Type::ReconnectScheduled));
  startServer(port);
  ASSERT_TRUE(inbox_->waitEvents(Type::Connected, 2));

  auto events = inbox_->events();
  ChannelPtr second;
  for (const auto& e : events) {
    if (e.type == Type::Connected) {
      second = e.channel;
    }
  }
  ASSERT_NE(second, nullptr);
  EXPECT_NE(second, first);
  EXPECT_FALSE(first->isActive());
  echoCheck(second, "after");
  EXPECT_EQ(serverState_->handshakes.load(), 2);
  // Every retry was announced, and none was made before its delay was set out.
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    if (events[i].type == Type::ReconnectScheduled) {
      EXPECT_EQ(events[i + 1].type, Type::Connecting);
      EXPECT_LE(events[i].delay, 100ms);
    }
  }
  client.close().await(kDeadline);
}

TEST_F(WebSocketClientTest, BacksOffExponentiallyAndGivesUpAfterMaxAttempts) {
  stopServer();
  auto config = clientConfig();
  config.reconnect = {.enabled = true,
                      .initialDelay = 10ms,
                      .maxDelay = 40ms,
                      .multiplier = 2.0,
                      .jitter = 0.0,
                      .maxAttempts = 5};
  WebSocketClient client(group_, config);
  auto f = client.connect(url());
  ASSERT_TRUE(f.await(kDeadline));
  EXPECT_EQ(f.cause().code(), std::errc::connection_refused);
  std::vector<std::chrono::milliseconds> delays;
  std::size_t failures = 0;
  for (const auto& e : inbox_->events()) {
    if (e.type == Type::ReconnectScheduled) {
      delays.push_back(e.delay);
    } else if (e.type == Type::ConnectFailed) {
      ++failures;
    }
  }
  EXPECT_EQ(failures, 5U);
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{10ms, 20ms, 40ms, 40ms}));
  EXPECT_EQ(inbox_->eventTypes().back(), Type::Closed);
}

TEST_F(WebSocketClientTest, JitterShortensEachDelayByUpToItsShare) {
  stopServer();
  auto config = clientConfig();
  config.reconnect = {
      .enabled = true, .initialDelay = 40ms, .maxDelay = 40ms, .jitter = 0.5, .maxAttempts = 6};
  WebSocketClient client(group_, config);
  ASSERT_TRUE(client.connect(url()).await(kDeadline));
  std::size_t scheduled = 0;
  for (const auto& e : inbox_->events()) {
    if (e.type == Type::ReconnectScheduled) {
      ++scheduled;
      EXPECT_GE(e.delay, 20ms);
      EXPECT_LE(e.delay, 40ms);
    }
  }
  EXPECT_EQ(scheduled, 5U);
}

TEST_F(WebSocketClientTest, APoolDropsAConnectionWhoseServerStoppedAnswering) {
  WebSocketClient client(group_, clientConfig());
  auto pool = client.newChannelPool(url(), {}, 300ms);
  ChannelPtr first = pool->acquire().get();
  ASSERT_TRUE(first->isActive());
  first->writeAndFlush(TextWebSocketFrame("still here"));
  EXPECT_EQ(nextText(), "still here");
  pool->release(first).sync();
  EXPECT_EQ(pool->acquire().get(), first);  // answered its ping: reused

  first->writeAndFlush(TextWebSocketFrame("freeze"));
  EXPECT_EQ(nextText(), "frozen");
  pool->release(first).sync();
  ChannelPtr second = pool->acquire().get();  // the ping goes unanswered
  EXPECT_NE(second, first);
  EXPECT_TRUE(first->closeFuture().await(kDeadline));
  second->writeAndFlush(TextWebSocketFrame("fresh"));
  EXPECT_EQ(nextText(), "fresh");
  pool->release(second).sync();
  EXPECT_EQ(serverState_->handshakes.load(), 2);
}

TEST_F(WebSocketClientTest, ConnectsOverWssToAServerItsContextTrusts) {
  startTlsServer();
  auto config = clientConfig();
  config.sslContext = SslContextBuilder::forClient().trustManager(ca_.certificatePem()).build();
  WebSocketClient client(group_, config);
  ChannelPtr ch = client.connect(url("/ws", "wss")).get();
  auto* tls = ch->pipeline().get<SslHandler>();
  ASSERT_NE(tls, nullptr);
  EXPECT_TRUE(tls->handshakeFuture().isSuccess());
  echoCheck(ch, "over TLS");
  ch->writeAndFlush(TextWebSocketFrame("ping secret"));
  EXPECT_EQ(nextText(), "pong secret");
  EXPECT_TRUE(client.close().await(kDeadline));
  std::lock_guard lock(serverState_->mutex);
  EXPECT_EQ(serverState_->closeCodesReceived, std::vector<int>{1000});
}

TEST_F(WebSocketClientTest, WssVerifiesTheServerByDefault) {
  startTlsServer();
  WebSocketClient client(group_, clientConfig());  // the system's trust store: not our CA
  auto refused = client.connect(url("/ws", "wss"));
  ASSERT_TRUE(refused.await(kDeadline));
  EXPECT_EQ(refused.cause().code(), SslErrc::CertificateVerifyFailed) << refused.cause().toString();
  EXPECT_EQ(serverState_->handshakes.load(), 0);
}

TEST_F(WebSocketClientTest, WssRefusesACertificateForAnotherHost) {
  startTlsServer({"other.example"}, {});
  auto config = clientConfig();
  config.sslContext = SslContextBuilder::forClient().trustManager(ca_.certificatePem()).build();
  WebSocketClient client(group_, config);
  auto refused = client.connect(url("/ws", "wss"));
  ASSERT_TRUE(refused.await(kDeadline));
  EXPECT_EQ(refused.cause().code(), SslErrc::HostnameMismatch) << refused.cause().toString();
}

TEST_F(WebSocketClientTest, WssVerificationCanBeTurnedOffExplicitly) {
  startTlsServer({"other.example"}, {});
  auto config = clientConfig();
  config.sslContext = SslContextBuilder::forClient().verifyPeer(false).build();
  WebSocketClient client(group_, config);
  ChannelPtr ch = client.connect(url("/ws", "wss")).get();
  echoCheck(ch, "unverified");
  EXPECT_TRUE(client.close().await(kDeadline));
}

}  // namespace
}  // namespace sluice::websocket
