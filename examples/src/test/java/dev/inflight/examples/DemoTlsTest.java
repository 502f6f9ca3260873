package dev.inflight.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.inflight.activity.testing.TestCertificate;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTlsTest {

  @TempDir Path dir;

  @Test
  void eachSelfSignedCertificateIsNewAndMadeForTheLoopbackNames() throws Exception {
    DemoTls one = DemoTls.selfSigned();
    DemoTls two = DemoTls.selfSigned();

    X509Certificate c = one.certificate();
    assertThat(c).isNotEqualTo(two.certificate());
    assertThat(one.fingerprint()).isNotEqualTo(two.fingerprint());
    assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
    c.verify(c.getPublicKey()); // self-signed
    assertThat(c.getSubjectAlternativeNames())
        .extracting(name -> (Object) name.get(1))
        .containsExactly("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1");
    assertThat(c.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1"); // serverAuth
    assertThat(c.getNotAfter().toInstant())
        .isBetween(
            Instant.now().plus(Duration.ofDays(DemoTls.SELF_SIGNED_DAYS - 1)),
            Instant.now().plus(Duration.ofDays(DemoTls.SELF_SIGNED_DAYS)));
    assertThat(c.getNotBefore().toInstant()).isBefore(Instant.now());
    assertThat(one.origin()).startsWith("self-signed certificate for localhost, 127.0.0.1, ::1");
  }

  @Test
  void theFingerprintIsSha256InUpperCaseHexPairsSeparatedByColons() {
    assertThat(DemoTls.selfSigned().fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
  }

  @Test
  void aKeyWhosePasswordIsNotTheKeyStoresIsRefusedByName() throws Exception {
    Path file = store("two-passwords.p12", "store-password", "key-password", true);

    assertThatThrownBy(
            () -> DemoTls.load(file, "--tls-keystore='x.p12'", "store-password", "--tls-password"))
        .isInstanceOf(DemoException.class)
        .hasMessage(
            "--tls-keystore='x.p12': the key 'demo' has another password than the key store (use"
                + " one password for both)");
  }

  @Test
  void aKeyStoreWithoutAKeyIsRefused() throws Exception {
    Path file = store("certificate-only.p12", "store-password", "store-password", false);

    assertThatThrownBy(
            () -> DemoTls.load(file, "--tls-keystore='y.p12'", "store-password", "--tls-password"))
        .hasMessage("--tls-keystore='y.p12' holds no private key with an X.509 certificate");
  }

  @Test
  void theDemosOwnClientsTrustItsCertificateAndNoOther() throws Exception {
    DemoSetup setup =
        DemoSetup.resolve(List.of("--tls"), Map.of(), dir).with(0, 0, 0).withoutSweeper();
    try (DemoProxy proxy = DemoProxy.start(setup, Map.of())) {
      HttpRequest models = HttpRequest.newBuilder(proxy.localUri().resolve("/v1/models")).build();

      HttpResponse<String> trusted =
          client(setup.tls().pinnedClientContext())
              .send(models, HttpResponse.BodyHandlers.ofString());
      assertThat(trusted.statusCode()).isEqualTo(200);
      assertThat(trusted.version()).isEqualTo(HttpClient.Version.HTTP_2);

      SSLContext pinnedToAnother = DemoTls.selfSigned().pinnedClientContext();
      assertThatThrownBy(
              () -> client(pinnedToAnother).send(models, HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(SSLHandshakeException.class);
    }
  }

  private static HttpClient client(SSLContext context) {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(context).build();
  }

  /** A PKCS12 file with the test kit's certificate, and its key under its own password or none. */
  private Path store(String name, String storePassword, String keyPassword, boolean withKey)
      throws GeneralSecurityException, IOException {
    TestCertificate cert = TestCertificate.get();
    Key key = cert.keyStore().getKey(TestCertificate.ALIAS, cert.password().toCharArray());
    Certificate certificate = cert.keyStore().getCertificate(TestCertificate.ALIAS);
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    if (withKey) {
      store.setKeyEntry("demo", key, keyPassword.toCharArray(), new Certificate[] {certificate});
    } else {
      store.setCertificateEntry("demo", certificate);
    }
    Path file = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, storePassword.toCharArray());
    }
    return file;
  }
}
