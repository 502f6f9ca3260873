package dev.inflight.activity.spring.boot.internal;

import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

/** Adds the RX filter to Spring's reactive HTTP client. */
public final class WebClients {

  private WebClients() {}

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
