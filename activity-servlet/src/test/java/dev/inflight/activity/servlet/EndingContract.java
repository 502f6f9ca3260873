package dev.inflight.activity.servlet;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.EndCounts;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.servlet.testing.ServletContainer.FilterMount;
import dev.inflight.activity.servlet.testing.ServletContainer.ServletMount;
import dev.inflight.activity.testing.Await;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How requests end: exceptions, async timeouts and errors, client aborts, async cycles and
 * dispatches; each request ends exactly once.
 */
abstract class EndingContract extends ContainerContract {

  @Test
  void exceptionInTheServletEndsTheRowAsErrored() throws Exception {
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              throw new IllegalStateException("backend exploded");
            }));

    HttpResponse<String> r = CLIENT.send(get("/boom", "s-boom"), BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(500);
    awaitNoRows();
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
  }

  @Test
  void asyncTimeoutEndsTheRowAsErroredOnce() throws Exception {
    List<String> appSaw = Collections.synchronizedList(new ArrayList<>());
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              AsyncContext async = req.startAsync();
              async.addListener(recording(appSaw));
              async.setTimeout(200);
            }));

    HttpResponse<String> r = CLIENT.send(get("/timeout", "s-timeout"), BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(500);
    awaitNoRows();
    Await.until("the application's listener saw the end", () -> appSaw.contains("complete"));
    // timeout and complete both fired; the row ended once, as errored
    assertThat(appSaw).contains("timeout", "complete");
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 0, 1, 0));
  }

  @ParameterizedTest
  @EnumSource(Output.class)
  void clientDisconnectMidStreamEndsTheRowAsClientAborted(Output output) throws Exception {
    CountDownLatch servletExited = new CountDownLatch(1);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              res.setContentType("text/event-stream");
              byte[] chunk = ascii(1024, 7);
              long deadline = System.nanoTime() + WAIT.toNanos();
              try {
                if (output == Output.STREAM) {
                  ServletOutputStream out = res.getOutputStream();
                  while (System.nanoTime() < deadline) {
                    out.write(chunk);
                    out.flush(); // throws once the client is gone
                  }
                } else {
                  PrintWriter w = res.getWriter();
                  while (!w.checkError() && System.nanoTime() < deadline) { // a writer never throws
                    w.write(new String(chunk, US_ASCII));
                  }
                }
              } finally {
                servletExited.countDown();
              }
            }));

    HttpResponse<InputStream> r =
        CLIENT.send(get("/abort", "s-abort"), BodyHandlers.ofInputStream());
    InputStream in = r.body();
    assertThat(in.readNBytes(3 * 1024)).hasSize(3 * 1024);
    in.close();

    awaitNoRows(); // bounded; how soon depends on the machine, not on a fixed second
    Await.await(servletExited);
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 1, 0, 0));
  }

  @Test
  void clientDisconnectDuringAnAsyncStreamEndsTheRowOnce() throws Exception {
    List<String> appSaw = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch writerExited = new CountDownLatch(1);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              AsyncContext async = req.startAsync();
              async.setTimeout(0);
              async.addListener(recording(appSaw));
              workers.submit(
                  () -> {
                    byte[] chunk = ascii(1024, 8);
                    long deadline = System.nanoTime() + WAIT.toNanos();
                    try {
                      ServletOutputStream out = async.getResponse().getOutputStream();
                      while (System.nanoTime() < deadline) {
                        out.write(chunk);
                        out.flush();
                      }
                    } catch (IOException expected) {
                      // the client went away
                    } finally {
                      writerExited.countDown();
                      async.complete();
                    }
                    return null;
                  });
            }));

    HttpResponse<InputStream> r =
        CLIENT.send(get("/async-abort", "s-async-abort"), BodyHandlers.ofInputStream());
    InputStream in = r.body();
    assertThat(in.readNBytes(4096)).hasSize(4096);
    in.close();

    awaitNoRows(); // bounded; how soon depends on the machine, not on a fixed second
    Await.await(writerExited);
    Await.until("the application's listener saw the end", () -> appSaw.contains("complete"));
    // Tomcat reports the error and the completion, Jetty only the completion; either way the
    // row ended once
    assertThat(appSaw).containsAnyOf("error", "complete");
    assertThat(backend().ended()).isEqualTo(new EndCounts(0, 1, 0, 0));
  }

  @Test
  void asyncWorkThatCompletesBeforeTheServletReturnsIsStillSeen() throws Exception {
    byte[] body = bytes(3000, 9);
    deploy(
        servlet(
            (req, res) -> {
              attach(req);
              AsyncContext async = req.startAsync();
              CountDownLatch done = new CountDownLatch(1);
              workers.submit(
                  () -> {
                    try {
                      async.getResponse().getOutputStream().write(body);
                    } finally {
                      async.complete();
                      done.countDown();
                    }
                    return null;
                  });
              Await.await(done); // the whole async cycle finished inside chain.doFilter
            }));

    HttpResponse<byte[]> r = CLIENT.send(get("/quick", "s-quick"), BodyHandlers.ofByteArray());

    assertThat(r.body()).isEqualTo(body);
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(body.length);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }

  @Test
  void asyncDispatchIsNotTrackedOrCountedTwice() throws Exception {
    byte[] body = bytes(5000, 10);
    AtomicReference<RequestActivity> first = new AtomicReference<>();
    AtomicReference<RequestActivity> second = new AtomicReference<>();
    AtomicInteger passes = new AtomicInteger();
    HttpServlet dispatching =
        servlet(
            (req, res) -> {
              passes.incrementAndGet();
              if (req.getDispatcherType() == DispatcherType.REQUEST) {
                first.set(ServletActivity.of(req));
                attach(req);
                req.startAsync().dispatch();
              } else {
                second.set(ServletActivity.of(req));
                res.getOutputStream().write(body);
              }
            });
    Filter filter = trackingFilter();
    deploy(
        List.of(
            new FilterMount(
                filter, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC), Map.of())),
        List.of(new ServletMount(dispatching, "/*")));

    HttpResponse<byte[]> r =
        CLIENT.send(get("/dispatch", "s-dispatch"), BodyHandlers.ofByteArray());

    assertThat(r.body()).isEqualTo(body);
    assertThat(passes.get()).isEqualTo(2);
    assertThat(second.get()).isSameAs(first.get());
    assertThat(first.get().isTracking()).isTrue();
    awaitNoRows();
    assertThat(backend().cumulativeBytesTx()).isEqualTo(body.length);
    assertThat(backend().ended()).isEqualTo(new EndCounts(1, 0, 0, 0));
  }
}
