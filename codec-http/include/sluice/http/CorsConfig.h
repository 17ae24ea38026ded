#pragma once

#include <sluice/http/HttpMethod.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::http {

/// What a CorsHandler allows (Netty's CorsConfig, built here with designated initializers
/// instead of CorsConfigBuilder):
///
/// ```cpp
/// p.addLast<sluice::http::CorsHandler>(sluice::http::CorsConfig{
///     .origins = {"https://app.example"},
///     .allowCredentials = true,
///     .allowedRequestMethods = {HttpMethod::kGet, HttpMethod::kPut},
///     .allowedRequestHeaders = {"content-type", "x-requested-with"},
///     .exposedHeaders = {"x-request-id"},
///     .maxAge = std::chrono::minutes(10),
/// });
/// ```
///
/// Netty's builder calls map to fields: forOrigin(o) / forOrigins(...) is `.origins`,
/// forAnyOrigin() is `.anyOrigin = true`, allowNullOrigin(), allowCredentials(),
/// exposeHeaders(...), maxAge(s), allowedRequestMethods(...), allowedRequestHeaders(...),
/// preflightResponseHeader(name, value), allowPrivateNetwork(), shortCircuit() and disable()
/// (`.enabled = false`) are the fields of the same names. Designated initializers must follow
/// the order of the fields below.
///
/// Every list may be empty; a CorsConfig{} allows no origin at all. The CorsHandler checks
/// the header names and values when it is constructed.
struct CorsConfig {
  /// The origins allowed, as browsers serialise them ("https://app.example:8443": scheme,
  /// host and port, no path), compared byte for byte. "*" among them means any origin, as
  /// Netty's forOrigin("*").
  std::vector<std::string> origins{};
  /// Any origin is allowed: answered "*", or, with credentials, its own origin echoed.
  bool anyOrigin = false;
  /// The "null" origin (a page from a file, a sandboxed frame, a redirect across origins) is
  /// allowed and answered "null". Such an origin cannot be told apart from another one, so
  /// allow it only for resources that any page may read.
  bool allowNullOrigin = false;
  /// Requests may carry cookies and HTTP authentication: responses say
  /// "Access-Control-Allow-Credentials: true". The Fetch standard forbids "*" with
  /// credentials, so the request's origin is echoed instead.
  bool allowCredentials = false;
  /// Methods a preflight allows, beyond the CORS-safelisted GET, HEAD and POST
  /// (Access-Control-Allow-Methods).
  std::vector<HttpMethod> allowedRequestMethods{};
  /// Request header names a preflight allows, beyond the CORS-safelisted ones
  /// (Access-Control-Allow-Headers).
  std::vector<std::string> allowedRequestHeaders{};
  /// Response header names scripts may read, beyond the CORS-safelisted ones
  /// (Access-Control-Expose-Headers), added to actual responses.
  std::vector<std::string> exposedHeaders{};
  /// How long a browser may cache a preflight's answer (Access-Control-Max-Age). Absent by
  /// default, which lets browsers use their own default (5 s); Netty sends 0.
  std::optional<std::chrono::seconds> maxAge{};
  /// More fields for every preflight response, for intermediaries that want them (Netty's
  /// preflightResponseHeader). Unlike Netty, no Date field is added by default.
  std::vector<std::pair<std::string, std::string>> preflightResponseHeaders{};
  /// Answers a preflight that carries "Access-Control-Request-Private-Network: true" with
  /// "Access-Control-Allow-Private-Network: true" (Private Network Access).
  bool allowPrivateNetwork = false;
  /// A request, preflight or not, from an origin that is not allowed is answered
  /// "403 Forbidden" by the handler and never reaches the handlers after it. Off, such a
  /// request is passed on and its response simply carries no CORS fields, which the browser
  /// then refuses to show to the page.
  bool shortCircuit = false;
  /// False turns the handler into a pass-through (Netty's disable()).
  bool enabled = true;
};

}  // namespace sluice::http
