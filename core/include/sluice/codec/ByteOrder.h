#pragma once

namespace sluice {

/// The byte order of a multi-byte field on the wire (Java's ByteOrder). Network order is
/// BigEndian, the default everywhere.
enum class ByteOrder { BigEndian, LittleEndian };

}  // namespace sluice
