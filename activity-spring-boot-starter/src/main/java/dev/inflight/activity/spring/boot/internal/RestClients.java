package dev.inflight.activity.spring.boot.internal;

import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/** Adds the RX interceptor to Spring's HTTP clients. */
public final class RestClients {

  private RestClients() {}

  /**
   * Adds an interceptor to a list unless an interceptor of its class is already there.
   *
   * @param interceptors a client's interceptors
   * @param interceptor the one to add
   */
  public static void addOnce(
      List<ClientHttpRequestInterceptor> interceptors, ClientHttpRequestInterceptor interceptor) {
    for (ClientHttpRequestInterceptor i : interceptors) {
      if (i.getClass() == interceptor.getClass()) {
        return;
      }
    }
    interceptors.add(interceptor);
  }

  /**
   * A post-processor adding the interceptor to every {@code RestClient.Builder} and {@code
   * RestTemplate} bean, for Boot versions whose customizer types this module is not compiled
   * against.
   *
   * @param interceptor the interceptor, looked up when the first client is created
   * @return the post-processor
   */
  public static BeanPostProcessor postProcessor(
      ObjectProvider<? extends ClientHttpRequestInterceptor> interceptor) {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof RestClient.Builder builder) {
          ClientHttpRequestInterceptor i = interceptor.getObject();
          builder.requestInterceptors(list -> addOnce(list, i));
        } else if (bean instanceof RestTemplate template) {
          addOnce(template.getInterceptors(), interceptor.getObject());
        }
        return bean;
      }
    };
  }
}
