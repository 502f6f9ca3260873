package dev.inflight.activity.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.spring.boot.ActivityClientInterceptor;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.support.StaticApplicationContext;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/** The post-processor used on Boot 3.5, where the Boot 4 customizer types are absent. */
class RestClientsTest {

  @Test
  void addsTheInterceptorOnceToBuildersAndTemplatesAndLeavesOtherBeansAlone() {
    ActivityClientInterceptor interceptor = ActivityClientInterceptor.create();
    try (StaticApplicationContext context = new StaticApplicationContext()) {
      context.getBeanFactory().registerSingleton("interceptor", interceptor);
      BeanPostProcessor processor =
          RestClients.postProcessor(context.getBeanProvider(ActivityClientInterceptor.class));

      RestClient.Builder builder = RestClient.builder();
      assertThat(processor.postProcessAfterInitialization(builder, "b")).isSameAs(builder);
      processor.postProcessAfterInitialization(builder, "b");
      builder.requestInterceptors(list -> assertThat(list).containsExactly(interceptor));

      RestTemplate template = new RestTemplate();
      processor.postProcessAfterInitialization(template, "t");
      processor.postProcessAfterInitialization(template, "t");
      assertThat(template.getInterceptors()).containsExactly(interceptor);

      Object other = new Object();
      assertThat(processor.postProcessAfterInitialization(other, "o")).isSameAs(other);
    }
  }
}
