package dev.inflight.activity.jetty;

import dev.inflight.activity.ConnectionType;
import dev.inflight.activity.jetty.internal.ProxyGlue;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What a tracking proxy servlet attaches each request to: the backend's name, the model and the
 * connection type, each computed from the client's request. Immutable.
 *
 * <pre>{@code
 * ProxyAttachment attachment = ProxyAttachment.builder()
 *     .backend((request, target) -> "vllm.1")                  // default: the target's host:port
 *     .model(request -> request.getHeader("X-Model"))         // default: none
 *     .type(request -> ConnectionType.STREAMING)               // default: from the Accept header
 *     .build();
 * }</pre>
 */
public final class ProxyAttachment {

  private static final ProxyAttachment DEFAULTS = builder().build();

  private final BiFunction<HttpServletRequest, URI, String> backend;
  private final Function<HttpServletRequest, @Nullable String> model;
  private final Function<HttpServletRequest, ConnectionType> type;

  private ProxyAttachment(Builder b) {
    this.backend = b.backend;
    this.model = b.model;
    this.type = b.type;
  }

  /**
   * The defaults: the backend is named after the rewritten target's {@code host:port}, no model,
   * and the type is streaming when the client accepts {@code text/event-stream}.
   *
   * @return the default attachment
   */
  public static ProxyAttachment defaults() {
    return DEFAULTS;
  }

  /**
   * A builder.
   *
   * @return a new builder, with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The backend name for a request.
   *
   * @param request the client's request
   * @param target the rewritten target the request is proxied to
   * @return the backend's name
   */
  public String backend(HttpServletRequest request, URI target) {
    return backend.apply(request, target);
  }

  /**
   * The model for a request.
   *
   * @param request the client's request
   * @return the model, or null
   */
  public @Nullable String model(HttpServletRequest request) {
    return model.apply(request);
  }

  /**
   * The connection type for a request.
   *
   * @param request the client's request
   * @return streaming or not
   */
  public ConnectionType type(HttpServletRequest request) {
    return type.apply(request);
  }

  /** Options of a {@link ProxyAttachment}. */
  public static final class Builder {
    private BiFunction<HttpServletRequest, URI, String> backend =
        (request, target) -> ProxyGlue.authority(target);
    private Function<HttpServletRequest, @Nullable String> model = request -> null;
    private Function<HttpServletRequest, ConnectionType> type = ProxyGlue::typeFromAccept;

    private Builder() {}

    /**
     * How to name the backend.
     *
     * @param backend from the client's request and the rewritten target to a non-blank name
     * @return this builder
     */
    public Builder backend(BiFunction<HttpServletRequest, URI, String> backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /**
     * How to find the model.
     *
     * @param model from the client's request to the model, or null for none
     * @return this builder
     */
    public Builder model(Function<HttpServletRequest, @Nullable String> model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /**
     * How to tell a streaming request.
     *
     * @param type from the client's request to its connection type
     * @return this builder
     */
    public Builder type(Function<HttpServletRequest, ConnectionType> type) {
      this.type = Objects.requireNonNull(type, "type");
      return this;
    }

    /**
     * Builds the attachment.
     *
     * @return it
     */
    public ProxyAttachment build() {
      return new ProxyAttachment(this);
    }
  }
}
