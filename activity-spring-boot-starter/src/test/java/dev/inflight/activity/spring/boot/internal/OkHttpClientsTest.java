package dev.inflight.activity.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.inflight.activity.okhttp.ActivityInterceptor;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.support.StaticApplicationContext;

/** The post-processor adding the OkHttp interceptor to the application's clients. */
class OkHttpClientsTest {

  @Test
  void aClientWithoutTheInterceptorIsCopiedWithItOneWithItIsKept() {
    ActivityInterceptor interceptor = ActivityInterceptor.create();
    try (StaticApplicationContext context = new StaticApplicationContext()) {
      context.getBeanFactory().registerSingleton("interceptor", interceptor);
      BeanPostProcessor processor =
          OkHttpClients.postProcessor(context.getBeanProvider(ActivityInterceptor.class));

      OkHttpClient plain = new OkHttpClient();
      OkHttpClient processed = (OkHttpClient) processor.postProcessAfterInitialization(plain, "c");
      assertThat(processed.networkInterceptors()).containsExactly(interceptor);
      assertThat(processed.connectionPool()).isSameAs(plain.connectionPool());

      OkHttpClient network =
          new OkHttpClient.Builder().addNetworkInterceptor(ActivityInterceptor.create()).build();
      assertThat(processor.postProcessAfterInitialization(network, "n")).isSameAs(network);
      OkHttpClient application =
          new OkHttpClient.Builder().addInterceptor(ActivityInterceptor.create()).build();
      assertThat(processor.postProcessAfterInitialization(application, "a")).isSameAs(application);
      Object other = "not a client";
      assertThat(processor.postProcessAfterInitialization(other, "o")).isSameAs(other);
    }
  }
}
