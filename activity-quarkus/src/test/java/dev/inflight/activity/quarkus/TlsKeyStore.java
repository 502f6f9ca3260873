package dev.inflight.activity.quarkus;

import dev.inflight.activity.testing.TestCertificate;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Gives the application the test kit's certificate through Quarkus's TLS registry, so that its HTTP
 * server also speaks h2 over TLS (ALPN) on a port of its own.
 */
public final class TlsKeyStore implements QuarkusTestResourceLifecycleManager {

  /** For Quarkus. */
  public TlsKeyStore() {}

  @Override
  public Map<String, String> start() {
    TestCertificate certificate = TestCertificate.get();
    return Map.of(
        "quarkus.tls.key-store.p12.path", certificate.keyStorePath().toString(),
        "quarkus.tls.key-store.p12.password", certificate.password(),
        "quarkus.tls.key-store.p12.alias", TestCertificate.ALIAS,
        "quarkus.tls.key-store.p12.alias-password", certificate.password(),
        "quarkus.http.test-ssl-port", "0");
  }

  @Override
  public void stop() {}
}
