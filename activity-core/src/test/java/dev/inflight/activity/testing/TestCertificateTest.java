package dev.inflight.activity.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

class TestCertificateTest {

  @Test
  void aClientTrustingTheCertificateCompletesAHandshakeWithAServerUsingIt() throws Exception {
    TestCertificate cert = TestCertificate.get();
    assertThat(cert.keyStore().containsAlias(TestCertificate.ALIAS)).isTrue();
    assertThat(handshake(cert.serverContext(), cert.clientContext())).isEqualTo("CN=localhost");
  }

  @Test
  void theDefaultTrustStoreRefusesIt() {
    TestCertificate cert = TestCertificate.get();
    assertThatThrownBy(() -> handshake(cert.serverContext(), SSLContext.getDefault()))
        .isInstanceOf(SSLHandshakeException.class);
  }

  private static String handshake(SSLContext server, SSLContext client) throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (SSLServerSocket listener =
        (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1, loopback)) {
      CompletableFuture<Void> accepted =
          CompletableFuture.runAsync(
              () -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                  s.startHandshake();
                } catch (IOException e) {
                  // the client's refusal ends the server's handshake too
                }
              });
      try (SSLSocket s =
          (SSLSocket) client.getSocketFactory().createSocket(loopback, listener.getLocalPort())) {
        s.startHandshake();
        return s.getSession().getPeerPrincipal().getName();
      } finally {
        accepted.join();
      }
    }
  }
}
