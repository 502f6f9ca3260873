package dev.inflight.activity.httpclient5.internal;

import dev.inflight.activity.ActivityHandle;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.HttpResponseInterceptor;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.jspecify.annotations.Nullable;

/** Wraps a classic response's entity so that reading it counts RX. */
public final class CountingResponseInterceptor implements HttpResponseInterceptor {

  private final ActivitySource source;

  /**
   * Creates the interceptor.
   *
   * @param source where to count
   */
  public CountingResponseInterceptor(ActivitySource source) {
    this.source = source;
  }

  @Override
  public void process(
      HttpResponse response, @Nullable EntityDetails details, @Nullable HttpContext context) {
    if (!(response instanceof ClassicHttpResponse)) {
      return; // the async client's responses are counted by the exec handler
    }
    ClassicHttpResponse classic = (ClassicHttpResponse) response;
    HttpEntity entity = classic.getEntity();
    if (entity == null || entity instanceof CountingEntity) {
      return;
    }
    ActivityHandle handle = source.find(context);
    if (handle != null) {
      classic.setEntity(new CountingEntity(entity, handle));
    }
  }
}
