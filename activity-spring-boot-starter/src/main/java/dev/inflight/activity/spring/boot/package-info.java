/**
 * Spring Boot auto-configuration for inflight: add the starter, set {@code
 * inflight.activity.enabled=true}, and the tracker, the servlet filter, the diagnostics endpoints,
 * the Actuator endpoint {@code activity}, the Micrometer binder and the RX hooks of {@code
 * RestClient}, {@code RestTemplate}, {@code WebClient} and OkHttp are mounted (in a reactive
 * application, the WebFlux filters instead of the servlet ones). See {@link
 * dev.inflight.activity.spring.boot.ActivityProperties} for the properties.
 */
@NullMarked
package dev.inflight.activity.spring.boot;

import org.jspecify.annotations.NullMarked;
