package dev.inflight.examples;

import java.io.IOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.HexFormat;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The demo's TLS key and certificate: either a self-signed certificate made at start (EC P-256,
 * {@code CN=localhost}, valid for {@code localhost}, {@code 127.0.0.1} and {@code ::1} for {@value
 * #SELF_SIGNED_DAYS} days; BouncyCastle builds it, the JDK signs it), or the first key of a PKCS12
 * or JKS key store whose key password is the store's.
 *
 * <p>A key store is opened when the options are resolved, so a missing file, a wrong password or a
 * file that is no key store is one line naming where the path and the password came from (never the
 * password itself).
 */
final class DemoTls {

  /** The environment variable holding the key store's password when no flag gives it. */
  static final String PASSWORD_ENV = "INFLIGHT_DEMO_TLS_KEYSTORE_PASSWORD";

  static final int SELF_SIGNED_DAYS = 30;
  static final String SELF_SIGNED_ALIAS = "inflight-demo";

  private final KeyStore keyStore;
  private final String password;
  private final X509Certificate certificate;
  private final String origin;

  private DemoTls(KeyStore keyStore, String password, X509Certificate certificate, String origin) {
    this.keyStore = keyStore;
    this.password = password;
    this.certificate = certificate;
    this.origin = origin;
  }

  /**
   * Makes a new key pair and a self-signed certificate for the loopback names.
   *
   * @return the key and certificate, in a key store held in memory
   * @throws IllegalStateException if the JDK lacks EC keys or ECDSA signatures
   */
  static DemoTls selfSigned() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      X500Name name = new X500Name("CN=localhost");
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              new BigInteger(64, new SecureRandom()).add(BigInteger.ONE),
              Date.from(now.minus(Duration.ofHours(1))), // a little slack for clocks
              Date.from(now.plus(Duration.ofDays(SELF_SIGNED_DAYS))),
              name,
              pair.getPublic());
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")
              }));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
      // the key never leaves this process: a password only because key stores need one
      String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(
          SELF_SIGNED_ALIAS,
          pair.getPrivate(),
          password.toCharArray(),
          new Certificate[] {certificate});
      return new DemoTls(
          store,
          password,
          certificate,
          "self-signed certificate for localhost, 127.0.0.1, ::1 (made at start, valid "
              + SELF_SIGNED_DAYS
              + " days)");
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make a self-signed certificate: " + e, e);
    }
  }

  /**
   * Opens a key store and checks that its first key can be read with the password.
   *
   * @param file the key store (PKCS12 or JKS)
   * @param fileSource how messages name the path: {@code --tls-keystore='PATH'} or {@code config
   *     file C: tls_keystore='PATH'}
   * @param password the password of the store and of its key
   * @param passwordSource how messages name the password's source, e.g. {@code
   *     --tls-keystore-password}
   * @return the key and certificate
   * @throws DemoException naming both sources when the file is missing, not a key store, holds no
   *     key, or the password does not open it
   */
  static DemoTls load(Path file, String fileSource, String password, String passwordSource)
      throws DemoException {
    if (!Files.isRegularFile(file)) {
      throw new DemoException(
          fileSource + (Files.exists(file) ? " is not a file" : " does not exist"));
    }
    KeyStore store;
    try {
      store = KeyStore.getInstance(file.toFile(), password.toCharArray());
    } catch (KeyStoreException e) {
      throw new DemoException(fileSource + " is not a PKCS12 or JKS key store");
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new DemoException(wrongPassword(fileSource, passwordSource));
      }
      throw new DemoException(fileSource + " cannot be read as a key store: " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new DemoException(fileSource + " cannot be read as a key store: " + e.getMessage());
    }
    try {
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)
            && store.getCertificate(alias) instanceof X509Certificate certificate) {
          try {
            store.getKey(alias, password.toCharArray());
          } catch (UnrecoverableKeyException e) {
            throw new DemoException(
                fileSource
                    + ": the key '"
                    + alias
                    + "' has another password than the key store (use one password for both)");
          }
          return new DemoTls(store, password, certificate, "key store " + file);
        }
      }
    } catch (KeyStoreException | NoSuchAlgorithmException e) {
      throw new DemoException(fileSource + " cannot be read as a key store: " + e.getMessage());
    }
    throw new DemoException(fileSource + " holds no private key with an X.509 certificate");
  }

  private static String wrongPassword(String fileSource, String passwordSource) {
    return fileSource + " does not open with the password from " + passwordSource;
  }

  /**
   * Jetty's TLS settings for this key: TLS 1.2 and 1.3, HTTP/2's preferred ciphers first.
   *
   * @return a new, unstarted factory
   */
  SslContextFactory.Server serverContextFactory() {
    SslContextFactory.Server factory = new SslContextFactory.Server();
    factory.setKeyStore(keyStore);
    factory.setKeyStorePassword(password);
    factory.setKeyManagerPassword(password);
    factory.setCipherComparator(HTTP2Cipher.COMPARATOR);
    return factory;
  }

  /**
   * A client TLS context that trusts exactly this certificate, whatever host name it is reached by
   * (the demo's own simulated clients call {@code 127.0.0.1}, which a given key store's certificate
   * may not name).
   *
   * @return a new context
   */
  SSLContext pinnedClientContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new Pinned(certificate)}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The server's certificate. */
  X509Certificate certificate() {
    return certificate;
  }

  /** Where the key came from, for the banner. */
  String origin() {
    return origin;
  }

  /**
   * The certificate's SHA-256 fingerprint as {@code openssl x509 -fingerprint -sha256} and {@code
   * keytool} print it: upper-case hex pairs separated by colons.
   *
   * @return the fingerprint
   */
  String fingerprint() {
    return fingerprint(certificate);
  }

  static String fingerprint(X509Certificate certificate) {
    try {
      return HexFormat.ofDelimiter(":")
          .withUpperCase()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Trusts one certificate, by its encoded form, and nothing else. */
  private static final class Pinned extends X509ExtendedTrustManager {
    private final X509Certificate pinned;

    Pinned(X509Certificate pinned) {
      this.pinned = Objects.requireNonNull(pinned);
    }

    private void check(X509Certificate[] chain) throws CertificateException {
      if (chain.length == 0 || !chain[0].equals(pinned)) {
        throw new CertificateException("not the demo's certificate");
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("a client-side trust manager");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("a client-side trust manager");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("a client-side trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[] {pinned};
    }
  }
}
