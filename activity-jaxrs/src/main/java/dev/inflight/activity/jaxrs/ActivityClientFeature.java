package dev.inflight.activity.jaxrs;

import dev.inflight.activity.ActivityHandle;
import dev.inflight.activity.ActivityStreams;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientResponseContext;
import jakarta.ws.rs.client.ClientResponseFilter;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import java.io.InputStream;

/**
 * Counts the bytes a Jakarta REST {@code Client} reads from a backend (RX) into the handle of the
 * server request that made the call. Register it on the client once, and pass the handle with each
 * backend call as the request property {@value #HANDLE_PROPERTY}:
 *
 * <pre>{@code
 * Client backends = ClientBuilder.newClient().register(new ActivityClientFeature());
 *
 * RequestActivity activity = JaxrsActivity.current();
 * activity.attach("openai.1", "gpt-4", ConnectionType.STREAMING);
 * Response upstream = backends.target(url).request()
 *     .property(ActivityClientFeature.HANDLE_PROPERTY, activity)
 *     .post(Entity.json(body));
 * InputStream in = upstream.readEntity(InputStream.class);   // every byte read counts as RX
 * }</pre>
 *
 * <p>A client response filter replaces the response's entity stream with a counting one before any
 * reader sees it. What is counted is what is read from the wire stream, as it is read: a streamed
 * entity counts while it streams, an entity closed early counts what was read before the close, and
 * a reader that throws counts the bytes it consumed before throwing. Requests without the property,
 * or with a disabled handle, are left untouched.
 */
public final class ActivityClientFeature implements Feature {

  /** The client request property carrying the {@link ActivityHandle} to count into. */
  public static final String HANDLE_PROPERTY = "dev.inflight.activity.jaxrs.handle";

  /** Creates the feature; it holds no state. */
  public ActivityClientFeature() {}

  @Override
  public boolean configure(FeatureContext context) {
    context.register(new RxFilter());
    return true;
  }

  /** Wraps the entity stream of responses whose request carries a handle. */
  private static final class RxFilter implements ClientResponseFilter {
    @Override
    public void filter(ClientRequestContext request, ClientResponseContext response) {
      Object handle = request.getProperty(HANDLE_PROPERTY);
      if (handle instanceof ActivityHandle && response.hasEntity()) {
        InputStream in = response.getEntityStream();
        response.setEntityStream(ActivityStreams.countRx(in, (ActivityHandle) handle));
      }
    }
  }
}
