#pragma once

#include <sluice/buffer/ByteBuf.h>
#include <sluice/buffer/CompositeByteBuf.h>

#include <cstddef>
#include <cstring>
#include <new>
#include <span>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace sluice {

/// Declares a message type's supertypes for Message's is-a tests, as Java's `extends` and
/// `implements` do for instanceof. Put it in the class, naming the class first:
///
/// ```cpp
/// class TextWebSocketFrame : public WebSocketFrame {
///  public:
///   using MessageSupertypes = sluice::MessageSupertypes<TextWebSocketFrame, WebSocketFrame>;
/// };
/// ```
///
/// Each supertype must be a base class (so that a reference to it can be had); its own
/// supertypes count too. A class that declares nothing but derives from one that did is a
/// subtype of that class, so subclassing a message type needs no declaration.
template <typename Self, typename... Supertypes>
struct MessageSupertypes {
  using SelfType = Self;
};

/// Whether a T can be moved by copying its bytes and forgetting the original, as ByteBuf can.
/// Message stores such types inline (up to Message::kInlineSize bytes) and moves them with a
/// fixed-size memcpy; other types live on the heap. Trivially copyable types qualify;
/// specialise it for others that hold no pointers into themselves (not std::string, whose
/// short-string buffer is one). Not inherited: each type opts in for itself.
template <typename T>
struct IsTriviallyRelocatable : std::is_trivially_copyable<T> {};
template <>
struct IsTriviallyRelocatable<ByteBuf> : std::true_type {};

namespace detail {

using MessageTypeId = const void*;

template <typename T>
struct MessageTypeTag {
  static constexpr char kId = 0;
};
template <typename T>
constexpr MessageTypeId messageTypeId() noexcept {
  return &MessageTypeTag<std::remove_cv_t<T>>::kId;
}

/// One type a message is: its id, and how to get from the stored object to that base.
struct MessageAncestor {
  MessageTypeId id;
  void* (*upcast)(void* object) noexcept;
};

struct MessageVTable {
  MessageTypeId id;
  std::span<const MessageAncestor> ancestors;  // [0] is the type itself
  void (*destroy)(void* storage) noexcept;
  const std::type_info& (*typeInfo)() noexcept;
  bool isInline;
};

template <typename... Ts>
struct TypeList {};

template <typename... Lists>
struct Concat;
template <>
struct Concat<> {
  using type = TypeList<>;
};
template <typename... As>
struct Concat<TypeList<As...>> {
  using type = TypeList<As...>;
};
template <typename... As, typename... Bs, typename... Rest>
struct Concat<TypeList<As...>, TypeList<Bs...>, Rest...> {
  using type = typename Concat<TypeList<As..., Bs...>, Rest...>::type;
};

template <typename T, typename = void>
struct DirectSupertypes {
  using type = TypeList<>;
};
template <typename T>
struct DirectSupertypes<T, std::void_t<typename T::MessageSupertypes>> {
  using Declared = typename T::MessageSupertypes;
  template <typename D>
  struct Unpack;
  template <typename Self, typename... Supers>
  struct Unpack<MessageSupertypes<Self, Supers...>> {
    // Declared by T itself: its listed supertypes. Inherited from an ancestor: that ancestor.
    using type = std::conditional_t<std::is_same_v<Self, T>, TypeList<Supers...>, TypeList<Self>>;
  };
  using type = typename Unpack<Declared>::type;
};

// T followed by every supertype, transitively (duplicates are harmless).
template <typename T>
struct AllTypes;
template <typename T, typename List>
struct AllTypesOfList;
template <typename T, typename... Supers>
struct AllTypesOfList<T, TypeList<Supers...>> {
  using type = typename Concat<TypeList<T>, typename AllTypes<Supers>::type...>::type;
};
template <typename T>
struct AllTypes {
  using type = typename AllTypesOfList<T, typename DirectSupertypes<T>::type>::type;
};

template <typename T, typename A>
void* upcastTo(void* object) noexcept {
  return static_cast<A*>(static_cast<T*>(object));
}

template <typename T, typename List>
struct AncestorTable;
template <typename T, typename... As>
struct AncestorTable<T, TypeList<As...>> {
  static constexpr MessageAncestor kEntries[] = {{messageTypeId<As>(), &upcastTo<T, As>}...};
};

}  // namespace detail

/// The move-only, type-erased value that flows through a pipeline: a ByteBuf, a decoded
/// HttpRequest, a WebSocketFrame, a user event... (Netty's Object msg).
///
/// Ownership. A Message owns its value. Moving it into the next handler hands the value
/// over; destroying it destroys the value, so a handler that drops a message releases its
/// buffers. Small values that move as plain bytes (ByteBuf, frames that declare it) are
/// stored inline: wrapping a ByteBuf allocates nothing and moving a Message is a 48-byte
/// copy. Other values are stored on the heap.
///
/// Type tests. isExactly<T>() compares one pointer. is<T>() answers "is-a" as Java's
/// instanceof does: true for T itself and for every supertype declared with
/// MessageSupertypes, walking a short array, never dynamic_cast. get<T>() returns a
/// reference to the value as T, for any T that is<T>().
///
/// Thread: one thread at a time, like the value inside.
class Message {
 public:
  static constexpr std::size_t kInlineSize = 48;

  /// An empty message (no value).
  Message() noexcept = default;

