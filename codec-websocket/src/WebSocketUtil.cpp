#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sluice/websocket/WebSocketUtil.h>

#include <array>
#include <cstring>
#include <stdexcept>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice::websocket {

std::string WebSocketUtil::acceptKey(std::string_view key) {
  std::string input(key);
  input += kWebSocketGuid;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digestLength = 0;
  if (EVP_Digest(input.data(), input.size(), digest.data(), &digestLength, EVP_sha1(), nullptr) !=
      1) {
    throw std::runtime_error("OpenSSL SHA-1 failed");
  }
  return base64(std::span<const std::uint8_t>(digest.data(), digestLength));
}

std::string WebSocketUtil::base64(std::span<const std::uint8_t> data) {
  // EVP_EncodeBlock writes 4 characters per 3 bytes (padded) and a terminating NUL.
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                                static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::vector<std::uint8_t> WebSocketUtil::randomBytes(std::size_t n) {
  std::vector<std::uint8_t> out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  return out;
}

void WebSocketUtil::maskCopy(std::uint8_t* dst, std::span<const std::uint8_t> src,
                             std::uint32_t maskingKey) noexcept {
  const std::uint8_t* s = src.data();
  const std::size_t n = src.size();
  std::size_t i = 0;
  // Every block starts at a multiple of 4 from the payload's start, so the key lines up with
  // each word unchanged.
  const std::uint64_t key64 = (static_cast<std::uint64_t>(maskingKey) << 32) | maskingKey;
#if defined(__SSE2__)
  const __m128i key128 = _mm_set1_epi32(static_cast<int>(maskingKey));
  for (; i + 64 <= n; i += 64) {
    for (std::size_t j = 0; j < 64; j += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + j));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i + j), _mm_xor_si128(v, key128));
    }
  }
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm_xor_si128(v, key128));
  }
#endif
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s + i, 8);
    w ^= key64;
    std::memcpy(dst + i, &w, 8);
  }
  for (; i < n; ++i) {
    dst[i] = static_cast<std::uint8_t>(s[i] ^ (maskingKey >> (8 * (i & 3))));
  }
}

void WebSocketUtil::mask(std::span<std::uint8_t> data, std::uint32_t maskingKey) noexcept {
  maskCopy(data.data(), data, maskingKey);
}

}  // namespace sluice::websocket
