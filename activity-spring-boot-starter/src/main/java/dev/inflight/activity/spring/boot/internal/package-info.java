/** Implementation of the Spring Boot auto-configuration; not an API. */
@NullMarked
package dev.inflight.activity.spring.boot.internal;

import org.jspecify.annotations.NullMarked;
