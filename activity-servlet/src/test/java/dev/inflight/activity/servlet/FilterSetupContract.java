package dev.inflight.activity.servlet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.inflight.activity.ActivitySettings;
import dev.inflight.activity.ActivityTracker;
import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.RequestActivity;
import dev.inflight.activity.servlet.testing.ServletContainer.FilterMount;
import dev.inflight.activity.servlet.testing.ServletContainer.ServletMount;
import dev.inflight.activity.testing.Await;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.http.HttpServlet;
import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The filter as mounted: disabled tracking wraps nothing, the container's rules stay, builders and
 * init-params configure it.
 */
abstract class FilterSetupContract extends ContainerContract {

  @Test
  void disabledTrackingHandsTheServletTheContainersOwnObjects() throws Exception {
    AtomicReference<Object> sawResponse = new AtomicReference<>();
    AtomicReference<Object> sawRequest = new AtomicReference<>();
    AtomicReference<RequestActivity> sawActivity = new AtomicReference<>();
    HttpServlet recording =
        servlet(
            (req, res) -> {
              sawRequest.set(req);
              sawResponse.set(res);
              sawActivity.set(ServletActivity.of(req));
              ServletActivity.of(req).attach(BACKEND, MODEL, ConnectionType.STREAMING);
              res.getOutputStream().write(bytes(10, 1));
            });
    deploy(
        List.of(
            new FilterMount(
                ActivityFilter.builder().tracker(ActivityTracker.disabled()).build(),
                "/explicit/*",
                EnumSet.of(DispatcherType.REQUEST),
                Map.of()),
            new FilterMount(
                new ActivityFilter(), "/global/*", EnumSet.of(DispatcherType.REQUEST), Map.of())),
        List.of(new ServletMount(recording, "/*")));

    for (String path : List.of("/explicit/x", "/global/x")) {
      assertThat(ActivityTracker.global().isEnabled()).isFalse();
      assertThat(CLIENT.send(get(path, "s-off"), BodyHandlers.ofByteArray()).body()).hasSize(10);
      assertThat(sawResponse.get()).isNotInstanceOf(ServletResponseWrapper.class);
      assertThat(sawResponse.get().getClass().getName()).startsWith(container().containerPackage());
      assertThat(sawRequest.get().getClass().getName()).startsWith(container().containerPackage());
      assertThat(sawActivity.get()).isSameAs(RequestActivity.disabled());
    }
    assertThat(tracker.getBackendSnapshot(BACKEND)).isEmpty();
  }

  /**
   * Within the dispatch the filter wrapped, the request wrapper answers for {@link
   * ServletActivity#ATTRIBUTE}; the container's own request gets the attribute only when a later
   * dispatch may need it without the wrapper: after {@code startAsync}, {@code sendError} or an
   * exception. An outer filter sees the container's request after the chain returned.
   */
  @Test
  void theActivityReachesTheContainersRequestOnlyWhenALaterDispatchMayNeedIt() throws Exception {
    Map<String, Object> containerAttribute = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, RequestActivity> seen = new java.util.concurrent.ConcurrentHashMap<>();
    jakarta.servlet.Filter outer =
        (request, response, chain) -> {
          String path = ((jakarta.servlet.http.HttpServletRequest) request).getRequestURI();
          try {
            chain.doFilter(request, response);
          } finally {
            Object a = request.getAttribute(ServletActivity.ATTRIBUTE);
            containerAttribute.put(path, a == null ? "none" : a);
          }
        };
    HttpServlet servlet =
        servlet(
            (req, res) -> {
              RequestActivity activity = ServletActivity.of(req);
              seen.put(req.getRequestURI(), activity);
              activity.attach(BACKEND, MODEL, ConnectionType.STREAMING);
              assertThat(java.util.Collections.list(req.getAttributeNames()))
                  .contains(ServletActivity.ATTRIBUTE);
              switch (req.getRequestURI()) {
                case "/plain" -> res.getOutputStream().write(bytes(10, 1));
                case "/error" -> res.sendError(503);
                case "/throws" -> throw new IllegalStateException("backend exploded");
                case "/async" -> {
                  jakarta.servlet.AsyncContext async = req.startAsync();
                  async.getResponse().getOutputStream().write(bytes(10, 2));
                  async.complete();
                }
                default -> res.setStatus(404);
              }
            });
    deploy(
        List.of(
            FilterMount.of(outer, "/*"),
            FilterMount.of(ActivityFilter.builder().tracker(tracker).build(), "/*")),
        List.of(new ServletMount(servlet, "/*")));

    for (String path : List.of("/plain", "/error", "/throws", "/async")) {
      CLIENT.send(get(path, "s" + path.substring(1)), BodyHandlers.discarding());
      Await.until(path + " finished", () -> containerAttribute.containsKey(path));
      assertThat(seen.get(path).isTracking()).as(path).isTrue();
      assertThat(seen.get(path).sessionId()).isEqualTo("s" + path.substring(1));
    }
    awaitNoRows();
    assertThat(containerAttribute.get("/plain")).isEqualTo("none");
    for (String path : List.of("/error", "/throws", "/async")) {
      assertThat(containerAttribute.get(path)).as(path).isSameAs(seen.get(path));
    }
    assertThat(tracker.getBackendSnapshot(BACKEND).orElseThrow().completedConnections())
        .isEqualTo(4);
  }

