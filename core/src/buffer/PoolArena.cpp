#include "buffer/PoolArena.h"

#include <cstdlib>
#include <new>

#include "buffer/Poisoning.h"
#include "buffer/PoolCore.h"

namespace sluice::detail {

PoolArena::~PoolArena() {
  for (void* chunk : chunks_) {
    std::free(chunk);
  }
}

std::size_t PoolArena::allocateBatch(std::size_t sizeClass, ByteBufStorage** out, std::size_t n) {
  const std::size_t blockBytes = sizeClassBytes(sizeClass);
  std::lock_guard lock(mutex_);
  Bin& bin = bins_[sizeClass];
  for (std::size_t i = 0; i < n; ++i) {
    void* block;
    if (bin.freeList != nullptr) {
      block = bin.freeList;
      unpoisonMemory(block, sizeof(ByteBufStorage));
      bin.freeList = bin.freeList->next;
    } else {
      if (bin.bumpNext == bin.bumpEnd) {
        const std::size_t chunkBytes = chunkBytesOf(sizeClass);
        chunks_.reserve(chunks_.size() + 1);  // so that push_back below cannot throw
        void* chunk = std::aligned_alloc(alignof(ByteBufStorage), chunkBytes);
        if (chunk == nullptr) {
          if (i == 0) {
            throw std::bad_alloc();
          }
          return i;  // what we have: the caller asked for a batch, not a promise
        }
        chunks_.push_back(chunk);
        core_.addReservedBytes(chunkBytes);
        bin.bumpNext = static_cast<std::uint8_t*>(chunk);
        bin.bumpEnd = bin.bumpNext + chunkBytes;
      }
      block = bin.bumpNext;
      bin.bumpNext += blockBytes;
    }
    auto* storage = new (block) ByteBufStorage;
    storage->capacity = static_cast<std::uint32_t>(blockBytes - sizeof(ByteBufStorage));
    storage->owner = this;
    storage->sizeClass = static_cast<std::uint16_t>(sizeClass);
    storage->state = ByteBufStorage::kFreed;
    out[i] = storage;
  }
  return n;
}

void PoolArena::freeBatch(ByteBufStorage* const* blocks, std::size_t n) noexcept {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < n; ++i) {
    ByteBufStorage* storage = blocks[i];
    Bin& bin = bins_[storage->sizeClass];
    auto* free = reinterpret_cast<FreeBlock*>(storage);
    free->next = bin.freeList;
    bin.freeList = free;
    poisonMemory(storage, sizeof(ByteBufStorage));
  }
}

}  // namespace sluice::detail
