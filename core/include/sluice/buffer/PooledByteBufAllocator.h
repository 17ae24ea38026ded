#pragma once

#include <sluice/buffer/ByteBufAllocator.h>

#include <cstddef>
#include <memory>

namespace sluice {

namespace detail {
class PoolCore;
}  // namespace detail

/// Settings of a PooledByteBufAllocator. Every field has a working default.
struct PooledByteBufAllocatorConfig {
  /// Arenas shared by the threads; 0 means two per hardware thread, as Netty.
  std::size_t numArenas = 0;
  /// Blocks larger than this (header included) are taken from malloc, unpooled. At most
  /// 1 MiB, the largest size class.
  std::size_t maxPooledSize = std::size_t{1} << 20;
  /// Bytes of free blocks each thread keeps per size class before giving some back to the
  /// arenas (at most 256 blocks a class). 0 turns the thread caches off.
  std::size_t threadCacheBytesPerClass = std::size_t{256} << 10;
};

/// The pooled allocator (Netty's PooledByteBufAllocator, shaped like jemalloc).
///
/// Memory comes in chunks, each carved into blocks of one size class (64 B to 1 MiB in
/// half-power-of-two steps, 32 bytes of each block being the buffer header). Each thread
/// keeps a cache of free blocks per class: an allocation or a release that hits the cache
/// takes no lock and no atomic read-modify-write, and the block released last waits in a
/// slot of its own, so that allocating right after a release is one pointer swap. A cache
/// that runs dry refills a batch from its arena under the arena's lock; one that overflows
/// gives half back. A buffer may be released on any thread: its block goes to the releasing
/// thread's cache, and overflow goes back to the block's own arena, so memory allocated on
/// one thread and freed on another still returns to where it is allocated. Larger sizes are
/// unpooled.
///
/// Chunks are kept until the allocator and every thread cache holding its blocks are gone;
/// the pool's footprint is its high-water mark. Thread: any.
class PooledByteBufAllocator final : public ByteBufAllocator {
 public:
  explicit PooledByteBufAllocator(PooledByteBufAllocatorConfig config = {});
  /// Drops the calling thread's cache; other threads drop theirs when they next allocate
  /// from any pooled allocator or exit. Logs an error if buffers are still alive.
  ~PooledByteBufAllocator() override;

  ByteBufAllocatorMetrics metrics() const override;
  bool isPooled() const noexcept override { return true; }

  /// Gives the calling thread's cached blocks back to the arenas, for a thread about to go
  /// idle for long. Thread: any (acts on the calling thread).
  void trimCurrentThreadCache() noexcept;

  /// The process's default allocator; it is never destroyed, so buffers from it may live
  /// until the process exits. Its first use registers its gauges in MetricsRegistry::global():
  /// sluice_allocator_reserved_bytes, _used_bytes, _live_buffers and _cache_hit_ratio.
  static PooledByteBufAllocator& defaultAllocator() noexcept;

 protected:
  detail::ByteBufStorage* newStorage(std::size_t capacity) override;

 private:
  std::shared_ptr<detail::PoolCore> core_;
};

}  // namespace sluice
