package dev.inflight.examples;

import static dev.inflight.examples.DemoProxyTest.WAIT;
import static dev.inflight.examples.DemoProxyTest.awaitDiagnostics;
import static dev.inflight.examples.DemoProxyTest.chat;
import static dev.inflight.examples.DemoProxyTest.instance;
import static dev.inflight.examples.DemoProxyTest.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.json.ActivityView;
import dev.inflight.activity.json.ConnectionView;
import dev.inflight.activity.json.DiagnosticsDocument;
import dev.inflight.activity.json.DiagnosticsJson;
import dev.inflight.activity.testing.Await;
import dev.inflight.activity.testing.TestCertificate;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo started in-process with {@code --tls} (and without it, for h2c), driven by the JDK's
 * HTTP client speaking HTTP/2 over TLS, as {@code curl --http2} does.
 */
class DemoProxyTlsTest {

  @TempDir Path dir;

  private DemoProxy proxy;
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    if (proxy != null) {
      proxy.close();
    }
  }

  private DemoProxy start(Map<String, String> env, int traffic, String... flags) throws Exception {
    DemoSetup setup =
        DemoSetup.resolve(List.of(flags), env, dir).with(0, traffic, 0).withoutSweeper();
    return DemoProxy.start(setup, env);
  }

  /** A client that trusts the given certificate only, checking the host name as browsers do. */
  private static HttpClient trusting(X509Certificate certificate, HttpClient.Version version)
      throws GeneralSecurityException, IOException {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("demo", certificate);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().version(version).sslContext(context).build();
  }

  private static HttpRequest post(URI base, String body, String session) {
    return HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
        .header("Content-Type", "application/json")
        .header(RequestActivity.DEFAULT_SESSION_HEADER, session)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static HttpResponse<String> get(HttpClient client, URI uri)
      throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void overTlsAStreamIsHttp2AndTheDiagnosticsShowItsExactBytes() throws Exception {
    proxy = start(Map.of(), 0, "--enable-activity-tracking", "--tls");
    assertThat(proxy.localUri().getScheme()).isEqualTo("https");
    HttpClient client = trusting(proxy.certificate(), HttpClient.Version.HTTP_2);
    CountDownLatch held = new CountDownLatch(1);
    CompletableFuture<Long> backendSent = new CompletableFuture<>();
    proxy
        .fakeBackend()
        .setStreamHook(
            (model, index) -> {
              if (index == 5) {
                held.countDown();
                release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
              }
            });
    proxy
        .fakeBackend()
        .setResponseListener((model, streaming, bytes) -> backendSent.complete(bytes));

    HttpResponse<InputStream> response =
        client.send(
            post(proxy.localUri(), chat("claude-3-sonnet", true, 40), "session-h2"),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    CompletableFuture<byte[]> received =
        CompletableFuture.supplyAsync(
            () -> {
              try (InputStream in = response.body()) {
                return in.readAllBytes();
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    Await.await(held);

    // the diagnostics, read over the same HTTP/2 connection, while the stream is held open
    DiagnosticsDocument live =
        awaitDiagnostics(
            client,
            proxy,
            d ->
                row(d, "anthropic", "session-h2")
                    .filter(c -> c.bytesRx() > 0 && c.bytesRx() == c.bytesTx())
                    .isPresent());
    ConnectionView c = row(live, "anthropic", "session-h2").orElseThrow();
    assertThat(c.connectionType()).isEqualTo("streaming");
    assertThat(c.model()).isEqualTo("claude-3-sonnet");
    assertThat(instance(live, "anthropic").activity().activeConnections()).isEqualTo(1);

    release.countDown();
    byte[] body = received.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    long sent = backendSent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(new String(body, StandardCharsets.UTF_8))
        .startsWith("data: {")
        .endsWith("data: [DONE]\n\n");
    assertThat(body.length).as("the proxy relays the stream unchanged").isEqualTo(sent);
    DiagnosticsDocument after =
        awaitDiagnostics(
            client, proxy, d -> instance(d, "anthropic").activity().completedConnections() == 1);
    ActivityView a = instance(after, "anthropic").activity();
    assertThat(a.connections()).isEmpty();
    assertThat(a.cumulativeBytesRx()).as("bytes_rx = what the backend sent").isEqualTo(sent);
    assertThat(a.cumulativeBytesTx())
        .as("bytes_tx = what the client received over HTTP/2")
        .isEqualTo(body.length);
  }

  @Test
  void theCertificateIsMadeForTheLoopbackNamesAndTheBannerPrintsItsFingerprint() throws Exception {
    proxy = start(Map.of(), 0, "--tls");
    X509Certificate certificate = proxy.certificate();

    assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
    assertThat(certificate.getSubjectAlternativeNames())
        .extracting(name -> (Object) name.get(1))
        .containsExactly("localhost", "127.0.0.1", "0:0:0:0:0:0:0:1");
    assertThat(certificate.getBasicConstraints()).as("not a CA").isEqualTo(-1);
    certificate.checkValidity();
    String fingerprint =
        HexFormat.ofDelimiter(":")
            .withUpperCase()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    assertThat(proxy.banner())
        .startsWith("inflight demo proxy listening on https://127.0.0.1:" + proxy.port())
        .contains("TLS: self-signed certificate for localhost, 127.0.0.1, ::1")
        .contains("certificate SHA-256 fingerprint: " + fingerprint + "\n")
        .contains("curl --http2 -k https://localhost:" + proxy.port() + "/v1/diagnostics\n")
        .contains("curl --http2 -k -N https://localhost:" + proxy.port() + "/v1/chat/completions")
        .contains("Live page: https://localhost:" + proxy.port() + "/v1/diagnostics/ui");

    // reached by its other names too, with the host name checked
    HttpClient client = trusting(certificate, HttpClient.Version.HTTP_2);
    for (String host : List.of("localhost", "127.0.0.1")) {
      HttpResponse<String> models =
          get(client, URI.create("https://" + host + ":" + proxy.port() + "/v1/models"));
      assertThat(models.statusCode()).as(host).isEqualTo(200);
      assertThat(models.version()).as(host).isEqualTo(HttpClient.Version.HTTP_2);
    }
  }

  @Test
  void aClientThatChecksNoCertificateNegotiatesHttp2AndAnHttp11ClientIsServedToo()
      throws Exception {
    proxy = start(Map.of(), 0, "--enable-activity-tracking", "--tls");
    // what curl --http2 -k does: offer h2 and http/1.1 by ALPN, accept any certificate
    SSLContext insecure = SSLContext.getInstance("TLS");
    insecure.init(null, new TrustManager[] {new TrustingAll()}, null);
    HttpClient curlK =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(insecure).build();
    HttpResponse<String> h2 =
        curlK.send(post(proxy.localUri(), chat("gpt-4", true, 5), "k"), ofString());
    assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(h2.statusCode()).isEqualTo(200);
    assertThat(h2.body()).endsWith("data: [DONE]\n\n");

    HttpClient http11 = trusting(proxy.certificate(), HttpClient.Version.HTTP_1_1);
    HttpResponse<String> h1 =
        http11.send(post(proxy.localUri(), chat("gpt-4", false, 5), "one"), ofString());
    assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(h1.statusCode()).isEqualTo(200);
    Await.until("both requests ended", () -> proxy.tracker().activeConnections() == 0);
    assertThat(DemoProxyTest.diagnostics(http11, proxy).globalActivity().completedConnections())
        .isEqualTo(2);
  }

  @Test
  void aGivenKeyStoreIsServed() throws Exception {
    TestCertificate cert = TestCertificate.get();
    proxy =
        start(
            Map.of(DemoTls.PASSWORD_ENV, cert.password()),
            0,
            "--tls",
            "--tls-keystore",
            cert.keyStorePath().toString());
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .sslContext(cert.clientContext())
            .build();

    HttpResponse<String> r =
        client.send(post(proxy.localUri(), chat("gpt-4o", false, 5), "given"), ofString());

    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(r.statusCode()).isEqualTo(200);
    Certificate served = r.sslSession().orElseThrow().getPeerCertificates()[0];
    assertThat(served).isEqualTo(cert.keyStore().getCertificate(TestCertificate.ALIAS));
    assertThat(proxy.banner())
        .contains("TLS: key store " + cert.keyStorePath())
        .contains(
            "certificate SHA-256 fingerprint: "
                + DemoTls.fingerprint((X509Certificate) served)
                + "\n");
  }

  @Test
  void withTlsTheDiagnosticsPortStaysPlainHttpOnLoopback() throws Exception {
    proxy = start(Map.of(), 0, "--enable-activity-tracking", "--tls", "--diagnostics-port", "0");
    HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpClient tls = trusting(proxy.certificate(), HttpClient.Version.HTTP_2);

    assertThat(proxy.diagnosticsUri().toString())
        .isEqualTo("http://127.0.0.1:" + proxy.diagnosticsPort() + "/");
    HttpResponse<String> diagnostics =
        get(plain, proxy.diagnosticsUri().resolve("/v1/diagnostics"));
    assertThat(diagnostics.statusCode()).isEqualTo(200);
    assertThat(DiagnosticsJson.parseDiagnostics(diagnostics.body()).activityTrackingEnabled())
        .isTrue();
    HttpResponse<String> onTheListenPort = get(tls, proxy.localUri().resolve("/v1/diagnostics"));
    assertThat(onTheListenPort.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(onTheListenPort.statusCode()).isEqualTo(404);
    assertThat(proxy.banner())
        .contains(
            "diagnostics and live page on http://127.0.0.1:"
                + proxy.diagnosticsPort()
                + " only, plain HTTP")
        .contains("bin/inspect-activity http://localhost:" + proxy.diagnosticsPort() + " --watch")
        .contains("curl http://localhost:" + proxy.diagnosticsPort() + "/v1/diagnostics\n");
  }

  @Test
  void theSimulatedClientsSpeakHttp2ToATlsProxy() throws Exception {
    proxy = start(Map.of(), 2, "--enable-activity-tracking", "--tls");
    HttpClient client = trusting(proxy.certificate(), HttpClient.Version.HTTP_2);

    DiagnosticsDocument d =
        awaitDiagnostics(client, proxy, x -> x.globalActivity().completedConnections() >= 2);

    assertThat(d.globalActivity().cumulativeBytesTx()).isPositive();
  }

  @Test
  void withoutTlsTheListenPortSpeaksH2cByPriorKnowledgeAndByUpgrade() throws Exception {
    proxy = start(Map.of(), 0);
    assertThat(proxy.localUri().getScheme()).isEqualTo("http");
    assertThat(proxy.certificate()).isNull();
    assertThat(proxy.banner()).startsWith("inflight demo proxy listening on http://");

    // prior knowledge (curl --http2-prior-knowledge): the connection preface, then SETTINGS
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      socket.setSoTimeout((int) WAIT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[] {0, 0, 0, 0x4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
      out.flush();
      byte[] header = new byte[9];
      new DataInputStream(socket.getInputStream()).readFully(header);
      assertThat(header[3]).as("the server's first frame is SETTINGS").isEqualTo((byte) 0x4);
      assertThat(header[4] & 0x1).as("not an ACK").isZero();
    }

    // upgrade from HTTP/1.1 (the JDK client's way to h2c), for a request without a body
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> models = get(client, proxy.localUri().resolve("/v1/models"));
    assertThat(models.statusCode()).isEqualTo(200);
    assertThat(models.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(models.body()).contains("\"gpt-4\"");
  }

  private static HttpResponse.BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString();
  }

  /** Accepts every server certificate, as {@code curl -k} does. */
  private static final class TrustingAll extends X509ExtendedTrustManager {
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
