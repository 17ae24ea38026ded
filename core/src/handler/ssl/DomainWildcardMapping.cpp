#include <sluice/handler/ssl/DomainWildcardMapping.h>

#include <mutex>
#include <stdexcept>

namespace sluice {

DomainWildcardMapping::DomainWildcardMapping(std::shared_ptr<const SslContext> defaultContext)
    : default_(std::move(defaultContext)) {}

std::string DomainWildcardMapping::normalize(std::string_view hostname) {
  if (!hostname.empty() && hostname.back() == '.') {
    hostname.remove_suffix(1);
  }
  std::string s(hostname);
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return s;
}

DomainWildcardMapping& DomainWildcardMapping::add(std::string hostname,
                                                  std::shared_ptr<const SslContext> context) {
  std::string name = normalize(hostname);
  if (name.empty() || name.find('*', name.rfind("*.", 0) == 0 ? 1 : 0) != std::string::npos) {
    throw std::invalid_argument("DomainWildcardMapping: bad host name \"" + hostname +
                                "\" (a wildcard may only be the first label, as *.example.com)");
  }
  std::unique_lock lock(mutex_);
  entries_[std::move(name)] = std::move(context);
  return *this;
}

bool DomainWildcardMapping::remove(std::string_view hostname) {
  std::unique_lock lock(mutex_);
  return entries_.erase(normalize(hostname)) > 0;
}

void DomainWildcardMapping::setDefault(std::shared_ptr<const SslContext> context) {
  std::unique_lock lock(mutex_);
  default_ = std::move(context);
}

std::shared_ptr<const SslContext> DomainWildcardMapping::map(std::string_view hostname) const {
  const std::string name = normalize(hostname);
  std::shared_lock lock(mutex_);
  if (!name.empty()) {
    if (auto it = entries_.find(name); it != entries_.end()) {
      return it->second;
    }
    // One label below: "www.example.com" -> "*.example.com".
    if (const std::size_t dot = name.find('.'); dot != std::string::npos && dot > 0) {
      // Built by append: g++ 12 at -O3 warns (-Wrestrict, a false positive) about
      // "*" + name.substr(dot).
      std::string wildcard = "*";
      wildcard.append(name, dot);
      if (auto it = entries_.find(wildcard); it != entries_.end()) {
        return it->second;
      }
    }
  }
  return default_;
}

}  // namespace sluice
