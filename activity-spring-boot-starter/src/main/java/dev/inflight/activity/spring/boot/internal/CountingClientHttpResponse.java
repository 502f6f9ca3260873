package dev.inflight.activity.spring.boot.internal;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityStreams;
import java.io.IOException;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpResponse;

/** A backend response whose body counts what the caller reads as RX of a handle. */
public final class CountingClientHttpResponse implements ClientHttpResponse {

  private final ClientHttpResponse delegate;
  private final ActivityHandle handle;
  private @Nullable InputStream body;

  /**
   * Wraps a response.
   *
   * @param delegate the backend response
   * @param handle where to count
   */
  public CountingClientHttpResponse(ClientHttpResponse delegate, ActivityHandle handle) {
    this.delegate = delegate;
    this.handle = handle;
  }

  @Override
  public HttpStatusCode getStatusCode() throws IOException {
    return delegate.getStatusCode();
  }

  @Override
  public String getStatusText() throws IOException {
    return delegate.getStatusText();
  }

  @Override
  public HttpHeaders getHeaders() {
    return delegate.getHeaders();
  }

  @Override
  public InputStream getBody() throws IOException {
    InputStream b = body;
    if (b == null) {
      b = ActivityStreams.countRx(delegate.getBody(), handle);
      body = b;
    }
    return b;
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "CountingClientHttpResponse[" + delegate + "]";
  }
}
