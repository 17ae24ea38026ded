// The client side of docs/websocket.md, docs/tutorial.md and docs/tls.md: an initializer, a
// frame handler, a Bootstrap that waits for the handshake, and WebSocketClient over ws:// and
// wss://, run against the websocket-echo example's pipeline on 127.0.0.1. Each region between "//
// [docs:NAME]" and
// "// [docs:end]" appears verbatim in the pages (docs.snippets test).

#include <sluice/channel/ChannelInitializer.h>
#include <sluice/channel/SimpleChannelInboundHandler.h>
#include <sluice/handler/ssl/SelfSignedCertificate.h>
#include <sluice/handler/ssl/SslContextBuilder.h>
#include <sluice/handler/ssl/SslError.h>
#include <sluice/handler/ssl/SslHandler.h>
#include <sluice/http/HttpClientCodec.h>
#include <sluice/http/HttpObjectAggregator.h>
#include <sluice/transport/Bootstrap.h>
#include <sluice/transport/ServerBootstrap.h>
#include <sluice/transport/UvEventLoopGroup.h>
#include <sluice/websocket/WebSocketClient.h>
#include <sluice/websocket/WebSocketClientProtocolHandler.h>
#include <sluice/websocket/WebSocketFrame.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>

#include "ExampleTls.h"
#include "WebSocketEchoInitializer.h"
#include "support/SluiceTest.h"

namespace {

using namespace std::chrono_literals;

// Where the handler below puts what it receives; a test waits on it with a deadline.
class Messages {
 public:
  void add(std::string text) {
    std::lock_guard lock(mutex_);
    texts_.push_back(std::move(text));
    changed_.notify_all();
  }
  std::string next() {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, 20s, [&] { return !texts_.empty(); })) {
      return "<nothing within 20 s>";
    }
    std::string text = std::move(texts_.front());
    texts_.pop_front();
    return text;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> texts_;
};

// [docs:ws-client-handler]
/// Receives the server's text messages. Pings, pongs and close frames never get here:
/// WebSocketClientProtocolHandler answers them.
class ChatClientHandler
    : public sluice::SimpleChannelInboundHandler<sluice::websocket::TextWebSocketFrame> {
 public:
  explicit ChatClientHandler(std::shared_ptr<Messages> inbox) : inbox_(std::move(inbox)) {}

  void userEventTriggered(sluice::ChannelHandlerContext& ctx, sluice::Message event) override {
    using State = sluice::websocket::WebSocketClientProtocolHandler::ClientHandshakeStateEvent;
    if (const State* state = event.getIf<State>(); state && *state == State::HandshakeComplete) {
      ctx.writeAndFlush(sluice::websocket::TextWebSocketFrame("hello from the handler"));
    }
    ctx.fireUserEventTriggered(std::move(event));
  }

 protected:
  void channelRead0(sluice::ChannelHandlerContext&,
                    sluice::websocket::TextWebSocketFrame& frame) override {
    inbox_->add(std::string(frame.text()));
  }

 private:
  std::shared_ptr<Messages> inbox_;
};
// [docs:end]

// [docs:ws-client-initializer]
/// Each client connection: HTTP until the server's 101, then WebSocket frames.
class ChatClientInitializer : public sluice::ChannelInitializer {
 public:
  ChatClientInitializer(std::string url, std::shared_ptr<Messages> inbox)
      : url_(std::move(url)), inbox_(std::move(inbox)) {}

 protected:
  void initChannel(sluice::Channel& ch) override {
    auto& p = ch.pipeline();
    p.addLast<sluice::http::HttpClientCodec>();
    p.addLast<sluice::http::HttpObjectAggregator>(8192);  // the 101, or a refusal's body
    p.addLast<sluice::websocket::WebSocketClientProtocolHandler>(
        sluice::websocket::WebSocketClientProtocolConfig{
            .webSocketUri = url_,
            .subprotocols = {"chat.v1"},
            .handshakeTimeout = std::chrono::seconds(5),
        });
    p.addLast<ChatClientHandler>(inbox_);
  }

 private:
  std::string url_;
  std::shared_ptr<Messages> inbox_;
};
// [docs:end]

class WebSocketClientDocsTest : public sluice::testing::SluiceTest {
 protected:
  void SetUp() override {
    SluiceTest::SetUp();
    sluice::ServerBootstrap sb;
    sb.group(group_).childHandler(std::make_shared<WebSocketEchoInitializer>());
    server_ = sb.bind("127.0.0.1", 0).sync().channel().shared();
    port_ = server_->localAddress().port();
  }
  void TearDown() override {
    server_->close().await(10s);
    group_.shutdownGracefully(0ms, 5s).await(10s);
    SluiceTest::TearDown();
  }

  sluice::UvEventLoopGroup group_{1};
  sluice::ChannelPtr server_;
  std::uint16_t port_ = 0;
};

