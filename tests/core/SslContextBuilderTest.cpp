#include <sluice/handler/ssl/SelfSignedCertificate.h>
#include <sluice/handler/ssl/SslContextBuilder.h>
#include <sluice/handler/ssl/SslHandler.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/SluiceTest.h"
#include "support/SslTestUtil.h"

namespace sluice {
namespace {

using testing::pump;
using testing::SslEnd;
using testing::TestPki;

/// A scratch folder holding the test PKI as files, removed at the end.
class SslContextBuilderTest : public testing::SluiceTest {
 protected:
  void SetUp() override {
    SluiceTest::SetUp();
    char tmpl[] = "/tmp/sluice-ssl-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    write("ca.pem", pki().ca.certificatePem());
    write("server.pem", pki().server.certificatePem());
    write("server.key", pki().server.privateKeyPem());
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    SluiceTest::TearDown();
  }

  static const TestPki& pki() {
    static const TestPki p;
    return p;
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  void write(const std::string& name, const std::string& contents) const {
    std::ofstream(path(name), std::ios::binary) << contents;
  }
  /// Runs the openssl command (from Debian's openssl package) in the scratch folder.
  void openssl(const std::string& args) const {
    const std::string command = "cd " + dir_ + " && openssl " + args + " 2>openssl.err";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }

  /// True when a client trusting the test CA completes a handshake with `server`.
  static bool handshakes(const std::shared_ptr<const SslContext>& server) {
    auto client = pki().clientBuilder().build();
    SslEnd s(server->newHandler());
    SslEnd c(client->newHandler("localhost", 443));
    pump(c, s);
    return c.handler->handshakeFuture().isSuccess() && c.handler->peerSubject() == "CN=localhost";
  }

  static Error buildError(const SslContextBuilder& builder) {
    try {
      builder.build();
    } catch (const ErrorException& e) {
      return e.error();
    }
    return {};
  }

  std::string dir_;
};

TEST_F(SslContextBuilderTest, LoadsPemFilesAndPemText) {
  // [docs:ssl-server-context]
  auto fromFiles = SslContextBuilder::forServer(path("server.pem"), path("server.key")).build();
  // [docs:end]
  EXPECT_TRUE(fromFiles->isServer());
  EXPECT_TRUE(handshakes(fromFiles));
  auto fromText =
      SslContextBuilder::forServer(pki().server.certificatePem(), pki().server.privateKeyPem())
          .build();
  EXPECT_TRUE(handshakes(fromText));
}

TEST_F(SslContextBuilderTest, TrustsACaFileOrDirectory) {
  auto server = pki().serverBuilder().build();
  openssl("rehash -compat .");  // hashed names for the directory lookup
  for (const std::string& trust : {path("ca.pem"), dir_}) {
    auto client = SslContextBuilder::forClient().trustManager(trust).build();
    SslEnd s(server->newHandler());
    SslEnd c(client->newHandler("localhost", 443));
    pump(c, s);
    EXPECT_TRUE(c.handler->handshakeFuture().isSuccess()) << trust;
  }
}

TEST_F(SslContextBuilderTest, RsaCertificateWorksToo) {
  SelfSignedCertificate rsa = pki().ca.issue({.keyType = CertificateKeyType::Rsa2048});
  EXPECT_NE(rsa.privateKeyPem().find("BEGIN PRIVATE KEY"), std::string::npos);
  auto server = SslContextBuilder::forServer(rsa.certificateFile(), rsa.privateKeyFile()).build();
  EXPECT_TRUE(handshakes(server));
}

TEST_F(SslContextBuilderTest, EncryptedKeyNeedsItsPassword) {
  openssl("pkey -in server.key -aes256 -passout pass:s3cret -out server-enc.key");
  auto server =
      SslContextBuilder::forServer(path("server.pem"), path("server-enc.key"), "s3cret").build();
  EXPECT_TRUE(handshakes(server));
  Error noPassword =
      buildError(SslContextBuilder::forServer(path("server.pem"), path("server-enc.key")));
  EXPECT_EQ(noPassword.code(), SslErrc::WrongPassword);
  EXPECT_EQ(noPassword.message().rfind("the private key is encrypted and no password was given", 0),
            0U)
      << noPassword.message();
  Error wrong =
      buildError(SslContextBuilder::forServer(path("server.pem"), path("server-enc.key"), "guess"));
  EXPECT_EQ(wrong.code(), SslErrc::WrongPassword);
  EXPECT_TRUE(wrong.code() == std::errc::invalid_argument);
}

TEST_F(SslContextBuilderTest, RefusesUnusableKeyMaterial) {
  Error missing = buildError(SslContextBuilder::forServer("/nonexistent/cert.pem", "k.pem"));
  EXPECT_EQ(missing.code(), SslErrc::InvalidConfiguration);
  EXPECT_EQ(missing.message(), "cannot read certificate file /nonexistent/cert.pem");
  Error mismatch = buildError(
      SslContextBuilder::forServer(pki().server.certificatePem(), pki().client.privateKeyPem()));
  EXPECT_EQ(mismatch.code(), SslErrc::InvalidConfiguration);
  EXPECT_EQ(mismatch.message().rfind("cannot use the private key", 0), 0U) << mismatch.message();
  Error noKey = buildError(
      SslContextBuilder::forServer(pki().server.certificatePem(), "-----BEGIN nothing-----"));
  EXPECT_EQ(noKey.code(), SslErrc::InvalidConfiguration);
}

TEST_F(SslContextBuilderTest, RefusesBadSettings) {
  const auto message = [&](const SslContextBuilder& b) { return buildError(b).message(); };
  EXPECT_EQ(message(SslContextBuilder::forClient().protocols({"SSLv3"})),
            "unknown TLS protocol \"SSLv3\" (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)");
  EXPECT_EQ(buildError(SslContextBuilder::forClient().protocols({"TLSv1.1", "TLSv1.3"})).code(),
            SslErrc::InvalidConfiguration);
  EXPECT_EQ(buildError(SslContextBuilder::forClient().ciphers("NO-SUCH-CIPHER")).code(),
            SslErrc::InvalidConfiguration);
  EXPECT_EQ(buildError(SslContextBuilder::forClient().groups("P-1")).code(),
            SslErrc::InvalidConfiguration);
  EXPECT_EQ(buildError(SslContextBuilder::forClient().applicationProtocols({""})).code(),
            SslErrc::InvalidConfiguration);
}

TEST_F(SslContextBuilderTest, LoadsAPkcs12BundleWithItsPassword) {
  // What `keytool -genkeypair -storetype PKCS12` or `openssl pkcs12 -export` makes.
  openssl(
      "pkcs12 -export -in server.pem -inkey server.key -certfile ca.pem -name server "
      "-passout pass:changeit -out server.p12");
  // [docs:ssl-pkcs12]
  auto server = SslContextBuilder::forServerPkcs12(path("server.p12"), "changeit").build();
  // [docs:end]
  EXPECT_TRUE(handshakes(server));
  Error wrong = buildError(SslContextBuilder::forServerPkcs12(path("server.p12"), "guess"));
  EXPECT_EQ(wrong.code(), SslErrc::WrongPassword);
}

TEST_F(SslContextBuilderTest, LoadsALegacyPkcs12Bundle) {
  // RC2 and 3DES, as keytool wrote before Java 9; OpenSSL 3 keeps them in its legacy provider.
  openssl(
      "pkcs12 -export -legacy -in server.pem -inkey server.key -passout pass:changeit "
      "-out legacy.p12");
  auto server = SslContextBuilder::forServerPkcs12(path("legacy.p12"), "changeit").build();
  EXPECT_TRUE(handshakes(server));
}

TEST_F(SslContextBuilderTest, RefusesJksWithTheCommandThatConvertsIt) {
  // A Java KeyStore starts with the magic number 0xFEEDFEED.
  write("keystore.jks", std::string("\xFE\xED\xFE\xED\x00\x00\x00\x02", 8) + "rest");
  Error e = buildError(SslContextBuilder::forServerPkcs12(path("keystore.jks"), "changeit"));
  EXPECT_EQ(e.code(), SslErrc::UnsupportedKeyStore);
  EXPECT_EQ(e.message(),
            path("keystore.jks") +
                " is a Java JKS key store, which OpenSSL cannot read; convert it to PKCS#12 with: "
                "keytool -importkeystore -srckeystore " +
                path("keystore.jks") + " -srcstoretype JKS -destkeystore " + path("keystore.jks") +
                ".p12 -deststoretype PKCS12");
  write("garbage.p12", "not a bundle");
  EXPECT_EQ(buildError(SslContextBuilder::forServerPkcs12(path("garbage.p12"), "x")).code(),
            SslErrc::InvalidConfiguration);
}

TEST_F(SslContextBuilderTest, ClientCertificateFromPkcs12) {
  write("client.pem", pki().client.certificatePem());
  write("client.key", pki().client.privateKeyPem());
  openssl("pkcs12 -export -in client.pem -inkey client.key -passout pass:changeit -out client.p12");
  auto server =
      pki().serverBuilder().trustManager(path("ca.pem")).clientAuth(ClientAuth::Require).build();
  auto client = pki().clientBuilder().keyManagerPkcs12(path("client.p12"), "changeit").build();
  SslEnd s(server->newHandler());
  SslEnd c(client->newHandler("localhost", 443));
  pump(c, s);
  ASSERT_TRUE(s.handler->handshakeFuture().isSuccess());
  EXPECT_EQ(s.handler->peerSubject(), "CN=test client");
}

TEST_F(SslContextBuilderTest, SelfSignedCertificateFilesAreRemovedWithIt) {
  std::string certFile;
  std::string keyFile;
  {
    SelfSignedCertificate cert;
    certFile = cert.certificateFile();
    keyFile = cert.privateKeyFile();
    EXPECT_TRUE(std::filesystem::exists(certFile));
    EXPECT_EQ(std::filesystem::status(keyFile).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_EQ(cert.subject(), "CN=localhost");
  }
  EXPECT_FALSE(std::filesystem::exists(certFile));
  EXPECT_FALSE(std::filesystem::exists(keyFile));
  EXPECT_THROW(SelfSignedCertificate().issue({}), std::logic_error);
}

}  // namespace
}  // namespace sluice