  /// Wraps `value`, moving (or copying, for a copyable lvalue) it in.
  template <typename T, typename D = std::decay_t<T>>
  requires(!std::is_same_v<D, Message>)
      Message(T&& value)  // NOLINT(google-explicit-constructor): messages convert implicitly
      : vtable_(&kVTable<D>) {
    static_assert(std::is_nothrow_destructible_v<D>);
    if constexpr (storedInline<D>()) {
      ::new (static_cast<void*>(storage_)) D(std::forward<T>(value));
    } else {
      *reinterpret_cast<D**>(storage_) = new D(std::forward<T>(value));
    }
  }

  /// Makes a T in place from `args`.
  template <typename T, typename... Args>
  static Message make(Args&&... args) {
    Message m;
    if constexpr (storedInline<T>()) {
      ::new (static_cast<void*>(m.storage_)) T(std::forward<Args>(args)...);
    } else {
      *reinterpret_cast<T**>(m.storage_) = new T(std::forward<Args>(args)...);
    }
    m.vtable_ = &kVTable<T>;
    return m;
  }

  Message(Message&& other) noexcept : vtable_(std::exchange(other.vtable_, nullptr)) {
    std::memcpy(storage_, other.storage_, kInlineSize);
  }
  Message& operator=(Message&& other) noexcept {
    if (this != &other) {
      reset();
      vtable_ = std::exchange(other.vtable_, nullptr);
      std::memcpy(storage_, other.storage_, kInlineSize);
    }
    return *this;
  }
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;
  ~Message() { reset(); }

  /// Destroys the value, leaving the message empty.
  void reset() noexcept {
    if (vtable_ != nullptr) {
      std::exchange(vtable_, nullptr)->destroy(storage_);
    }
  }

  bool hasValue() const noexcept { return vtable_ != nullptr; }
  explicit operator bool() const noexcept { return hasValue(); }

  /// True when the value's type is exactly T.
  template <typename T>
  bool isExactly() const noexcept {
    return vtable_ != nullptr && vtable_->id == detail::messageTypeId<T>();
  }

  /// True when the value is a T: exactly T, or a type that declares T among its supertypes.
  template <typename T>
  bool is() const noexcept {
    return find(detail::messageTypeId<T>()) != nullptr;
  }

  /// The value as a T, or null when it is not one.
  template <typename T>
  T* getIf() noexcept {
    if (isExactly<T>()) {
      return static_cast<T*>(object());
    }
    const detail::MessageAncestor* a = find(detail::messageTypeId<T>());
    return a == nullptr ? nullptr : static_cast<T*>(a->upcast(object()));
  }
  template <typename T>
  const T* getIf() const noexcept {
    return const_cast<Message*>(this)->getIf<T>();
  }

  /// The value as a T. Throws std::bad_cast when it is not one (a programming error).
  template <typename T>
  T& get() {
    T* p = getIf<T>();
    if (p == nullptr) {
      throw std::bad_cast();
    }
    return *p;
  }
  template <typename T>
  const T& get() const {
    return const_cast<Message*>(this)->get<T>();
  }

  /// Moves the value out as a T and leaves the message empty. Only the exact type can be
  /// taken (a supertype would slice); throws std::bad_cast otherwise.
  template <typename T>
  T take() {
    if (!isExactly<T>()) {
      throw std::bad_cast();
    }
    T value(std::move(*static_cast<T*>(object())));
    reset();
    return value;
  }

  /// The std::type_info of the value, or of void when empty.
  const std::type_info& type() const noexcept {
    return vtable_ == nullptr ? typeid(void) : vtable_->typeInfo();
  }
  /// The demangled name of the value's type, for logs ("sluice::ByteBuf").
  std::string typeName() const;

 private:
  template <typename T>
  static constexpr bool storedInline() {
    return sizeof(T) <= kInlineSize && alignof(T) <= 16 && IsTriviallyRelocatable<T>::value;
  }

  template <typename T>
  static constexpr detail::MessageVTable kVTable = {
      detail::messageTypeId<T>(),
      detail::AncestorTable<T, typename detail::AllTypes<T>::type>::kEntries,
      [](void* storage) noexcept {
        if constexpr (storedInline<T>()) {
          std::launder(reinterpret_cast<T*>(storage))->~T();
        } else {
          delete *reinterpret_cast<T**>(storage);
        }
      },
      []() noexcept -> const std::type_info& { return typeid(T); },
      storedInline<T>(),
  };

  void* object() noexcept {
    return vtable_->isInline ? static_cast<void*>(storage_) : *reinterpret_cast<void**>(storage_);
  }

  const detail::MessageAncestor* find(detail::MessageTypeId id) const noexcept {
    if (vtable_ == nullptr) {
      return nullptr;
    }
    for (const detail::MessageAncestor& a : vtable_->ancestors) {
      if (a.id == id) {
        return &a;
      }
    }
    return nullptr;
  }

  alignas(16) unsigned char storage_[kInlineSize];
  const detail::MessageVTable* vtable_ = nullptr;
};

/// How many bytes a message adds to a channel's outbound buffer, for the water marks:
/// readable bytes of a ByteBuf, a CompositeByteBuf or a ByteBufHolder's content, a small
/// constant for anything else (Netty's DefaultMessageSizeEstimator).
std::size_t estimateMessageSize(const Message& msg) noexcept;

}  // namespace sluice
