package com.ecommerce.eventhub.config;

import java.time.Duration;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Consumer routes ({@code hub.consumers.*}): the default redelivery policy of the spec,
 * and per-route overrides by route id.
 *
 * @param redelivery the policy of every consumer route that does not override it
 * @param routes overrides by route id, e.g.
 * {@code hub.consumers.routes.notification-order-events.maximum-attempts}
 * @param concurrency consumers per route (parallel deliveries)
 * @param prefetch unacknowledged messages a route's consumer holds, including those
 * waiting for a delayed redelivery
 */
@Validated
@ConfigurationProperties("hub.consumers")
public record ConsumerProperties(@DefaultValue @Valid Redelivery redelivery, Map<String, @Valid RouteOverride> routes,
		@DefaultValue("2") @Positive int concurrency, @DefaultValue("100") @Positive int prefetch) {

	public ConsumerProperties {
		routes = (routes != null) ? Map.copyOf(routes) : Map.of();
	}

	/**
	 * The effective policy of a route: its overrides over the default.
	 * @param routeId the consumer route
	 * @return the policy
	 */
	public Redelivery redeliveryFor(String routeId) {
		RouteOverride override = this.routes.get(routeId);
		return (override != null) ? override.over(this.redelivery) : this.redelivery;
	}

	/**
	 * A redelivery policy. Attempts are spaced {@code initialDelay × multiplier^(n-1)},
	 * capped at {@code maxDelay}: the spec's 5 attempts are 1 s, 2 s, 4 s and 8 s apart.
	 *
	 * @param maximumAttempts tries in all, the first included
	 * @param initialDelay wait before the second attempt
	 * @param multiplier growth of the wait per attempt
	 * @param maxDelay cap of the wait
	 * @param attemptTimeout an attempt running longer fails and counts as an attempt
	 */
	public record Redelivery(@DefaultValue("5") @Positive int maximumAttempts,
			@DefaultValue("1s") Duration initialDelay, @DefaultValue("2") @DecimalMin("1.0") double multiplier,
			@DefaultValue("16s") Duration maxDelay, @DefaultValue("30s") Duration attemptTimeout) {
	}

	/**
	 * Per-route overrides; unset values fall back to the default policy.
	 *
	 * @param maximumAttempts tries in all
	 * @param initialDelay wait before the second attempt
	 * @param multiplier growth of the wait per attempt
	 * @param maxDelay cap of the wait
	 * @param attemptTimeout limit of one attempt
	 */
	public record RouteOverride(@Positive Integer maximumAttempts, Duration initialDelay,
			@DecimalMin("1.0") Double multiplier, Duration maxDelay, Duration attemptTimeout) {

		Redelivery over(Redelivery defaults) {
			return new Redelivery((this.maximumAttempts != null) ? this.maximumAttempts : defaults.maximumAttempts(),
					(this.initialDelay != null) ? this.initialDelay : defaults.initialDelay(),
					(this.multiplier != null) ? this.multiplier : defaults.multiplier(),
					(this.maxDelay != null) ? this.maxDelay : defaults.maxDelay(),
					(this.attemptTimeout != null) ? this.attemptTimeout : defaults.attemptTimeout());
		}

	}

}
