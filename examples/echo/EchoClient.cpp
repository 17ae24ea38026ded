// Sends each line of standard input to an echo server and prints what comes back.
//
//   echo-client [--host 127.0.0.1] [--port 8007]

#include <fmt/format.h>
#include <sluice/buffer/Unpooled.h>
#include <sluice/channel/ChannelInitializer.h>
#include <sluice/codec/LineBasedFrameDecoder.h>
#include <sluice/transport/Bootstrap.h>
#include <sluice/transport/UvEventLoopGroup.h>
#include <sluice/transport/UvSocketChannel.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "EchoClientHandler.h"

namespace {

class EchoClientInitializer : public sluice::ChannelInitializer {
 protected:
  void initChannel(sluice::Channel& ch) override {
    ch.pipeline().addLast<sluice::LineBasedFrameDecoder>(
        sluice::LineBasedFrameDecoderConfig{.maxLength = 8192, .stripDelimiter = false});
    ch.pipeline().addLast<EchoClientHandler>();
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 8007;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--host") == 0) {
      host = argv[i + 1];
    } else if (std::strcmp(argv[i], "--port") == 0) {
      port = std::atoi(argv[i + 1]);
    }
  }
  sluice::UvEventLoopGroup group(1);
  sluice::Bootstrap bootstrap;
  bootstrap.group(group).handler(std::make_shared<EchoClientInitializer>());
  auto connected = bootstrap.connect(host, static_cast<std::uint16_t>(port));
  connected.await();
  if (!connected.isSuccess()) {
    fmt::print(stderr, "echo-client: {}\n", connected.cause().message());
    return 1;
  }
  sluice::ChannelPtr ch = connected.getNow();

  char line[8192];
  while (std::fgets(line, sizeof(line), stdin) != nullptr) {
    ch->writeAndFlush(sluice::Unpooled::copiedBuffer(line));
  }
  // End of input: half-close. The server echoes what is left, sees the end of the stream
  // and closes, which ends the connection here too.
  static_cast<sluice::UvSocketChannel&>(*ch).shutdownOutput().await();
  ch->closeFuture().await();
  group.shutdownGracefully().await();
  return 0;
}
