package dev.inflight.activity.spring.boot.internal;

import dev.inflight.activity.ConnectionType;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

/** Adds the RX filter to Spring's reactive HTTP client. */
public final class WebClients {

  private WebClients() {}

  /**
   * Streaming when the request accepts server-sent events, as {@code ActivityExchangeFilter}'s
   * default decides, read through {@code HttpHeaders.getAccept()}, which Spring Framework 6.2 and
   * 7.0 both have (the map-style header lookups changed signature between them).
   *
   * @param request the outgoing request
   * @return the connection type
   */
  public static ConnectionType typeFromAccept(ClientRequest request) {
    try {
      for (MediaType accepted : request.headers().getAccept()) {
        if (MediaType.TEXT_EVENT_STREAM.equalsTypeAndSubtype(accepted)) {
          return ConnectionType.STREAMING;
        }
      }
    } catch (InvalidMediaTypeException e) {
      // an Accept header we cannot parse asks for nothing in particular
    }
    return ConnectionType.NON_STREAMING;
  }

  /**
   * Adds a filter to a list unless a filter of its class is already there.
   *
   * @param filters a client's filters
   * @param filter the one to add
   */
  public static void addOnce(List<ExchangeFilterFunction> filters, ExchangeFilterFunction filter) {
    for (ExchangeFilterFunction f : filters) {
      if (f.getClass() == filter.getClass()) {
        return;
      }
    }
    filters.add(filter);
  }

  /**
   * A post-processor adding the filter to every {@code WebClient.Builder} bean, for Boot versions
   * whose customizer type this module is not compiled against.
   *
   * @param filter the filter, looked up when the first builder is created
   * @return the post-processor
   */
  public static BeanPostProcessor postProcessor(
      ObjectProvider<? extends ExchangeFilterFunction> filter) {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof WebClient.Builder builder) {
          ExchangeFilterFunction f = filter.getObject();
          builder.filters(list -> addOnce(list, f));
        }
        return bean;
      }
    };
  }
}