  @Test
  void getWriterAfterGetOutputStreamFailsExactlyAsTheContainerDoes() throws Exception {
    Handler mixing =
        (req, res) -> {
          String outcome;
          if (req.getPathInfo().endsWith("/stream-first")) {
            ServletOutputStream out = res.getOutputStream();
            outcome = outcome(() -> res.getWriter());
            out.write(outcome.getBytes(UTF_8));
          } else {
            PrintWriter w = res.getWriter();
            outcome = outcome(() -> res.getOutputStream());
            w.write(outcome);
          }
        };
    deploy(
        List.of(mount(trackingFilter(), "/tracked/*")),
        List.of(
            new ServletMount(servlet(mixing), "/tracked/*"),
            new ServletMount(servlet(mixing), "/raw/*")));

    for (String order : List.of("/stream-first", "/writer-first")) {
      String tracked =
          CLIENT.send(get("/tracked" + order, "s-mix"), BodyHandlers.ofString()).body();
      String raw = CLIENT.send(get("/raw" + order, "s-mix"), BodyHandlers.ofString()).body();
      assertThat(tracked).as(order).isEqualTo(raw).startsWith("threw ");
    }
  }

  // ---------------------------------------------------------------- configuration

  @Test
  void sessionIdComesFromTheConfiguredHeaderOrIsGenerated() throws Exception {
    deploy(
        ActivityFilter.builder().tracker(tracker).sessionHeader("X-Conversation").build(),
        servlet(
            (req, res) -> {
              attach(req);
              res.getWriter().write(String.valueOf(ServletActivity.of(req).sessionId()));
            }));

    HttpRequest withHeader =
        HttpRequest.newBuilder(uri("/x")).header("X-Conversation", "conv-42").build();
    assertThat(CLIENT.send(withHeader, BodyHandlers.ofString()).body()).isEqualTo("conv-42");
    // the default header is not read once another one is configured
    assertThat(CLIENT.send(get("/x", "ignored"), BodyHandlers.ofString()).body())
        .startsWith("gen-");
  }

