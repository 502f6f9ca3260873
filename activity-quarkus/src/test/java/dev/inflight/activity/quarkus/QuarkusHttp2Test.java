package dev.inflight.activity.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndedConnection;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.testing.H2TestClient.Exchange;
import dev.inflight.activity.testing.Http2Contract;
import dev.inflight.activity.vertx.VertxActivity;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jspecify.annotations.Nullable;

/**
 * The test kit's HTTP/2 cases (one stream, a reset among ten, a storm of streams with random
 * resets, a dropped socket, a joined session) against the Quarkus application's own HTTP server,
 * over h2c with prior knowledge on its HTTP port and h2 over TLS (ALPN) on its TLS port, with the
 * tracker the application made. The application writes each chunk from a thread of its own and
 * waits for the write's future, as {@code ActivityHandlerHttp2Test} does on Vert.x.
 */
@QuarkusTest
@WithTestResource(value = TlsKeyStore.class, scope = TestResourceScope.GLOBAL)
class QuarkusHttp2Test extends Http2Contract {

  private static volatile @Nullable QuarkusHttp2Test current;
  private static final ExecutorService WRITERS = Executors.newCachedThreadPool();

  @Override
  protected Server start() {
    current = this;
    ActivityTracker tracker = Arc.container().instance(ActivityTracker.class).get();
    int h2c = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    int tls = ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class);
    return new Server(h2c, tls, tracker, () -> current = null); // the application stops itself
  }

  /** Serves {@code /fixed} and {@code /gated} for the running case. */
  static void serve(RoutingContext ctx) {
    QuarkusHttp2Test test = current;
    if (test == null) {
      ctx.fail(503);
      return;
    }
    assertThat(ctx.request().version()).isEqualTo(HttpVersion.HTTP_2);
    Stream stream =
        test.stream(
            name -> ctx.request().getParam(name),
            ctx.request().getHeader(RequestActivity.DEFAULT_SESSION_HEADER));
    VertxActivity.of(ctx).attach(stream.backend(), MODEL, ConnectionType.STREAMING);
    HttpServerResponse response = ctx.response();
    response.putHeader("Content-Type", "application/octet-stream");
    WRITERS.execute(() -> writeAll(stream, response));
  }

  private static void writeAll(Stream stream, HttpServerResponse response) {
    Outcome outcome = Outcome.FAILED;
    try {
      for (int i = 0; stream.hasChunk(i); i++) {
        stream.awaitTurn(i);
        await(response.write(Buffer.buffer(stream.chunk())));
        stream.accepted();
      }
      await(response.end());
      outcome = Outcome.RETURNED;
    } catch (RuntimeException e) {
      // a write failed (the stream was reset, the connection dropped) or was refused
    } finally {
      stream.end(outcome);
    }
  }

  private static void await(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** TX is what the response handed to the stream: see {@link Http2Contract#assertHandedOverTx}. */
  @Override
  protected void assertAbortedTx(EndedConnection row, long accepted, Exchange exchange) {
    assertHandedOverTx(row.bytesTx(), accepted, exchange, "TX of the aborted row " + row);
  }

  /** The kept stream's DATA bytes exactly, plus the reset stream's TX within those bounds. */
  @Override
  protected void assertAbortedJoinedTx(
      EndedConnection row, long keptBytes, long resetAccepted, Exchange reset) {
    assertHandedOverTx(
        row.bytesTx() - keptBytes, resetAccepted, reset, "TX of the reset stream of " + row);
  }
}
