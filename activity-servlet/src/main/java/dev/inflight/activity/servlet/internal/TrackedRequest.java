package dev.inflight.activity.servlet.internal;

import dev.inflight.activity.servlet.ServletActivity;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The request as the application sees it while it is tracked. Its only job is to listen to
 * asynchronous requests from the moment they start: the listener is added inside {@code
 * startAsync}, before any other thread could complete the request.
 */
final class TrackedRequest extends HttpServletRequestWrapper {

  private final TrackedExchange exchange;

  TrackedRequest(HttpServletRequest request, TrackedExchange exchange) {
    super(request);
    this.exchange = exchange;
  }

  /**
   * Starts async mode with the tracked request and response, so that {@code
   * AsyncContext.getResponse()} writes are counted too; an argument-less {@code dispatch()} then
   * goes to this request's URI.
   */
  /**
   * Answers for {@link ServletActivity#ATTRIBUTE} without the container's attribute map, which the
   * exchange fills only when a later dispatch needs it (see {@link TrackedExchange#publish()}).
   */
  @Override
  public @Nullable Object getAttribute(String name) {
    return ServletActivity.ATTRIBUTE.equals(name) ? exchange.activity() : super.getAttribute(name);
  }

  @Override
  public Enumeration<String> getAttributeNames() {
    Enumeration<String> names = super.getAttributeNames();
    if (exchange.published()) {
      return names;
    }
    List<String> all = Collections.list(names);
    all.add(ServletActivity.ATTRIBUTE);
    return Collections.enumeration(all);
  }

  @Override
  public AsyncContext startAsync() {
    AsyncContext context = super.startAsync(this, exchange.response());
    exchange.asyncStarted(context);
    return context;
  }

  @Override
  public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
    AsyncContext context = super.startAsync(request, response);
    exchange.asyncStarted(context);
    return context;
  }
}