TEST_F(WebSocketClientDocsTest, BootstrapInitializerAndHandshake) {
  auto inbox = std::make_shared<Messages>();
  sluice::UvEventLoopGroup& group = group_;
  const std::string url = fmt::format("ws://127.0.0.1:{}/ws", port_);
  // [docs:ws-client-bootstrap]
  sluice::Bootstrap b;
  b.group(group).handler(std::make_shared<ChatClientInitializer>(url, inbox));
  sluice::ChannelPtr ch = b.connect("127.0.0.1", port_).get();  // TCP is up

  auto* ws = ch->pipeline().get<sluice::websocket::WebSocketClientProtocolHandler>();
  ws->handshakeFuture().sync();  // the 101 arrived and was checked; throws if refused
  ch->writeAndFlush(sluice::websocket::TextWebSocketFrame("hello"));
  // ... the handler receives the echo ...
  ch->writeAndFlush(sluice::websocket::CloseWebSocketFrame(
      sluice::websocket::WebSocketCloseStatus::kNormalClosure));
  ch->closeFuture().sync();  // the server closes TCP after the closing handshake
  // [docs:end]
  // The handler's greeting on HandshakeComplete may precede or follow "hello"; both echo.
  std::string first = inbox->next();
  std::string second = inbox->next();
  EXPECT_TRUE((first == "hello" && second == "hello from the handler") ||
              (first == "hello from the handler" && second == "hello"))
      << first << " / " << second;
  EXPECT_FALSE(ch->isActive());
}

TEST_F(WebSocketClientDocsTest, WebSocketClientConnectsAndReconnects) {
  auto inbox = std::make_shared<Messages>();
  sluice::UvEventLoopGroup& group = group_;
  const std::string url = fmt::format("ws://127.0.0.1:{}/ws", port_);
  std::atomic<int> connects{0};
  // [docs:ws-client-convenience]
  sluice::websocket::WebSocketClient client(
      group, sluice::websocket::WebSocketClientConfig{
                 .initChannel =
                     [inbox](sluice::ChannelPipeline& p) {
                       p.addLast<ChatClientHandler>(inbox);  // fresh for each connection
                     },
                 .reconnect = {.enabled = true,  // off by default
                               .initialDelay = std::chrono::milliseconds(250),
                               .maxDelay = std::chrono::seconds(30)},
                 .onEvent =
                     [&connects](const sluice::websocket::WebSocketClientEvent& e) {
                       using Type = sluice::websocket::WebSocketClientEvent::Type;
                       if (e.type == Type::Connected) {
                         ++connects;  // e.channel is the new connection
                       }
                     },
             });
  sluice::ChannelPtr ch = client.connect(url).get();  // the handshake is done
  ch->writeAndFlush(sluice::websocket::TextWebSocketFrame("hi"));
  // ...
  client.close().sync();  // close frames, closing handshakes, no more reconnects
  // [docs:end]
  std::string first = inbox->next();
  std::string second = inbox->next();
  EXPECT_TRUE((first == "hi" && second == "hello from the handler") ||
              (first == "hello from the handler" && second == "hi"))
      << first << " / " << second;
  EXPECT_EQ(connects.load(), 1);
  EXPECT_FALSE(ch->isActive());
}

TEST_F(WebSocketClientDocsTest, WebSocketClientOverWss) {
  // websocket-echo's pipeline behind TLS, with a certificate (localhost, 127.0.0.1, ::1)
  // issued by a test CA.
  const sluice::SelfSignedCertificate ca({.commonName = "docs CA", .ca = true});
  const sluice::SelfSignedCertificate leaf = ca.issue({.commonName = "localhost"});
  sluice::ServerBootstrap sb;
  sb.group(group_).childHandler(withTls(
      sluice::SslContextBuilder::forServer(leaf.certificatePem(), leaf.privateKeyPem()).build(),
      std::make_shared<WebSocketEchoInitializer>()));
  sluice::ChannelPtr tlsServer = sb.bind("127.0.0.1", 0).sync().channel().shared();
  const std::string url = fmt::format("wss://127.0.0.1:{}/ws", tlsServer->localAddress().port());
  const std::string& caFile = ca.certificateFile();
  auto inbox = std::make_shared<Messages>();
  sluice::UvEventLoopGroup& group = group_;
  {
    // [docs:wss-client]
    auto tls = sluice::SslContextBuilder::forClient().trustManager(caFile).build();
    sluice::websocket::WebSocketClient client(
        group, sluice::websocket::WebSocketClientConfig{
                   .initChannel =
                       [inbox](sluice::ChannelPipeline& p) { p.addLast<ChatClientHandler>(inbox); },
                   .sslContext = tls,  // null: the system's trust store
               });
    sluice::ChannelPtr ch = client.connect(url).get();     // TLS and WebSocket handshakes done
    auto* ssl = ch->pipeline().get<sluice::SslHandler>();  // first in the pipeline
    ch->writeAndFlush(sluice::websocket::TextWebSocketFrame("over TLS"));
    // [docs:end]
    ASSERT_NE(ssl, nullptr);
    EXPECT_EQ(ssl->protocol(), "TLSv1.3");
    EXPECT_EQ(ssl->peerSubject(), "CN=localhost");
    EXPECT_EQ(ssl->peerIssuer(), "CN=docs CA");
    std::string first = inbox->next();
    std::string second = inbox->next();
    EXPECT_TRUE((first == "over TLS" && second == "hello from the handler") ||
                (first == "hello from the handler" && second == "over TLS"))
        << first << " / " << second;
    EXPECT_TRUE(client.close().await(20s));
  }
  {
    // [docs:wss-client-refused]
    sluice::websocket::WebSocketClient strict(group);  // no sslContext: the system's trust store
    sluice::Future<sluice::ChannelPtr> refused = strict.connect(url);
    refused.await();  // fails: the system's store does not know the test CA
    sluice::Error why = refused.cause();
    bool untrusted = why.code() == sluice::SslErrc::CertificateVerifyFailed;    // true
    bool unverified = why.code() == sluice::SslCondition::VerificationFailure;  // true as well
    // [docs:end]
    EXPECT_TRUE(untrusted) << why.toString();
    EXPECT_TRUE(unverified) << why.toString();
  }
  tlsServer->close().await(10s);
}

}  // namespace
