package dev.inflight.activity.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A self-signed certificate for TLS tests, made once per JVM by the running JDK's own {@code
 * keytool} (so nothing beyond the JDK is needed): RSA 2048, {@code CN=localhost}, valid for the
 * names {@code localhost}, {@code 127.0.0.1} and {@code ::1}, in a PKCS12 key store in a temporary
 * directory. Servers load the key store ({@link #keyStorePath()}, {@link #password()}, alias {@link
 * #ALIAS}) or take {@link #serverContext()}; clients trust exactly this certificate through {@link
 * #clientContext()} or {@link #trustManager()}.
 *
 * <pre>{@code
 * SSLContext client = TestCertificate.get().clientContext();
 * }</pre>
 */
public final class TestCertificate {

  /** The key's alias in the key store. */
  public static final String ALIAS = "inflight-test";

  private static final String PASSWORD = "inflight-test-password";
  private static volatile TestCertificate instance;

  private final Path keyStore;
  private final KeyStore store;

  private TestCertificate(Path keyStore) {
    this.keyStore = keyStore;
    try (InputStream in = Files.newInputStream(keyStore)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASSWORD.toCharArray());
      this.store = ks;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("could not load the test key store " + keyStore, e);
    }
  }

  /**
   * The certificate of this JVM, made on first use.
   *
   * @return the certificate
   * @throws IllegalStateException if {@code keytool} fails
   */
  public static TestCertificate get() {
    TestCertificate c = instance;
    if (c == null) {
      synchronized (TestCertificate.class) {
        c = instance;
        if (c == null) {
          c = new TestCertificate(generate());
          instance = c;
        }
      }
    }
    return c;
  }

  /**
   * The PKCS12 key store holding the key and its certificate.
   *
   * @return its path
   */
  public Path keyStorePath() {
    return keyStore;
  }

  /**
   * The password of the key store and of the key.
   *
   * @return the password
   */
  public String password() {
    return PASSWORD;
  }

  /**
   * The loaded key store.
   *
   * @return the key store
   */
  public KeyStore keyStore() {
    return store;
  }

  /**
   * A server's TLS context with this key.
   *
   * @return a new context
   */
  public SSLContext serverContext() {
    try {
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, PASSWORD.toCharArray());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A client's TLS context that trusts this certificate and no other.
   *
   * @return a new context
   */
  public SSLContext clientContext() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new javax.net.ssl.TrustManager[] {trustManager()}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A trust manager that trusts this certificate and no other.
   *
   * @return the trust manager
   */
  public X509TrustManager trustManager() {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      return (X509TrustManager) tmf.getTrustManagers()[0];
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path generate() {
    try {
      Path dir = Files.createTempDirectory("inflight-tls");
      dir.toFile().deleteOnExit();
      Path file = dir.resolve("test.p12");
      Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
      List<String> command =
          List.of(
              keytool.toString(),
              "-genkeypair",
              "-alias",
              ALIAS,
              "-keyalg",
              "RSA",
              "-keysize",
              "2048",
              "-validity",
              "3650",
              "-dname",
              "CN=localhost",
              "-ext",
              "SAN=dns:localhost,ip:127.0.0.1,ip:::1",
              "-storetype",
              "PKCS12",
              "-keystore",
              file.toString(),
              "-storepass",
              PASSWORD,
              "-keypass",
              PASSWORD);
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] output = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(
            "keytool could not make the test certificate: " + new String(output, UTF_8));
      }
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while making the test certificate", e);
    }
  }
}
