#pragma once

#include <cstdint>

namespace sluice {

/// Which kind of idleness an IdleStateEvent reports (Netty's IdleState).
enum class IdleState : std::uint8_t {
  /// Nothing was read for the reader idle time.
  ReaderIdle,
  /// Nothing was written for the writer idle time.
  WriterIdle,
  /// Neither read nor written for the all idle time.
  AllIdle,
};

/// The user event IdleStateHandler fires (Netty's IdleStateEvent): the kind of idleness,
/// and whether it is the first such event since the channel was last active that way.
/// A trivially copyable value: firing one allocates nothing.
struct IdleStateEvent {
  IdleState state;
  bool first;

  friend bool operator==(const IdleStateEvent&, const IdleStateEvent&) = default;

  static constexpr IdleStateEvent firstReaderIdle() noexcept {
    return {IdleState::ReaderIdle, true};
  }
  static constexpr IdleStateEvent readerIdle() noexcept { return {IdleState::ReaderIdle, false}; }
  static constexpr IdleStateEvent firstWriterIdle() noexcept {
    return {IdleState::WriterIdle, true};
  }
  static constexpr IdleStateEvent writerIdle() noexcept { return {IdleState::WriterIdle, false}; }
  static constexpr IdleStateEvent firstAllIdle() noexcept { return {IdleState::AllIdle, true}; }
  static constexpr IdleStateEvent allIdle() noexcept { return {IdleState::AllIdle, false}; }
};

}  // namespace sluice
