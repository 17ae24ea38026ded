#include <cxxabi.h>
#include <sluice/buffer/ByteBufHolder.h>
#include <sluice/channel/Message.h>

#include <cstdlib>
#include <memory>

namespace sluice {

std::string Message::typeName() const {
  const char* mangled = type().name();
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && demangled ? std::string(demangled.get()) : std::string(mangled);
}

std::size_t estimateMessageSize(const Message& msg) noexcept {
  // Netty's DefaultMessageSizeEstimator counts 8 bytes for a message of unknown size.
  constexpr std::size_t kUnknownSize = 8;
  if (const ByteBuf* buf = msg.getIf<ByteBuf>(); buf != nullptr) {
    return buf->readableBytes();
  }
  if (const CompositeByteBuf* composite = msg.getIf<CompositeByteBuf>(); composite != nullptr) {
    return composite->readableBytes();
  }
  if (const ByteBufHolder* holder = msg.getIf<ByteBufHolder>(); holder != nullptr) {
    return holder->content().readableBytes();
  }
  return kUnknownSize;
}

}  // namespace sluice