  @Test
  void initParamsCreateAndPublishTheFiltersOwnTracker() throws Exception {
    AtomicReference<Object> published = new AtomicReference<>();
    HttpServlet probe =
        servlet(
            (req, res) -> {
              published.set(req.getServletContext().getAttribute(ActivityFilter.TRACKER_ATTRIBUTE));
              ServletActivity.of(req).attach(BACKEND, MODEL, ConnectionType.NON_STREAMING);
              res.getWriter()
                  .write(
                      ServletActivity.of(req).sessionId()
                          + " "
                          + ServletActivity.of(req).isTracking());
            });
    deploy(
        List.of(
            new FilterMount(
                new ActivityFilter(),
                "/*",
                EnumSet.of(DispatcherType.REQUEST),
                Map.of(
                    ActivitySettings.KEY_ENABLED,
                    "true",
                    ActivitySettings.KEY_SWEEP_INTERVAL,
                    "0",
                    ActivityFilter.PARAM_SESSION_ID_HEADER,
                    "X-Conv"))),
        List.of(
            new ServletMount(probe, "/*"),
            new ServletMount(
                new DiagnosticsServlet(),
                "/v1/diagnostics/*",
                Map.of(DiagnosticsServlet.PARAM_SESSION_ID_DISPLAY, "truncated"))));

    HttpRequest request = HttpRequest.newBuilder(uri("/p")).header("X-Conv", "c-1").build();
    assertThat(CLIENT.send(request, BodyHandlers.ofString()).body()).isEqualTo("c-1 true");
    // the diagnostics servlet found the filter's tracker, not the (disabled) global one
    JsonNode doc =
        MAPPER.readTree(CLIENT.send(get("/v1/diagnostics", "p"), BodyHandlers.ofString()).body());
    assertThat(doc.get("activity_tracking_enabled").asBoolean()).isTrue();
    ActivityTracker own = (ActivityTracker) published.get();
    assertThat(own).isNotNull().isNotSameAs(tracker);
    Await.until("the row ended", () -> own.activeConnections() == 0);
    assertThat(own.getBackendSnapshot(BACKEND).orElseThrow().ended().completed()).isEqualTo(1);

    stopContainer();
    assertThat(own.isEnabled()).as("closed by destroy()").isFalse();
  }

  @Test
  void aFilterBuiltWithASupplierAsksForTheTrackerOnEveryRequest() throws Exception {
    AtomicReference<ActivityTracker> current = new AtomicReference<>(ActivityTracker.disabled());
    deploy(
        ActivityFilter.builder().tracker(current::get).build(),
        servlet(
            (req, res) -> {
              attach(req);
              res.getWriter().write(String.valueOf(ServletActivity.of(req).isTracking()));
            }));

    assertThat(CLIENT.send(get("/x", "s-1"), BodyHandlers.ofString()).body()).isEqualTo("false");
    current.set(tracker);
    assertThat(CLIENT.send(get("/x", "s-2"), BodyHandlers.ofString()).body()).isEqualTo("true");
    awaitNoRows();
    assertThat(backend().ended().completed()).isEqualTo(1);
    assertThat(backend().cumulativeBytesTx()).isEqualTo(4);
  }

  @Test
  void theDiagnosticsServletBuiltWithASupplierShowsTheTrackerOfTheMoment() throws Exception {
    AtomicReference<ActivityTracker> current = new AtomicReference<>(ActivityTracker.disabled());
    deploy(
        List.of(),
        List.of(
            new ServletMount(
                DiagnosticsServlet.builder().tracker(current::get).build(), "/v1/diagnostics/*")));

    for (boolean enabled : new boolean[] {false, true}) {
      current.set(enabled ? tracker : ActivityTracker.disabled());
      JsonNode doc =
          MAPPER.readTree(CLIENT.send(get("/v1/diagnostics", "p"), BodyHandlers.ofString()).body());
      assertThat(doc.get("activity_tracking_enabled").asBoolean()).isEqualTo(enabled);
    }
  }

  @Test
  void aTrackerGivenToTheBuilderIsPublishedForTheDiagnosticsServlet() throws Exception {
    AtomicReference<Object> published = new AtomicReference<>();
    deploy(
        List.of(mount(trackingFilter())),
        List.of(
            new ServletMount(
                servlet(
                    (req, res) ->
                        published.set(
                            req.getServletContext()
                                .getAttribute(ActivityFilter.TRACKER_ATTRIBUTE))),
                "/*"),
            new ServletMount(new DiagnosticsServlet(), "/v1/diagnostics/*")));

    CLIENT.send(get("/p", "s-p"), BodyHandlers.ofString());
    assertThat(published.get()).isSameAs(tracker);
    JsonNode doc =
        MAPPER.readTree(CLIENT.send(get("/v1/diagnostics", "p"), BodyHandlers.ofString()).body());
    assertThat(doc.get("activity_tracking_enabled").asBoolean()).isTrue();
    stopContainer();
    assertThat(tracker.isEnabled()).as("not the filter's to close").isTrue();
  }
}
