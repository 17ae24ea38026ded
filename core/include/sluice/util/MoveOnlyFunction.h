#pragma once

#include <cstddef>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

namespace sluice {

template <typename Signature>
class MoveOnlyFunction;

/// A callable that may own move-only state (a ByteBuf, a promise): std::move_only_function,
/// which libstdc++ 12 lacks. Callables up to kInlineSize bytes that move without throwing are
/// stored inline; larger ones on the heap. Calling an empty one is a programming error that
/// throws std::bad_function_call.
template <typename R, typename... Args>
class MoveOnlyFunction<R(Args...)> {
 public:
  static constexpr std::size_t kInlineSize = 48;

  MoveOnlyFunction() noexcept = default;
  MoveOnlyFunction(std::nullptr_t) noexcept {}  // NOLINT(google-explicit-constructor)

  template <typename F, typename D = std::decay_t<F>>
  requires(!std::is_same_v<D, MoveOnlyFunction> && std::is_invocable_r_v<R, D&, Args...>)
      MoveOnlyFunction(F&& f) {  // NOLINT(google-explicit-constructor): as std::function
    if constexpr (std::is_pointer_v<D> || std::is_member_pointer_v<D>) {
      if (f == nullptr) {
        return;
      }
    }
    if constexpr (fitsInline<D>()) {
      ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
    } else {
      *reinterpret_cast<D**>(storage_) = new D(std::forward<F>(f));
    }
    ops_ = &kOps<D>;
  }

  MoveOnlyFunction(MoveOnlyFunction&& other) noexcept { moveFrom(other); }
  MoveOnlyFunction& operator=(MoveOnlyFunction&& other) noexcept {
    if (this != &other) {
      reset();
      moveFrom(other);
    }
    return *this;
  }
  MoveOnlyFunction& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }
  MoveOnlyFunction(const MoveOnlyFunction&) = delete;
  MoveOnlyFunction& operator=(const MoveOnlyFunction&) = delete;
  ~MoveOnlyFunction() { reset(); }

  explicit operator bool() const noexcept { return ops_ != nullptr; }

  R operator()(Args... args) {
    if (ops_ == nullptr) {
      throw std::bad_function_call();
    }
    return ops_->invoke(storage_, std::forward<Args>(args)...);
  }

 private:
  struct Ops {
    R (*invoke)(void* storage, Args&&... args);
    void (*move)(void* dst, void* src) noexcept;  // move-constructs dst, destroys src
    void (*destroy)(void* storage) noexcept;
  };

  template <typename D>
  static constexpr bool fitsInline() {
    return sizeof(D) <= kInlineSize && alignof(D) <= alignof(std::max_align_t) &&
           std::is_nothrow_move_constructible_v<D>;
  }

  template <typename D>
  static D* target(void* storage) noexcept {
    if constexpr (fitsInline<D>()) {
      return std::launder(reinterpret_cast<D*>(storage));
    } else {
      return *reinterpret_cast<D**>(storage);
    }
  }

  template <typename D>
  static constexpr Ops kOps = {
      [](void* storage, Args&&... args) -> R {
        return std::invoke(*target<D>(storage), std::forward<Args>(args)...);
      },
      [](void* dst, void* src) noexcept {
        if constexpr (fitsInline<D>()) {
          D* from = target<D>(src);
          ::new (dst) D(std::move(*from));
          from->~D();
        } else {
          *reinterpret_cast<D**>(dst) = *reinterpret_cast<D**>(src);
        }
      },
      [](void* storage) noexcept {
        if constexpr (fitsInline<D>()) {
          target<D>(storage)->~D();
        } else {
          delete target<D>(storage);
        }
      },
  };

  void moveFrom(MoveOnlyFunction& other) noexcept {
    if (other.ops_ != nullptr) {
      other.ops_->move(storage_, other.storage_);
      ops_ = std::exchange(other.ops_, nullptr);
    }
  }
  void reset() noexcept {
    if (ops_ != nullptr) {
      std::exchange(ops_, nullptr)->destroy(storage_);
    }
  }

  alignas(std::max_align_t) unsigned char storage_[kInlineSize];
  const Ops* ops_ = nullptr;
};

/// A unit of work for an executor (Netty's Runnable).
using Task = MoveOnlyFunction<void()>;

}  // namespace sluice
