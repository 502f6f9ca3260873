package dev.inflight.activity.servlet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.EndCounts;
import dev.inflight.activity.servlet.testing.ServletContainer.ServletMount;
import dev.inflight.activity.testing.Await;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Streams and asynchronous responses: SSE events counted as they go out, async writes from other
 * threads, non-blocking writes.
 */
abstract class StreamingContract extends ContainerContract {

  @ParameterizedTest
  @EnumSource(Output.class)
  void sseEventsArriveAtOnceAndTheRowGrowsWhileTheStreamIsOpen(Output output) throws Exception {
    int events = 5;
    Semaphore next = new Semaphore(0);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentType("text/event-stream; charset=UTF-8");
              for (int i = 0; i < events; i++) {
                byte[] e = event(i);
                if (output == Output.STREAM) {
                  res.getOutputStream().write(e);
                  res.getOutputStream().flush();
                } else {
                  res.getWriter().write(new String(e, UTF_8));
                  res.getWriter().flush();
                }
                acquire(next);
              }
            }));

    HttpResponse<InputStream> r = CLIENT.send(get("/sse", "s-sse"), BodyHandlers.ofInputStream());
    long received = 0;
    try (InputStream in = r.body()) {
      for (int i = 0; i < events; i++) {
        // the servlet waits for us before the next event: a buffering wrapper would hang here
        byte[] e = readEvent(in);
        assertThat(e).isEqualTo(event(i));
        received += e.length;
        long expected = received;
        Await.until("row shows " + expected + " bytes", () -> rowTx("s-sse") == expected);
        assertThat(row("s-sse").orElseThrow().type()).isEqualTo(ConnectionType.STREAMING);
        assertThat(diagnosticsBytesTx("s-sse")).isEqualTo(expected);
        next.release();
      }
      assertThat(in.read()).isEqualTo(-1);
    }
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(received);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void asyncStreamFromAnotherThreadKeepsItsRowAfterTheServletReturns() throws Exception {
    int events = 4;
    Semaphore next = new Semaphore(0);
    CountDownLatch chainReturned = new CountDownLatch(1);
    Filter outer =
        (req, res, chain) -> {
          chain.doFilter(req, res);
          chainReturned.countDown();
        };
    HttpServlet streaming =
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentType("text/event-stream");
              AsyncContext async = req.startAsync();
              async.setTimeout(0);
              workers.submit(
                  () -> {
                    try {
                      Await.await(chainReturned);
                      // the AsyncContext's response is the tracked one: these bytes count
                      ServletOutputStream out = async.getResponse().getOutputStream();
                      for (int i = 0; i < events; i++) {
                        out.write(event(i));
                        out.flush();
                        acquire(next);
                      }
                    } finally {
                      async.complete();
                    }
                    return null;
                  });
            });
    deploy(
        List.of(mount(outer), mount(trackingFilter())), List.of(new ServletMount(streaming, "/*")));

    HttpResponse<InputStream> r =
        CLIENT.send(get("/async", "s-async"), BodyHandlers.ofInputStream());
    long received = 0;
    try (InputStream in = r.body()) {
      for (int i = 0; i < events; i++) {
        byte[] e = readEvent(in);
        received += e.length;
        long expected = received;
        Await.until("row shows " + expected + " bytes", () -> rowTx("s-async") == expected);
        assertThat(chainReturned.getCount()).isZero();
        next.release();
      }
      assertThat(in.read()).isEqualTo(-1);
    }
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(received);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void nonBlockingWritesWorkThroughTheWrapper() throws Exception {
    byte[] chunk = bytes(8 * 1024, 3);
    int chunks = 256;
    AtomicInteger callbacks = new AtomicInteger();
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              AsyncContext async = req.startAsync();
              ServletOutputStream out = res.getOutputStream();
              AtomicInteger remaining = new AtomicInteger(chunks);
              out.setWriteListener(
                  new WriteListener() {
                    @Override
                    public void onWritePossible() throws IOException {
                      callbacks.incrementAndGet();
                      while (out.isReady()) {
                        if (remaining.getAndDecrement() <= 0) {
                          async.complete();
                          return;
                        }
                        out.write(chunk);
                      }
                    }

                    @Override
                    public void onError(Throwable t) {
                      async.complete();
                    }
                  });
            }));

    HttpResponse<InputStream> r = CLIENT.send(get("/nio", "s-nio"), BodyHandlers.ofInputStream());
    long received;
    try (InputStream in = r.body()) {
      received = in.transferTo(OutputStream.nullOutputStream());
    }

    assertThat(received).isEqualTo((long) chunk.length * chunks);
    assertThat(callbacks.get()).isPositive();
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(received);
    assertThat(backend().ended().completed()).isEqualTo(1);
  }
}
