package dev.inflight.activity.spring.boot.internal;

import dev.inflight.activity.okhttp.ActivityInterceptor;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/** Adds the RX interceptor to the application's {@code OkHttpClient} beans. */
public final class OkHttpClients {

  private OkHttpClients() {}

  /**
   * A post-processor replacing each {@code OkHttpClient} bean without the interceptor by a copy
   * with it as a network interceptor (sharing the original's connection pool and dispatcher).
   *
   * @param interceptor the interceptor, looked up when the first client is created
   * @return the post-processor
   */
  public static BeanPostProcessor postProcessor(ObjectProvider<ActivityInterceptor> interceptor) {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof OkHttpClient client && !has(client)) {
          return client.newBuilder().addNetworkInterceptor(interceptor.getObject()).build();
        }
        return bean;
      }
    };
  }

  private static boolean has(OkHttpClient client) {
    for (Interceptor i : client.networkInterceptors()) {
      if (i instanceof ActivityInterceptor) {
        return true;
      }
    }
    for (Interceptor i : client.interceptors()) {
      if (i instanceof ActivityInterceptor) {
        return true;
      }
    }
    return false;
  }
}
