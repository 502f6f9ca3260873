package dev.inflight.activity.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.webflux.ActivityExchangeFilter;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.support.StaticApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

/** The post-processor used on Boot 3.5, where Boot 4's WebClientCustomizer is absent. */
class WebClientsTest {

  @Test
  void addsTheFilterOnceToBuildersAndLeavesOtherBeansAlone() {
    ActivityExchangeFilter filter = ActivityExchangeFilter.create();
    try (StaticApplicationContext context = new StaticApplicationContext()) {
      context.getBeanFactory().registerSingleton("filter", filter);
      BeanPostProcessor processor =
          WebClients.postProcessor(context.getBeanProvider(ActivityExchangeFilter.class));
      WebClient.Builder builder = WebClient.builder();
      assertThat(processor.postProcessAfterInitialization(builder, "b")).isSameAs(builder);
      processor.postProcessAfterInitialization(builder, "b");
      builder.filters(list -> assertThat(list).containsExactly(filter));
      Object other = new Object();
      assertThat(processor.postProcessAfterInitialization(other, "o")).isSameAs(other);
    }
  }
}
